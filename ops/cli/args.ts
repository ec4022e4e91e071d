import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every ops command accepts. */
export const COMMON_OPTIONS = {
  stage: { type: 'string', default: 'dev' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/**
 * Strict node:util parseArgs: unknown options, missing values and (unless allowed) positionals are
 * usage errors.
 * @throws {UsageError}
 */
export function parseCommandLine<const O extends Options>(
  argv: readonly string[],
  options: O,
  { allowPositionals = false }: { readonly allowPositionals?: boolean } = {},
) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...options },
      strict: true,
      allowPositionals,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * An integer option within a range.
 * @throws {UsageError} naming the option, the value given and the range
 */
export function integerOption(
  name: string,
  raw: string | undefined,
  range: { min: number; max: number },
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} = ${JSON.stringify(raw)}; allowed an integer ${range.min}..${range.max}`);
  }
  return value;
}

/**
 * One of a fixed set of values.
 * @throws {UsageError} naming the option, the value given and the allowed values
 */
export function choiceOption<const C extends string>(
  name: string,
  raw: string | undefined,
  choices: readonly C[],
): C {
  if (raw !== undefined && (choices as readonly string[]).includes(raw)) return raw as C;
  throw new UsageError(`--${name} = ${JSON.stringify(raw ?? '')}; allowed ${choices.join(', ')}`);
}

/**
 * `<action> [SUBJECT]` of a command whose actions but one (`listAction`, which takes none) name a
 * subject: a breaker, a key.
 * @throws {UsageError} for an unknown action or an argument beyond them
 */
export function actionAndSubject<const A extends string>(
  positionals: readonly string[],
  actions: readonly A[],
  listAction: A,
): { action: A; subject: string | undefined } {
  const [action, subject, ...extra] = positionals;
  if (!(actions as readonly string[]).includes(action ?? '')) {
    throw new UsageError(`action = ${JSON.stringify(action ?? '')}; allowed ${actions.join(', ')}`);
  }
  const unexpected = action === listAction && subject !== undefined ? [subject, ...extra] : extra;
  if (unexpected.length > 0) throw new UsageError(`unexpected argument(s): ${unexpected.join(' ')}`);
  return { action: action as A, subject };
}
