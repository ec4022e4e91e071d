import type { GameDayEvent } from './events';

/** Where the stream stored an event. */
export interface StreamPosition {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

export interface LedgerEntry {
  readonly event: GameDayEvent;
  /** Set once the stream accepted the record. */
  position?: StreamPosition;
  /** When the producer learnt the stream accepted it (epoch milliseconds). */
  storedAtMillis?: number;
  /** Set when the producer gave up on the record (it never entered the stream). */
  producerFailure?: string;
}

/** Every event the producer handed over, and what became of it on the way into the stream. */
export class Ledger {
  private readonly entries = new Map<string, LedgerEntry>();
  private storedCount = 0;
  private failedCount = 0;

  add(event: GameDayEvent): LedgerEntry {
    const entry: LedgerEntry = { event };
    this.entries.set(event.eventId, entry);
    return entry;
  }

  get(eventId: string): LedgerEntry | undefined {
    return this.entries.get(eventId);
  }

  stored(entry: LedgerEntry, position: StreamPosition, atMillis: number = Date.now()): void {
    entry.position = position;
    entry.storedAtMillis = atMillis;
    this.storedCount++;
  }

  failed(entry: LedgerEntry, reason: string): void {
    entry.producerFailure = reason;
    this.failedCount++;
  }

  /** Events the stream accepted: the ones the no-loss invariant is about. */
  inStream(): LedgerEntry[] {
    return [...this.entries.values()].filter((e) => e.position !== undefined);
  }

  get handedOver(): number {
    return this.entries.size;
  }

  /** Records in the stream. */
  get sent(): number {
    return this.storedCount;
  }

  /** Records the producer gave up on and reported. */
  get producerFailures(): number {
    return this.failedCount;
  }
}
