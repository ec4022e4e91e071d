import type { KinesisStreamRecord } from 'aws-lambda';
import {
  buildPoisonMessage,
  CircuitOpenError,
  decodeRecord,
  DownstreamUnavailableError,
  PoisonRecordError,
  RejectionStormError,
  type CircuitBreaker,
  type Log,
  type PoisonOrigin,
} from '../shared';
import type { CallOutcome } from '../shared';
import { NO_HOLD, type AdmissionHold } from './admission-hold';
import type { DownstreamClient, DownstreamOutcome } from './downstream-client';
import type { PoisonQueue } from './poison-queue';

const BREAKER_OUTCOME = {
  delivered: 'success',
  rejected: 'rejection',
  unavailable: 'failure',
} as const satisfies Record<DownstreamOutcome['kind'], CallOutcome>;

/** How a record ended when it did not have to be retried. */
export type RecordDisposition = 'delivered' | 'poisoned';

/** The invocation a record is processed in, written into poison messages. */
export type Invocation = Omit<PoisonOrigin, 'consumer' | 'poisonedAt'>;

export interface RecordProcessorOptions {
  readonly consumerName: string;
  readonly maxEventBytes: number;
  readonly downstream: DownstreamClient;
  readonly breaker: CircuitBreaker;
  readonly poisonQueue: PoisonQueue;
  readonly log: Log;
  /** Called with the latency of every downstream call, whatever its outcome. */
  readonly onDownstreamLatency: (millis: number) => void;
}

/**
 * The failure policy for one record: decode it, call the downstream through the breaker, and park
 * poison in the poison queue.
 *
 * Breaker outcomes: a 2xx is a success and a retryable failure (5xx, 408, 429, an endpoint error status
 * such as 401/403/404, timeout, network) is a failure. A poison rejection (another 4xx) is a
 * `rejection`: a success for the failure rate (a burst of bad events must not open the breaker for the
 * good ones), counted by the rejection storm guard. While the breaker reports a rejection storm, a
 * rejected record is not parked but retried ({@link RejectionStormError}): when nearly everything is
 * rejected, the downstream is what is wrong. Records that fail decoding, or whose request cannot be
 * built (an eventId with no header value), never reach the breaker, so they cannot take a HALF_OPEN
 * probe, count as a downstream failure or feed the storm guard.
 */
export class RecordProcessor {
  constructor(private readonly options: RecordProcessorOptions) {}

  /** Records this processor delivered, and parked as poison. */
  readonly tally = { delivered: 0, poisoned: 0 };

  /**
   * @returns `delivered` once the downstream took the event, `poisoned` once SQS confirmed the poison
   *   message (each also counted in {@link tally})
   * @param hold - how long a refusal by the breaker is waited out before it is reported
   * @param onAdmittedByStore - called before the call when the admission was not answered from memory:
   *   the breaker may have read its item, and with it a new concurrency share (a fresh instance's first read)
   * @throws {CircuitOpenError} when the breaker did not admit the call until the hold ended (the
   *   downstream is not called)
   * @throws {DownstreamUnavailableError} when the downstream failed retryably (a {@link RetryableRecordError})
   * @throws {RetryableRecordError} when SQS refused the poison message
   * @throws {RejectionStormError} when the downstream rejected it during a rejection storm
   */
  async process(
    record: KinesisStreamRecord,
    invocation: Invocation,
    hold: AdmissionHold = NO_HOLD,
    onAdmittedByStore?: () => void,
  ): Promise<RecordDisposition> {
    // One async function per record, the delivery inlined: each await of a nested async function
    // costs a promise and a turn of the microtask queue, a measurable share of the per-record CPU.
    let poison: PoisonRecordError;
    try {
      const { breaker, downstream, onDownstreamLatency, maxEventBytes } = this.options;
      const position = record.kinesis;
      const decoded = decodeRecord(position, maxEventBytes);
      // Built before the breaker is asked: a record whose request cannot be built is poison, takes no
      // call slot or probe, and gives the breaker no outcome (the downstream was never reached).
      const preparation = downstream.prepare(decoded.event.eventId, decoded.json);
      if (preparation.kind === 'unsendable') {
        throw new PoisonRecordError(`record is poison: ${preparation.reason}`, position, preparation.reason);
      }
      // The breaker's in-memory answers, when it has them, spare a promise and a microtask per record.
      let admission = breaker.admitNow?.();
      const fromMemory = admission !== undefined;
      admission ??= await breaker.admit();
      while (!admission.admitted && hold.mayWait()) {
        await hold.pause();
        admission = await breaker.admit();
      }
      if (!admission.admitted) throw new CircuitOpenError(breaker.name, position);
      if (!fromMemory) onAdmittedByStore?.();

      const outcome = await downstream.send(preparation.post);
      onDownstreamLatency(outcome.latencyMillis);
      const breakerOutcome = BREAKER_OUTCOME[outcome.kind];
      // The key: a rejection storm is judged by how many keys its rejections spread over.
      const key = position.partitionKey;
      if (breaker.recordNow?.(admission, breakerOutcome, key) !== true)
        await breaker.record(admission, breakerOutcome, key);

      if (outcome.kind === 'delivered') {
        this.tally.delivered++;
        return 'delivered';
      }
      if (outcome.kind === 'unavailable') {
        throw new DownstreamUnavailableError(
          `downstream call failed, the record will be retried: ${outcome.reason}`,
          position,
          { cause: outcome.cause, probe: admission.probe },
        );
      }
      if (breaker.inRejectionStorm(key))
        throw new RejectionStormError(breaker.name, position, outcome.reason);
      poison = new PoisonRecordError(`record is poison: ${outcome.reason}`, position, outcome.reason);
    } catch (error) {
      if (!(error instanceof PoisonRecordError)) throw error;
      poison = error;
    }
    await this.poison(record, poison, invocation);
    this.tally.poisoned++;
    return 'poisoned';
  }

  /**
   * Sends the record to the poison queue with `reason` without calling the downstream or asking the
   * breaker: an operator parked its key (docs/architecture.md, "Parking a key"). Counted as poisoned.
   * @throws {RetryableRecordError} when SQS refused the poison message: the record is not acknowledged
   */
  async park(record: KinesisStreamRecord, reason: string, invocation: Invocation): Promise<'poisoned'> {
    await this.poison(
      record,
      new PoisonRecordError(`record is parked: ${reason}`, record.kinesis, reason),
      invocation,
    );
    this.tally.poisoned++;
    return 'poisoned';
  }

  private async poison(
    record: KinesisStreamRecord,
    error: PoisonRecordError,
    invocation: Invocation,
  ): Promise<void> {
    const { consumerName, poisonQueue, log } = this.options;
    const message = buildPoisonMessage(record, error.reason, {
      consumer: consumerName,
      poisonedAt: new Date().toISOString(),
      ...invocation,
    });
    await poisonQueue.send(message, record.kinesis);
    log.warn('record poisoned', {
      reason: error.reason,
      sequenceNumber: message.sequenceNumber,
      partitionKey: message.partitionKey,
      shardId: message.shardId,
    });
  }
}
