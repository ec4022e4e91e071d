import {
  METRIC,
  type ConsumerSettings,
  INVOCATION_FINISHING_MARGIN_MILLIS,
  monotonicClock,
  systemClock,
  type Clock,
} from '../../contracts';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import {
  CircuitOpenError,
  keysAtShare,
  RejectionStormError,
  RetryableRecordError,
  shardIdOf,
  type CircuitBreaker,
  type Log,
  type QuarantineStore,
} from '../shared';
import { admissionHold } from './admission-hold';
import { createdOnFirstUse } from './created-on-first-use';
import type { DownstreamAuthorizer } from './downstream-auth';
import { DownstreamClient, type Fetch } from './downstream-client';
import { processInKeyOrder, type RecordFailure } from './ordered-batch';
import { LatencySummary, publishLatencySummary } from './latency-summary';
import { PoisonQueue } from './poison-queue';
import { RecordProcessor, type Invocation } from './record-processor';
import { QuarantineGate, QuarantineQueue } from './quarantine';

/** What a consumer handler needs from outside; built once per process (handler.ts) or per consumer (local mode). */
export interface ConsumerDependencies {
  /**
   * Creates the client that sends to the poison queue and the quarantine queue. Called once, at the
   * first record parked or quarantined (again only if it failed), so an environment that does neither
   * never loads the SQS SDK, and one that does both has one client.
   */
  readonly sqs: () => Promise<SQSClient>;
  /** The breaker protecting this consumer's downstream. */
  readonly breaker: CircuitBreaker;
  readonly logger: Log;
  /** Emits the consumer metrics; must carry exactly the {Stage, Consumer} dimensions (see createConsumerMetrics). */
  readonly metrics: Metrics;
  /** @default - Node's global fetch */
  readonly fetch?: Fetch;
  /** Measures downstream latency. @default - a monotonic clock */
  readonly clock?: Clock;
  /** Waits between two admission requests while the breaker refuses. @default - setTimeout */
  readonly sleep?: (millis: number) => Promise<void>;
  /** Adds `settings.downstreamAuth`'s credential to each call. @default - none */
  readonly authorizer?: DownstreamAuthorizer;
  /**
   * The quarantined-key set; with `settings.quarantine` it turns the per-key quarantine on
   * (docs/architecture.md, "Per-key quarantine"). @default - no quarantine
   */
  readonly quarantineStore?: QuarantineStore;
  /** Epoch milliseconds, for when a key entered quarantine. @default - Date.now */
  readonly wallClock?: Clock;
}

export type ConsumerHandler = (
  event: KinesisStreamEvent,
  context?: Context,
) => Promise<KinesisStreamBatchResponse>;

/**
 * Time kept back at the end of an invocation for the calls already running and the metric flush: no
 * record starts once less than this plus one downstream timeout remains, so the invocation reports a
 * precise retry point instead of timing out (which would retry the whole batch). The config checks the
 * function timeout against it (see INVOCATION_FINISHING_MARGIN_MILLIS).
 */
const FINISHING_MARGIN_MILLIS = INVOCATION_FINISHING_MARGIN_MILLIS;

interface BatchItem {
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly record: KinesisStreamRecord;
}

/**
 * Builds the handler of one consumer: it takes a Kinesis batch exactly as Lambda delivers it and
 * answers with ReportBatchItemFailures.
 *
 * Records of one partition key are processed in order, keys concurrently (up to
 * `settings.maxConcurrentKeys`). Poison is parked in the poison queue and acknowledged; the first
 * retryable failure stops the batch, and the single batch item failure is the lowest sequence number
 * that did not complete, so Lambda retries from there and no record of a key runs after an earlier one
 * failed.
 *
 * @example
 * ```ts
 * const handle = createConsumerHandler(settings, { sqs, breaker, logger, metrics });
 * const { batchItemFailures } = await handle(kinesisEvent, context);
 * ```
 */
