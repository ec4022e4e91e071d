import { REJECT_FIELD } from '../downstream';
import { randomInt } from './prng';
import type { Random } from './prng';

/**
 * The events the game day produces. Good events carry their partition key and a per-key sequence in
 * the payload, so the downstream can check order per key. Poison events are the kinds a consumer must
 * park in the poison DLQ: bytes that are not JSON, JSON that is not a valid event, and a valid event
 * the downstream rejects with 400. Each poison event still carries its eventId somewhere in its bytes,
 * so the final check can find it in the poison DLQ.
 */
export type PoisonKind = 'undecodable' | 'invalid' | 'rejected';
export const POISON_KINDS: readonly PoisonKind[] = ['undecodable', 'invalid', 'rejected'];

export interface GameDayEvent {
  readonly eventId: string;
  readonly partitionKey: string;
  /** Position among the good events of its key, from 1; absent for poison. */
  readonly seq?: number;
  readonly poison?: PoisonKind;
  /** The record data as put on the stream. */
  readonly data: string;
}

/** Distinct partition keys: enough to spread over shards and exercise per-key concurrency. */
export const PARTITION_KEYS = 64;
/** Prefix of undecodable records, followed by the eventId. */
export const UNDECODABLE_PREFIX = '\u0000not-json:';

/** Creates the seeded sequence of events. */
export class EventFactory {
  private index = 0;
  private readonly seqByKey = new Map<string, number>();

  constructor(
    private readonly random: Random,
    private readonly seed: number,
    private readonly poisonRate: number,
  ) {}

  /** @param partitionKey - overrides the drawn key (the hot key of `--hot-key-rate`); the draw still happens, so the sequence stays the same */
  next(partitionKey?: string): GameDayEvent {
    this.index++;
    const eventId = `gd-${this.seed}-${this.index}`;
    const drawnKey = `customer-${randomInt(this.random, PARTITION_KEYS)}`;
    partitionKey ??= drawnKey;
    const poisonDraw = this.random();
    const kindDraw = randomInt(this.random, POISON_KINDS.length);
    const occurredAt = new Date().toISOString();
    if (poisonDraw < this.poisonRate) {
      const poison = POISON_KINDS[kindDraw];
      return { eventId, partitionKey, poison, data: poisonData(poison, eventId, partitionKey, occurredAt) };
    }
    const seq = (this.seqByKey.get(partitionKey) ?? 0) + 1;
    this.seqByKey.set(partitionKey, seq);
    const data = JSON.stringify({
      eventId,
      type: 'order.created',
      occurredAt,
      payload: { key: partitionKey, seq, total: randomInt(this.random, 10_000) / 100 },
    });
    return { eventId, partitionKey, seq, data };
  }
}

function poisonData(kind: PoisonKind, eventId: string, key: string, occurredAt: string): string {
  switch (kind) {
    case 'undecodable':
      return `${UNDECODABLE_PREFIX}${eventId}`;
    case 'invalid':
      // No `type`: valid JSON, invalid event.
      return JSON.stringify({ eventId, occurredAt, payload: { key } });
    case 'rejected':
      return JSON.stringify({
        eventId,
        type: 'order.created',
        occurredAt,
        payload: { key, [REJECT_FIELD]: true },
      });
  }
}

/** The eventId inside a record's data, whatever kind of event it is; undefined if there is none. */
export function eventIdOf(data: string): string | undefined {
  if (data.startsWith(UNDECODABLE_PREFIX)) return data.slice(UNDECODABLE_PREFIX.length);
  try {
    const parsed = JSON.parse(data) as { eventId?: unknown };
    return typeof parsed.eventId === 'string' ? parsed.eventId : undefined;
  } catch {
    return undefined;
  }
}
