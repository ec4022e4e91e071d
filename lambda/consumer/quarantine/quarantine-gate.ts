import { randomUUID } from 'node:crypto';
import type { KinesisStreamRecord } from 'aws-lambda';
import {
  AWS_CLIENT_TIMEOUTS,
  worstCaseCallMillis,
  type BreakerSettings,
  type Clock,
  type QuarantineSettings,
} from '../../../contracts';
import {
  DownstreamUnavailableError,
  QuarantineStoreError,
  quarantineSendFor,
  RetryableRecordError,
  shardIdOf,
  type CircuitBreaker,
  type Log,
  type QuarantineStore,
} from '../../shared';
import type { RecordDisposition } from '../record-processor';
import { KeyEvidence } from './key-evidence';
import type { QuarantineSender } from './quarantine-queue';
import { QuarantineSetView } from './set-view';

/** How a record ended in a consumer with quarantine: as without it, or moved to the quarantine queue. */
export type GatedDisposition = RecordDisposition | 'quarantined';

export interface QuarantineGateOptions {
  readonly settings: QuarantineSettings;
  /** The breaker's read-cache TTL: how long a view of the set is trusted, and the entering fence. */
  readonly cacheTtlMillis: number;
  /**
   * The breaker's tuning the key-specific rule derives from (key-evidence.ts): the failure rate the
   * other keys must stay well below.
   */
  readonly breakerSettings: Pick<BreakerSettings, 'failureRateThreshold'>;
  readonly store: QuarantineStore;
  readonly queue: QuarantineSender;
  readonly breaker: CircuitBreaker;
  readonly log: Log;
  /** Durations in this process: the view's age, the fence. */
  readonly monotonicClock: Clock;
  /** Epoch milliseconds: when a key entered quarantine, shared with operators and alarms. */
  readonly wallClock: Clock;
  /** @default - randomUUID */
  readonly newEpoch?: () => string;
}

export interface QuarantineBatchOptions {
  readonly sleep: (millis: number) => Promise<void>;
  /** Time left in the invocation. @default - no deadline (a partial local context) */
  readonly remainingMillis?: () => number;
  /** Time that must remain after one more downstream call: the call and the finishing margin. */
  readonly reserveMillis: number;
}

/** The largest epoch and ticket a message can carry: a record's size is judged before its ticket exists. */
const WIDEST_EPOCH = 'f'.repeat(randomUUID().length);
const WIDEST_TICKET = Number.MAX_SAFE_INTEGER;
/**
 * The longest one write to the set can take (the consumer's DynamoDB client, retries included): a write
 * whose answer is lost may have committed, and the fence after it must still fit before the deadline
 * (docs/architecture.md, "Per-key quarantine", step 5), so none starts without this and the fence left.
 */
const STORE_WRITE_MILLIS = worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore);
/** The ticket of an epoch's first record: the one whose send needs the fence. */
const FIRST_TICKET = 1;

/**
 * The per-key quarantine of one consumer (docs/architecture.md, "Per-key quarantine"): its view of the
 * set, shared by its invocations. Each invocation takes a {@link QuarantineBatch}.
 */
export class QuarantineGate {
  readonly view: QuarantineSetView;

  constructor(readonly options: QuarantineGateOptions) {
    this.view = new QuarantineSetView(options.store, options.cacheTtlMillis, options.monotonicClock);
  }

  begin(batch: QuarantineBatchOptions): QuarantineBatch {
    return new QuarantineBatch(this, batch);
  }
}

/**
 * One invocation's side of the quarantine: each record goes through {@link process}, and
 * {@link finish} runs before the invocation returns (the fence after a key entered).
 */
