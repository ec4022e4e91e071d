import type { z } from 'zod';

/**
 * The declaration's issues as the lines of a ConfigError: one per bad value, each naming the key path,
 * the value given and what is allowed (`consumers.orders.batchSize = 20000; allowed an integer 1..10000`).
 */
export function problemLines(issues: readonly z.core.$ZodIssue[]): string[] {
  // A setting's checks (type, integer, minimum, maximum) share one message: equal lines collapse.
  return [...new Set(issues.flatMap(linesOf))];
}

function linesOf(issue: z.core.$ZodIssue): string[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${keyPath([...issue.path, key])} ${issue.message}`);
    case 'invalid_key':
      // A consumer's name: `consumers."Orders" has an invalid name; ...`
      return [`${keyPath(issue.path.slice(0, -1))}.${JSON.stringify(issue.path.at(-1))} ${issue.message}`];
    case 'invalid_union': {
      // No variant has the discriminator given (`downstreamAuth.type`): show that value, not the object.
      const { discriminator } = issue as { discriminator?: string };
      const input = issue.input as Record<string, unknown> | undefined;
      const value = discriminator === undefined ? issue.input : input?.[discriminator];
      return [`${keyPath(issue.path)} = ${show(value)}; ${issue.message}`];
    }
    default:
      return [`${keyPath(issue.path)} = ${show(issue.input)}; ${issue.message}`];
  }
}

/** `consumers.orders.endpointErrorStatuses[1]` */
function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((key, part) => {
    if (typeof part === 'number') return `${key}[${part}]`;
    return key === '' ? String(part) : `${key}.${String(part)}`;
  }, '');
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
