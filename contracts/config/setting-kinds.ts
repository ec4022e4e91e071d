import { z } from 'zod';
import { UNLIMITED } from '../units';
import type { Limit } from './limits';
import { allowedRange, allowedValues } from './messages';

/**
 * The kinds of setting the declaration is made of (./declaration.ts). Each one carries the project's
 * error message (`allowed an integer 1..10000`), so a bad value reads the same whichever setting holds
 * it (./messages.ts); ./problems.ts prefixes the key path and the value.
 */

/**
 * An integer within `limit`. Integers are checked with a refinement, not zod's `.int()`: `.int()`
 * aborts the parse, and the relations between settings (./relations.ts) must still run to report
 * every problem at once. The JSON Schema says `integer` all the same.
 */
export function integerIn(limit: Limit, why?: string) {
  const error = allowedRange(limit.min, limit.max, { why });
  return z
    .number({ error })
    .refine(Number.isInteger, { error })
    .min(limit.min, { error })
    .max(limit.max, { error })
    .meta({ type: 'integer' });
}

/** AWS's "no limit" (-1, contracts/units.ts) or an integer within `limit`, e.g. MaximumRecordAgeInSeconds. */
export function neverOrIntegerIn(limit: Limit) {
  const error = `allowed ${UNLIMITED} or ${limit.min}..${limit.max}`;
  const inRange = (value: number): boolean =>
    Number.isInteger(value) && value >= limit.min && value <= limit.max;
  // One check with one message: a union would report the range of its integer branch alone.
  return z
    .number({ error })
    .refine((value) => value === UNLIMITED || inRange(value), { error })
    .meta({ type: 'integer', anyOf: [{ const: UNLIMITED }, { minimum: limit.min, maximum: limit.max }] });
}

/** A number (not only integers) within `limit`. */
export function numberIn(limit: Limit, why?: string) {
  const error = allowedRange(limit.min, limit.max, { integer: false, why });
  return z.number({ error }).min(limit.min, { error }).max(limit.max, { error });
}

/** One of a list of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: allowedValues(values) });
}

/** One of a list of numbers, e.g. CloudWatch Logs' retention days. */
export function oneOfNumbers<const T extends readonly [number, ...number[]]>(values: T) {
  return z.literal(values, { error: allowedValues(values) });
}

export function flag() {
  return z.boolean({ error: allowedValues([true, false]) });
}

/** A string matching `pattern`; the message says what it is (`an email address`). */
export function matching(pattern: RegExp, what = pattern.source) {
  const error = `allowed ${what}`;
  return z.string({ error }).regex(pattern, { error });
}

/** An http(s) URL, or only https with `httpsOnly`. */
export function url({ httpsOnly = false } = {}) {
  const error = httpsOnly ? 'allowed an https:// URL' : 'allowed an http(s) URL';
  return z.string({ error }).refine((value) => isHttpUrl(value, { httpsOnly }), { error });
}

/** Whether `value` is an http(s) URL (only https with `httpsOnly`): the check of {@link url}, for props too. */
export function isHttpUrl(value: string, { httpsOnly = false } = {}): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || (!httpsOnly && protocol === 'http:');
  } catch {
    return false;
  }
}

/**
 * A section of settings: no key it does not declare. The message completes `<key> ...`:
 * `is not a known setting; allowed a, b`, or `text` when given.
 */
export function section<const Shape extends z.core.$ZodLooseShape>(shape: Shape, text?: string) {
  const message = text ?? `is not a known setting; allowed ${Object.keys(shape).sort().join(', ')}`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? message : 'allowed an object'),
  });
}