export class QuarantineBatch {
  /**
   * Records placed in the queue, keys that entered, keys refused because the set was full, and keys
   * refused because the other keys' calls failed too (an outage: the breaker's job).
   */
  readonly tally = { quarantined: 0, keysEntered: 0, setFull: 0, notKeySpecific: 0 };
  /** This invocation's recent downstream calls: whether a key's failures are its own. */
  private readonly evidence: KeyEvidence;
  /**
   * When the fence ends, on the monotonic clock: `cacheTtlMillis` after the latest entry commit whose
   * key's first record this invocation sent to the queue.
   */
  private fenceUntil: number | undefined;

  constructor(
    private readonly gate: QuarantineGate,
    private readonly batch: QuarantineBatchOptions,
  ) {
    this.evidence = new KeyEvidence(gate.options.breakerSettings);
  }

  /**
   * A record of a quarantined key is appended to the quarantine; any other is `attempt`ed, again in
   * place while the downstream fails it retryably, and its key quarantined after `failedAttempts` if
   * the other keys' calls of this invocation say the failures are the key's own (key-evidence.ts).
   *
   * @param attempt - one delivery of the record (RecordProcessor.process)
   * @throws {RetryableRecordError} as `attempt` does, when the record must be retried: the set could
   *   not be read, the key could not be quarantined (an outage, a full set, no time left), or the queue
   *   refused it
   */
  async process(
    record: KinesisStreamRecord,
    attempt: () => Promise<RecordDisposition>,
  ): Promise<GatedDisposition> {
    const { settings } = this.gate.options;
    const key = record.kinesis.partitionKey;
    const set = this.gate.view.current() ?? (await this.readSet(record));
    if (set.has(key) && (await this.append(record))) return 'quarantined';

    for (let failed = 1; ; failed++) {
      this.evidence.began(key);
      try {
        const disposition = await attempt();
        // Delivered is the evidence that counts; a poisoned record may never have reached the downstream.
        if (disposition === 'delivered') this.evidence.add(key, false);
        return disposition;
      } catch (error) {
        if (!(error instanceof DownstreamUnavailableError)) throw error;
        this.evidence.add(key, true);
        if (failed >= settings.failedAttempts) {
          if (await this.quarantine(record, error)) return 'quarantined';
          throw error;
        }
        if (!this.timeLeftFor(settings.retryPauseMillis)) throw error;
        await this.batch.sleep(settings.retryPauseMillis);
      }
    }
  }

  /**
   * The fence: an invocation that put a key in the set returns no sooner than `cacheTtlMillis` after
   * that commit, so any view the key's next batch is judged by was read after it.
   */
  async finish(): Promise<void> {
    if (this.fenceUntil === undefined) return;
    const wait = this.fenceUntil - this.gate.options.monotonicClock.now();
    if (wait > 0) await this.batch.sleep(wait);
  }

  private async readSet(record: KinesisStreamRecord) {
    try {
      return await this.gate.view.fresh();
    } catch (error) {
      throw new RetryableRecordError(
        `quarantine set could not be read, so the record cannot be known to be free to deliver; it will be retried (${String(error)})`,
        record.kinesis,
        { cause: error },
      );
    }
  }

