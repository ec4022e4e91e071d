/** One CloudWatch embedded-metric-format line, as Powertools Metrics prints it. */
export interface EmfLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: {
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/**
 * Runs `action` and returns the EMF lines it printed to stdout (Powertools writes them there, as
 * Lambda expects). Other stdout output passes through.
 */
export async function captureEmf(action: () => unknown): Promise<EmfLine[]> {
  const lines: EmfLine[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = chunk.toString();
    if (!text.includes('"_aws"')) return write(chunk);
    for (const line of text.split('\n')) {
      if (line.includes('"_aws"')) lines.push(JSON.parse(line) as EmfLine);
    }
    return true;
  });
  try {
    await action();
    return lines;
  } finally {
    spy.mockRestore();
  }
}

/** Every value a metric has in the EMF lines, in order; undefined if it was never emitted. */
export function emittedValue(lines: readonly EmfLine[], metricName: string): number[] | undefined {
  const values = lines.flatMap((line) => {
    const value = line[metricName];
    if (value === undefined) return [];
    return Array.isArray(value) ? (value as number[]) : [value as number];
  });
  return values.length === 0 ? undefined : values;
}
