import { paddedSequenceNumber, type QuarantineEntry, type QuarantineSet } from './set';
import type { AppendResult, EnterResult, MarkResult, QuarantineStore } from './store';

/**
 * The set in process memory, with the same conditions as the DynamoDB store: the hand-over model test
 * runs the consumer and the drainer against it, and the store contract test holds both to the same answers.
 */
export class MemoryQuarantineStore implements QuarantineStore {
  private readonly entries = new Map<string, QuarantineEntry>();

  read(): Promise<QuarantineSet> {
    return Promise.resolve(new Map(this.entries));
  }

  enter(key: string, stay: { epoch: string; since: number }, maxKeys: number): Promise<EnterResult> {
    if (this.entries.has(key)) return Promise.resolve('present');
    if (this.entries.size >= maxKeys) return Promise.resolve('full');
    this.entries.set(key, { ...stay, enqueued: 0, delivered: 0, shard: '', lastSeq: '' });
    return Promise.resolve('entered');
  }

  append(key: string, position: { shard: string; sequenceNumber: string }): Promise<AppendResult> {
    const entry = this.entries.get(key);
    if (entry === undefined) return Promise.resolve({ kind: 'absent' });
    const seq = paddedSequenceNumber(position.sequenceNumber);
    if (entry.shard === position.shard && entry.lastSeq >= seq) {
      return Promise.resolve(
        entry.lastSeq === seq
          ? { kind: 'resend', epoch: entry.epoch, ticket: entry.enqueued }
          : { kind: 'sent-before' },
      );
    }
    const ticket = entry.enqueued + 1;
    this.entries.set(key, { ...entry, enqueued: ticket, shard: position.shard, lastSeq: seq });
    return Promise.resolve({ kind: 'appended', epoch: entry.epoch, ticket });
  }

  markDelivered(key: string, epoch: string, ticket: number): Promise<MarkResult> {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.epoch !== epoch) return Promise.resolve('stale');
    if (entry.delivered >= ticket) return Promise.resolve('already');
    this.entries.set(key, { ...entry, delivered: ticket });
    return Promise.resolve('marked');
  }

  release(key: string, epoch: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.epoch !== epoch || entry.delivered !== entry.enqueued) {
      return Promise.resolve(false);
    }
    this.entries.delete(key);
    return Promise.resolve(true);
  }

  park(key: string, epoch: string, reason: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.epoch !== epoch) return Promise.resolve(false);
    this.entries.set(key, { ...entry, parked: reason });
    return Promise.resolve(true);
  }

  forceRemove(key: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(key));
  }
}