  /**
   * Enters the record's key when the breaker admits regular calls (no outage, no storm), the other keys'
   * calls are not failing too (an outage the breaker has not judged yet), and there is time.
   */
  private async quarantine(
    record: KinesisStreamRecord,
    failure: DownstreamUnavailableError,
  ): Promise<boolean> {
    const { breaker, store, settings, log, wallClock, monotonicClock, cacheTtlMillis } = this.gate.options;
    const key = record.kinesis.partitionKey;
    // The failed call was admitted as a regular call (not a probe); a cache that expired during it
    // (a timeout outlasts the TTL) is no refusal, but a refusal the breaker knows of now is.
    const admission = breaker.admitNow?.();
    if (failure.probe || admission?.admitted === false || breaker.inRejectionStorm()) return false;
    if (!this.evidence.isKeySpecific(key)) {
      // The key holds its shard and its failures reach the breaker, as without quarantine.
      this.tally.notKeySpecific++;
      log.warn('key not quarantined: other keys fail too or none was delivered; the breaker judges it', {
        partitionKey: key,
        sequenceNumber: record.kinesis.sequenceNumber,
      });
      return false;
    }
    // The enter and the first append, each of which may lose its answer, and the fence.
    if (!this.timeLeftFor(2 * STORE_WRITE_MILLIS + cacheTtlMillis)) return false;
    if (!fitsQueue(record)) {
      log.warn('record too large for the quarantine queue; its key holds its shard', {
        partitionKey: key,
        sequenceNumber: record.kinesis.sequenceNumber,
      });
      return false;
    }
    const stay = { epoch: (this.gate.options.newEpoch ?? randomUUID)(), since: wallClock.now() };
    let enteredAt: number | undefined;
    try {
      const entered = await store.enter(key, stay, settings.maxKeys);
      if (entered === 'full') {
        this.tally.setFull++;
        log.warn('quarantine set full; the key holds its shard', {
          partitionKey: key,
          sequenceNumber: record.kinesis.sequenceNumber,
          maxKeys: settings.maxKeys,
        });
        return false;
      }
      if (entered === 'entered') {
        // An upper bound of the commit: the fence measured from here covers it.
        enteredAt = monotonicClock.now();
        this.tally.keysEntered++;
        this.gate.view.note(key, { ...stay, enqueued: 0, delivered: 0, shard: '', lastSeq: '' });
        log.warn('key quarantined', {
          partitionKey: key,
          sequenceNumber: record.kinesis.sequenceNumber,
          error: failure.message,
        });
      }
    } catch (error) {
      if (!(error instanceof QuarantineStoreError)) throw error;
      this.afterUncertainWrite();
      log.error('key could not be quarantined; the batch stops', { partitionKey: key, error: error.message });
      return false;
    }
    if (enteredAt !== undefined && !this.timeLeftFor(STORE_WRITE_MILLIS + cacheTtlMillis)) {
      // The record would be ticket 1, whose send needs the fence: with no time for it, take the key out
      // again (nothing appended, so the release's condition holds) rather than append a ticket that no
      // message would carry if the retry, on a view read before the enter, delivered the record directly.
      await this.abandonEntry(key, stay.epoch, record);
      throw new RetryableRecordError(
        'no time left for the quarantine fence before the function times out; the key is not quarantined and the record will be retried',
        record.kinesis,
      );
    }
    return this.append(record, enteredAt);
  }

  /** Best effort: an entry left behind is the documented corner (entered, nothing appended). */
  private async abandonEntry(key: string, epoch: string, record: KinesisStreamRecord): Promise<void> {
    try {
      if (await this.gate.options.store.release(key, epoch)) this.gate.view.note(key, undefined);
    } catch (error) {
      this.gate.options.log.warn('quarantine entry not taken back; it stays with nothing to drain', {
        partitionKey: key,
        sequenceNumber: record.kinesis.sequenceNumber,
        error: String(error),
      });
    }
  }

