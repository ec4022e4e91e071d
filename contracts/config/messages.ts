/**
 * The wording of every config problem, `<key> = <value>; allowed <what> (<why>)`: the setting kinds
 * (./setting-kinds.ts) and the relations (./relations.ts) build their messages here. Zod-free.
 */

/** What a range allows, e.g. `allowed an integer 1..500 (why)`. */
export function allowedRange(
  min: number,
  max: number,
  { integer = true, why }: { readonly integer?: boolean; readonly why?: string } = {},
): string {
  return `allowed ${integer ? 'an integer ' : ''}${min}..${max}${why === undefined ? '' : ` (${why})`}`;
}

/** `allowed "a", "b"`: the values as they are written in cdk.json. */
export function allowedValues(values: readonly unknown[]): string {
  return `allowed ${values.map((value) => JSON.stringify(value)).join(', ')}`;
}
