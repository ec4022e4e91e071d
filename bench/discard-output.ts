type Write = typeof process.stdout.write;

/** A stream write that drops the chunk but still calls the write callback, as a real write would. */
const discard = ((_chunk: unknown, ...rest: unknown[]): boolean => {
  const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
  callback?.();
  return true;
}) as Write;

/**
 * Runs `work` with stdout and stderr discarded. The handler's Powertools Logger and Metrics write
 * JSON lines there (warnings to stderr), as on Lambda where both go to CloudWatch Logs; the lines are
 * still built and serialised, so their cost is measured, but they stay out of the report and progress.
 */
export async function withHandlerOutputDiscarded<T>(work: () => Promise<T>): Promise<T> {
  const streams = [process.stdout, process.stderr];
  // The streams' own `write` property, if any (normally they inherit it), is put back exactly.
  const own = streams.map((stream) => Object.getOwnPropertyDescriptor(stream, 'write'));
  streams.forEach((stream) => {
    stream.write = discard;
  });
  try {
    return await work();
  } finally {
    streams.forEach((stream, index) => {
      const descriptor = own[index];
      if (descriptor) Object.defineProperty(stream, 'write', descriptor);
      else delete (stream as { write?: Write }).write;
    });
  }
}
