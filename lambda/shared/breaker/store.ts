import type { BreakerAttribute, BreakerItem, MapAttribute, NumberAttribute, SetAttribute } from './item';

/**
 * A condition on the stored item, evaluated atomically with the write it guards. It is data, so the
 * DynamoDB store renders it as a ConditionExpression and the in-memory store evaluates it directly:
 * both stores give every transition the same semantics.
 */
export type Condition =
  | { readonly kind: 'itemExists'; readonly exists: boolean }
  | { readonly kind: 'equals'; readonly attribute: BreakerAttribute; readonly value: string | number }
  | { readonly kind: 'atMost'; readonly attribute: NumberAttribute; readonly value: number }
  | { readonly kind: 'missing'; readonly attribute: BreakerAttribute }
  /** The set is absent or holds fewer than `value` members. */
  | { readonly kind: 'sizeBelow'; readonly attribute: SetAttribute; readonly value: number }
  | {
      readonly kind: 'entryEquals';
      readonly attribute: MapAttribute;
      readonly key: string;
      readonly value: string;
    }
  | { readonly kind: 'all'; readonly of: readonly Condition[] }
  | { readonly kind: 'any'; readonly of: readonly Condition[] }
  | { readonly kind: 'not'; readonly of: Condition };

/**
 * One single-item write: SET, then ADD (atomic increments), then REMOVE. An attribute appears in one part
 * only. `entries` sets and removes single entries of the `writes` map, which must then exist (DynamoDB
 * refuses a path into a missing map), and is never given with a `set` of the whole map.
 */
export interface ItemUpdate {
  readonly set?: Partial<Omit<BreakerItem, 'name'>>;
  readonly add?: Partial<Record<NumberAttribute, number>>;
  /** Members added to string sets with ADD (created if absent); each list non-empty. */
  readonly addMembers?: Partial<Record<SetAttribute, readonly string[]>>;
  readonly remove?: readonly BreakerAttribute[];
  readonly entries?: {
    readonly attribute: MapAttribute;
    readonly set: Readonly<Record<string, string>>;
    readonly remove?: readonly string[];
  };
}

/** Where breaker items live. Only single-item reads and conditional writes, so any DynamoDB emulator serves. */
export interface BreakerStore {
  /** A strongly consistent read; `undefined` when the breaker was never written. */
  get(name: string): Promise<BreakerItem | undefined>;
  /**
   * Applies `update` if and only if `condition` holds, atomically.
   * @returns the whole item after the write, or `undefined` when the condition did not hold
   * @throws {BreakerStoreError} when the store cannot be reached or refuses the request
   */
  update(name: string, update: ItemUpdate, condition: Condition): Promise<BreakerItem | undefined>;
}

/**
 * The breaker store could not be reached or refused a request (anything but a failed condition).
 * The circuit breaker reacts to it with its `onStoreFailure` policy; operator tools report it.
 */
export class BreakerStoreError extends Error {
  constructor(
    readonly operation: string,
    options: { cause: unknown },
  ) {
    super(`breaker store ${operation} failed: ${describe(options.cause)}`, options);
    this.name = 'BreakerStoreError';
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

export const condition = {
  itemExists: (exists: boolean): Condition => ({ kind: 'itemExists', exists }),
  equals: (attribute: BreakerAttribute, value: string | number): Condition => ({
    kind: 'equals',
    attribute,
    value,
  }),
  atMost: (attribute: NumberAttribute, value: number): Condition => ({ kind: 'atMost', attribute, value }),
  missing: (attribute: BreakerAttribute): Condition => ({ kind: 'missing', attribute }),
  sizeBelow: (attribute: SetAttribute, value: number): Condition => ({ kind: 'sizeBelow', attribute, value }),
  entryEquals: (attribute: MapAttribute, key: string, value: string): Condition => ({
    kind: 'entryEquals',
    attribute,
    key,
    value,
  }),
  all: (...of: Condition[]): Condition => ({ kind: 'all', of }),
  any: (...of: Condition[]): Condition => ({ kind: 'any', of }),
  not: (of: Condition): Condition => ({ kind: 'not', of }),
};