  /**
   * Appends a record of a key in the set and sends it to the queue.
   *
   * The first record of an epoch (ticket 1) is sent only if the fence still fits before the function's
   * timeout: an enter or append slowed by store retries may have eaten the time left, and a fence cut
   * short by Lambda's timeout would let the key's next batch run on a view read before the key entered
   * (docs/architecture.md, "Per-key quarantine"). Unsent, nothing of the key is in the queue, so a stale
   * view that delivers its records directly delivers them in order; the batch is retried from this
   * record, which is then resent under the same ticket, and that invocation fences.
   *
   * @param enteredAt - when this invocation's enter of the key committed, if it entered it
   * @returns false when the key has left the set: the record is then delivered directly
   */
  private async append(record: KinesisStreamRecord, enteredAt?: number): Promise<boolean> {
    const { store, queue, monotonicClock, cacheTtlMillis } = this.gate.options;
    const position = record.kinesis;
    const key = position.partitionKey;
    if (!fitsQueue(record)) {
      throw new RetryableRecordError(
        'record too large for the quarantine queue while its key is quarantined; it waits until the key is released',
        position,
      );
    }
    // After an enter, quarantine() made the same check just before (and takes the key back out if it fails).
    if (enteredAt === undefined && !this.timeLeftFor(STORE_WRITE_MILLIS + cacheTtlMillis)) {
      throw new RetryableRecordError(
        'no time left for a quarantine append and the fence after it before the function times out; the record will be retried',
        position,
      );
    }
    let result;
    try {
      result = await store.append(key, {
        shard: shardIdOf(record.eventID),
        sequenceNumber: position.sequenceNumber,
      });
    } catch (error) {
      this.afterUncertainWrite();
      throw new RetryableRecordError(
        `record of a quarantined key could not be appended (${String(error)})`,
        position,
        {
          cause: error,
        },
      );
    }
    if (result.kind === 'absent') {
      this.gate.view.note(key, undefined);
      return false;
    }
    // This instance now knows the key is in the set, whatever its view said: a later record of the key
    // in this batch must follow it into the queue.
    this.gate.view.note(key, {
      epoch: result.kind === 'sent-before' ? '' : result.epoch,
      since: this.gate.options.wallClock.now(),
      enqueued: result.kind === 'sent-before' ? 0 : result.ticket,
      delivered: 0,
      shard: shardIdOf(record.eventID),
      lastSeq: position.sequenceNumber,
    });
    if (result.kind !== 'sent-before') {
      if (result.ticket === FIRST_TICKET) {
        // Without our own enter, the append committed after the enter it follows: fence from now.
        const fenceUntil = (enteredAt ?? monotonicClock.now()) + cacheTtlMillis;
        if (!this.timeLeftFor(fenceUntil - monotonicClock.now())) {
          throw new RetryableRecordError(
            'no time left for the quarantine fence before the function times out; the first record of the quarantined key is not sent and will be retried',
            position,
          );
        }
        // Before the send: a send whose answer is lost may still have put the record in the queue.
        this.fenceUntil = Math.max(this.fenceUntil ?? fenceUntil, fenceUntil);
      }
      const send = quarantineSendFor({
        partitionKey: key,
        epoch: result.epoch,
        ticket: result.ticket,
        record,
      });
      // fitsQueue judged the widest epoch and ticket: a body that does not fit now is a bug.
      if (send === undefined) throw new RetryableRecordError('quarantine message does not fit', position);
      await queue.send(send, position);
    }
    this.tally.quarantined++;
    return true;
  }

  /**
   * An enter or append that failed without an answer may have committed (a DynamoDB call that timed out
   * after the write landed). The retry must not judge the key by a view read before it, on this instance
   * or another: this instance drops its view, and the invocation fences as after an enter, so any view
   * the key's next batch uses was read after the write (docs/architecture.md, "Per-key quarantine"). The
   * retry then finds the key, and the ticket, and resends it. Without time for the fence only the
   * instance's own view is dropped.
   */
  private afterUncertainWrite(): void {
    const { monotonicClock, cacheTtlMillis } = this.gate.options;
    this.gate.view.forget();
    if (!this.timeLeftFor(cacheTtlMillis)) return;
    const until = monotonicClock.now() + cacheTtlMillis;
    this.fenceUntil = Math.max(this.fenceUntil ?? until, until);
  }

  private timeLeftFor(millis: number): boolean {
    const remaining = this.batch.remainingMillis;
    return remaining === undefined || remaining() > this.batch.reserveMillis + millis;
  }
}

/** Whether the record, with the widest epoch and ticket, fits one SQS message. */
function fitsQueue(record: KinesisStreamRecord): boolean {
  const widest = {
    partitionKey: record.kinesis.partitionKey,
    epoch: WIDEST_EPOCH,
    ticket: WIDEST_TICKET,
    record,
  };
  return quarantineSendFor(widest) !== undefined;
}