export function createConsumerHandler(
  settings: ConsumerSettings,
  deps: ConsumerDependencies,
): ConsumerHandler {
  const { breaker, logger, metrics } = deps;
  // One SQS client for the poison queue and the quarantine queue: each sender would otherwise create its own.
  const sqs = createdOnFirstUse(deps.sqs);
  const processorOptions = {
    consumerName: settings.consumerName,
    maxEventBytes: settings.maxEventBytes,
    breaker,
    log: logger,
    poisonQueue: new PoisonQueue(sqs, settings.poisonQueueUrl),
    downstream: new DownstreamClient({
      url: settings.downstreamUrl,
      timeoutMillis: settings.downstreamTimeoutMillis,
      fetch: deps.fetch ?? globalThis.fetch,
      clock: deps.clock ?? monotonicClock,
      endpointErrorStatuses: settings.endpointErrorStatuses,
      authorizer: deps.authorizer,
    }),
  };
  const reserveMillis = settings.downstreamTimeoutMillis + FINISHING_MARGIN_MILLIS;
  const sleep =
    deps.sleep ?? ((millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis)));
  const quarantine =
    settings.quarantine !== undefined && deps.quarantineStore !== undefined
      ? new QuarantineGate({
          settings: settings.quarantine,
          cacheTtlMillis: settings.breaker.cacheTtlMillis,
          breakerSettings: settings.breaker,
          store: deps.quarantineStore,
          queue: new QuarantineQueue(sqs, settings.quarantine.queueUrl),
          breaker,
          log: logger,
          monotonicClock: deps.clock ?? monotonicClock,
          wallClock: deps.wallClock ?? systemClock,
        })
      : undefined;

  return async (event, context) => {
    const items: BatchItem[] = event.Records.map((record) => ({
      partitionKey: record.kinesis.partitionKey,
      sequenceNumber: record.kinesis.sequenceNumber,
      record,
    }));
    const invocation: Invocation = {
      awsRequestId: context?.awsRequestId,
      functionName: context?.functionName,
    };
    // One processor per invocation: its latencies belong to this batch, even when local mode runs
    // several batches of one consumer in the same process at once.
    const latency = new LatencySummary();
    const processor = new RecordProcessor({
      ...processorOptions,
      onDownstreamLatency: (millis) => latency.add(millis),
    });
    // A refusal by the breaker is waited out inside the invocation (see AdmissionHold).
    const hold = admissionHold(context, {
      reserveMillis,
      pollMillis: settings.breaker.cacheTtlMillis,
      sleep,
    });
    const remainingMillis =
      typeof context?.getRemainingTimeInMillis === 'function'
        ? () => context.getRemainingTimeInMillis()
        : undefined;
    const quarantined = quarantine?.begin({ sleep, remainingMillis, reserveMillis });
    try {
      const result = await processInKeyOrder(
        items,
        {
          // Slow start: after a recovery the breaker admits a growing share of the key concurrency,
          // asked again as records complete so that the batch widens with the ramp, and after an
          // admission the breaker could not answer from memory (a fresh instance's first read may
          // widen it at once).
          maxConcurrentKeys: () => keysAtShare(settings.maxConcurrentKeys, breaker.concurrencyShare()),
          // Local mode may pass a partial context; without a clock of its own there is no deadline.
          mayStart:
            typeof context?.getRemainingTimeInMillis === 'function'
              ? () => context.getRemainingTimeInMillis() > reserveMillis
              : undefined,
        },
        ({ record }, reconsider) =>
          quarantined === undefined
            ? processor.process(record, invocation, hold, reconsider)
            : quarantined.process(record, () => processor.process(record, invocation, hold, reconsider)),
      );
      const { tally } = processor;
      result.failures.forEach((failure) => logFailure(logger, failure));
      const retried = countFrom(items, result.retryFrom);
      metrics.addMetric(METRIC.recordsProcessed, MetricUnit.Count, tally.delivered);
      metrics.addMetric(METRIC.recordsPoisoned, MetricUnit.Count, tally.poisoned);
      metrics.addMetric(METRIC.recordsRetried, MetricUnit.Count, retried);
      if (quarantined !== undefined) {
        metrics.addMetric(METRIC.recordsQuarantined, MetricUnit.Count, quarantined.tally.quarantined);
        metrics.addMetric(METRIC.quarantineFull, MetricUnit.Count, quarantined.tally.setFull);
      }
      publishLatencySummary(metrics, latency.summarize());
      logger.info('batch done', {
        shardId: items.length > 0 ? shardIdOf(items[0].record.eventID) : undefined,
        records: items.length,
        delivered: tally.delivered,
        poisoned: tally.poisoned,
        ...(quarantined && { quarantined: quarantined.tally.quarantined }),
        notStarted: result.notStarted,
        retryFrom: result.retryFrom,
        retried,
      });
      return {
        batchItemFailures: result.retryFrom === undefined ? [] : [{ itemIdentifier: result.retryFrom }],
      };
    } finally {
      await quarantined?.finish();
      await flushBreaker(breaker, logger);
      metrics.publishStoredMetrics();
    }
  };
}

/** Records Lambda will deliver again: every one at or after the reported sequence number. */
function countFrom(items: readonly BatchItem[], retryFrom: string | undefined): number {
  if (retryFrom === undefined) return 0;
  const from = BigInt(retryFrom);
  return items.filter((item) => BigInt(item.sequenceNumber) >= from).length;
}

function logFailure(logger: Log, { record, error }: RecordFailure<BatchItem>): void {
  const where = { sequenceNumber: record.sequenceNumber, partitionKey: record.partitionKey };
  if (error instanceof CircuitOpenError) {
    logger.warn('breaker not admitting calls; batch stopped', { ...where, breaker: error.breakerName });
  } else if (error instanceof RejectionStormError) {
    logger.warn('rejection storm: rejected record kept in the stream, not parked; batch stopped', {
      ...where,
      breaker: error.breakerName,
      rejection: error.rejection,
    });
  } else if (error instanceof RetryableRecordError) {
    logger.warn('retryable failure; batch stopped', { ...where, error: error.message });
  } else {
    // Not a classified failure: a bug or an unexpected dependency error. Retrying is the safe answer.
    const detail = error instanceof Error ? error.stack : String(error);
    logger.error('unexpected error; batch stopped', { ...where, error: detail });
  }
}

/** A failing flush loses breaker counts, not records: it must not fail a batch whose records are settled. */
async function flushBreaker(breaker: CircuitBreaker, logger: Log): Promise<void> {
  try {
    await breaker.flush();
  } catch (error) {
    logger.error('breaker flush failed', { breaker: breaker.name, error: String(error) });
  }
}
