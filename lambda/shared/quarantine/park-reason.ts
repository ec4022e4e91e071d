import { PARK_REASON_MAX_CHARACTERS } from '../../../contracts';

/**
 * Characters a park reason may not hold: control, format, surrogate, private-use and unassigned code
 * points. The reason is one line an operator reads in `npm run quarantine -- list` and in the poison
 * message, and SQS refuses some control characters outright.
 */
const NOT_PRINTABLE = /\p{C}/u;

/**
 * Checks an operator's park reason (docs/architecture.md, "Parking a key"): printable text, not blank, at
 * most {@link PARK_REASON_MAX_CHARACTERS} characters (every read of the set pays for it).
 * @returns the problem, naming the limit, or undefined when the reason is fine
 */
export function parkReasonProblem(reason: string): string | undefined {
  if (reason.trim() === '') return '--reason is blank; give one line saying who parks the key and why';
  const characters = Array.from(reason).length;
  if (characters > PARK_REASON_MAX_CHARACTERS) {
    return `--reason has ${characters} characters; allowed 1..${PARK_REASON_MAX_CHARACTERS} characters`;
  }
  const bad = NOT_PRINTABLE.exec(reason);
  if (bad !== null) {
    const codePoint = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    const at = Array.from(reason.slice(0, bad.index)).length + 1;
    return `--reason holds U+${codePoint} at character ${at}; allowed printable text only (no control characters or line breaks)`;
  }
  return undefined;
}

/** The reason the poison message of a parked record carries. */
export function parkedPoisonReason(reason: string): string {
  return `parked by operator: ${reason}`;
}
