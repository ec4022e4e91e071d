import type { BreakerItem, SetAttribute } from './item';
import type { BreakerStore, Condition, ItemUpdate } from './store';

type MutableItem = { -readonly [K in keyof BreakerItem]?: BreakerItem[K] };

/**
 * A per-process breaker store, used by the local breaker that protects the downstream while DynamoDB
 * is unavailable. Conditions evaluate exactly as DynamoDB evaluates them (a missing attribute fails
 * every comparison), and JavaScript's single thread makes each update atomic.
 */
export class MemoryBreakerStore implements BreakerStore {
  private readonly items = new Map<string, BreakerItem>();

  constructor(seed: readonly BreakerItem[] = []) {
    for (const item of seed) this.items.set(item.name, { ...item });
  }

  get(name: string): Promise<BreakerItem | undefined> {
    const item = this.items.get(name);
    return Promise.resolve(item && { ...item });
  }

  update(name: string, update: ItemUpdate, condition: Condition): Promise<BreakerItem | undefined> {
    const current = this.items.get(name);
    if (!holds(condition, current)) return Promise.resolve(undefined);
    const next: MutableItem = { ...current, name, ...update.set };
    const entries = update.entries;
    if (entries !== undefined) {
      const map = next[entries.attribute];
      // As DynamoDB: a path into a map that does not exist is refused (a ValidationException).
      if (map === undefined)
        return Promise.reject(new Error(`no map ${entries.attribute} to set entries in`));
      const updated: Record<string, string> = { ...map, ...entries.set };
      for (const key of entries.remove ?? []) delete updated[key];
      next[entries.attribute] = updated;
    }
    for (const [attribute, delta] of Object.entries(update.add ?? {}) as [keyof MutableItem, number][]) {
      (next as Record<string, unknown>)[attribute] = ((next[attribute] as number | undefined) ?? 0) + delta;
    }
    for (const [attribute, members] of Object.entries(update.addMembers ?? {}) as [
      SetAttribute,
      readonly string[],
    ][]) {
      // As a DynamoDB string set: each member once, whatever was added twice.
      next[attribute] = [...new Set([...(next[attribute] ?? []), ...members])];
    }
    for (const attribute of update.remove ?? []) delete next[attribute];
    const stored = next as BreakerItem;
    this.items.set(name, stored);
    return Promise.resolve({ ...stored });
  }

  list(): Promise<BreakerItem[]> {
    return Promise.resolve([...this.items.values()].map((item) => ({ ...item })));
  }
}

function holds(condition: Condition, item: BreakerItem | undefined): boolean {
  switch (condition.kind) {
    case 'itemExists':
      return (item !== undefined) === condition.exists;
    case 'equals':
      return item?.[condition.attribute] === condition.value;
    case 'atMost': {
      const value = item?.[condition.attribute];
      return value !== undefined && value <= condition.value;
    }
    case 'missing':
      return item?.[condition.attribute] === undefined;
    case 'sizeBelow':
      return (item?.[condition.attribute]?.length ?? 0) < condition.value;
    case 'entryEquals':
      return item?.[condition.attribute]?.[condition.key] === condition.value;
    case 'all':
      return condition.of.every((part) => holds(part, item));
    case 'any':
      return condition.of.some((part) => holds(part, item));
    case 'not':
      return !holds(condition.of, item);
  }
}
