import { METRIC, monotonicClock, type ConsumerSettings } from '../../../contracts';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  decodeQuarantineMessage,
  parkedPoisonReason,
  type CircuitBreaker,
  type Log,
  type QuarantineEntry,
  type QuarantineStore,
} from '../../shared';
import type { DownstreamAuthorizer } from '../downstream-auth';
import { DownstreamClient, type Fetch } from '../downstream-client';
import { PoisonQueue } from '../poison-queue';
import { RecordProcessor, type Invocation } from '../record-processor';

/** What the drainer needs from outside: the consumer's breaker, downstream and poison queue, and the set. */
export interface DrainerDependencies {
  readonly store: QuarantineStore;
  /** The consumer's breaker: the drainer's calls count and are refused with the consumer's. */
  readonly breaker: CircuitBreaker;
  /** Creates the poison queue's SQS client, at the first poison record. */
  readonly sqs: () => Promise<SQSClient>;
  readonly logger: Log;
  readonly metrics: Metrics;
  /** @default - Node's global fetch */
  readonly fetch?: Fetch;
  /** The consumer's downstream credential. @default - none */
  readonly authorizer?: DownstreamAuthorizer;
}

export type DrainerHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** What happened to one quarantined message. */
type Drained = 'delivered' | 'poisoned' | 'done-before';

/**
 * The quarantine drainer of one consumer (docs/architecture.md, "Per-key quarantine", steps 3 and 4):
 * it takes the consumer's FIFO quarantine queue through its own event source mapping, delivers each
 * key's records in order through the consumer's breaker, Idempotency-Key and downstream
 * authentication, parks poison, and releases a key once every appended record is delivered. A key an
 * operator parked has its records parked as poison with the operator's reason, in order, instead.
 *
 * A message that fails (the key still failing, the breaker refusing, a store error) is reported with
 * every later message of its group, so the group waits in order for the queue's visibility timeout;
 * other groups go on. One strongly consistent read of the set per batch: only the drainer and an
 * operator take a key out, and an epoch only grows `enqueued`, so an older read can only make a
 * release be tried in vain; a park is seen from the next batch on.
 */
export function createDrainerHandler(settings: ConsumerSettings, deps: DrainerDependencies): DrainerHandler {
  const { store, logger, metrics } = deps;
  const processorOptions = {
    consumerName: settings.consumerName,
    maxEventBytes: settings.maxEventBytes,
    breaker: deps.breaker,
    log: logger,
    poisonQueue: new PoisonQueue(deps.sqs, settings.poisonQueueUrl),
    downstream: new DownstreamClient({
      url: settings.downstreamUrl,
      timeoutMillis: settings.downstreamTimeoutMillis,
      fetch: deps.fetch ?? globalThis.fetch,
      clock: monotonicClock,
      endpointErrorStatuses: settings.endpointErrorStatuses,
      authorizer: deps.authorizer,
    }),
  };

  return async (event, context) => {
    const processor = new RecordProcessor({ ...processorOptions, onDownstreamLatency: () => undefined });
    const invocation: Invocation = {
      awsRequestId: context?.awsRequestId,
      functionName: context?.functionName,
    };
    const failures: string[] = [];
    const tally = { delivered: 0, poisoned: 0, doneBefore: 0, released: 0 };
    try {
      let set: Map<string, QuarantineEntry>;
      try {
        set = new Map(await store.read());
      } catch (error) {
        logger.error('quarantine set could not be read; the batch is retried', { error: String(error) });
        return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
      }

      const drainOne = async (message: SQSRecord): Promise<Drained> => {
        const { partitionKey: key, epoch, ticket, record } = decodeQuarantineMessage(message.body);
        const entry = set.get(key);
        if (entry === undefined || entry.epoch !== epoch) return 'done-before'; // its epoch was released
        let drained: Drained = 'done-before';
        if (entry.delivered < ticket) {
          // A parked key's records go to the poison queue in their turn, the downstream not called;
          // the ticket counts as delivered only once SQS confirmed (park throws otherwise).
          drained =
            entry.parked === undefined
              ? await processor.process(record, invocation)
              : await processor.park(record, parkedPoisonReason(entry.parked), invocation);
          await store.markDelivered(key, epoch, ticket);
          set.set(key, { ...entry, delivered: ticket });
        }
        if (ticket >= entry.enqueued && (await store.release(key, epoch))) {
          set.delete(key);
          tally.released++;
          logger.info('key released from quarantine', { partitionKey: key, epoch, records: ticket });
        }
        return drained;
      };

      await Promise.all(
        groupsOf(event.Records).map(async (group) => {
          for (let index = 0; index < group.length; index++) {
            try {
              const drained = await drainOne(group[index]);
              if (drained === 'done-before') tally.doneBefore++;
              else tally[drained]++;
            } catch (error) {
              logger.warn('quarantined record not drained; its key waits', {
                messageId: group[index].messageId,
                error: error instanceof Error ? error.message : String(error),
              });
              failures.push(...group.slice(index).map((message) => message.messageId));
              return;
            }
          }
        }),
      );
      metrics.addMetric(METRIC.recordsProcessed, MetricUnit.Count, tally.delivered);
      metrics.addMetric(METRIC.recordsPoisoned, MetricUnit.Count, tally.poisoned);
      logger.info('quarantine batch done', {
        messages: event.Records.length,
        failed: failures.length,
        ...tally,
      });
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    } finally {
      try {
        await deps.breaker.flush();
      } catch (error) {
        logger.error('breaker flush failed', { breaker: deps.breaker.name, error: String(error) });
      }
      metrics.publishStoredMetrics();
    }
  };
}

/** Messages by message group, each in delivery order (a FIFO batch keeps a group's order). */
function groupsOf(records: readonly SQSRecord[]): SQSRecord[][] {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? '';
    const list = groups.get(group);
    if (list) list.push(record);
    else groups.set(group, [record]);
  }
  return [...groups.values()];
}
