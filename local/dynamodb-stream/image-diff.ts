import type { StreamImage } from './stream-attribute-value';
import { canonicalJson } from './stream-attribute-value';

export interface ItemChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly keys: StreamImage;
  readonly newImage?: StreamImage;
  readonly oldImage?: StreamImage;
}

/** Items of one scan by canonical key, so two scans can be compared. */
export type TableSnapshot = ReadonlyMap<string, { readonly keys: StreamImage; readonly image: StreamImage }>;

export function snapshotOf(items: readonly StreamImage[], keyAttributes: readonly string[]): TableSnapshot {
  const snapshot = new Map<string, { keys: StreamImage; image: StreamImage }>();
  for (const image of items) {
    const keys = Object.fromEntries(keyAttributes.map((name) => [name, image[name]]));
    snapshot.set(canonicalJson(keys), { keys, image });
  }
  return snapshot;
}

/**
 * The changes between two scans, one per changed item: INSERT, MODIFY (images differ) or REMOVE.
 * Several writes to one item between two scans show as one change (the stream would show each).
 */
export function diffSnapshots(before: TableSnapshot, after: TableSnapshot): ItemChange[] {
  const changes: ItemChange[] = [];
  for (const [key, current] of after) {
    const previous = before.get(key);
    if (previous === undefined) {
      changes.push({ eventName: 'INSERT', keys: current.keys, newImage: current.image });
    } else if (canonicalJson(previous.image) !== canonicalJson(current.image)) {
      changes.push({
        eventName: 'MODIFY',
        keys: current.keys,
        newImage: current.image,
        oldImage: previous.image,
      });
    }
  }
  for (const [key, previous] of before) {
    if (!after.has(key)) changes.push({ eventName: 'REMOVE', keys: previous.keys, oldImage: previous.image });
  }
  return changes;
}
