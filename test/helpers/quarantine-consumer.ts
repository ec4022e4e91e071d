import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamRecord } from 'aws-lambda';
import { BASE_DEFAULTS, type ConsumerSettings } from '../../contracts';
import { createConsumerHandler, type Fetch } from '../../lambda/consumer';
import { createConsumerMetrics, type Admission, type MemoryQuarantineStore } from '../../lambda/shared';
import { FakeBreaker } from './fake-breaker';
import type { FakeClock } from './fake-clock';
import { kinesisBatch, kinesisEvent, kinesisRecord, pipelineEvent, sequenceNumberAt } from './kinesis-events';
import { RecordingLog } from './recording-log';

/**
 * A consumer with quarantine on, in memory, for the unit tests of the quarantine hand-over: one breaker
 * that admits every call, a set the test supplies, and a fake clock that the consumer's sleeps advance.
 */

/** The view's `cacheTtlMillis`: how long a read of the set is trusted. */
export const QUARANTINE_TTL = 1_000;

export const QUARANTINE_SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 1_000,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders',
  breaker: { ...BASE_DEFAULTS.breaker, cacheTtlMillis: QUARANTINE_TTL },
  maxConcurrentKeys: 4,
  maxEventBytes: 4_096,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: [401, 403, 404, 405, 407],
  downstreamAuth: { type: 'none' },
  quarantine: {
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-quarantine.fifo',
    failedAttempts: 3,
    retryPauseMillis: 100,
    maxKeys: 10,
  },
};

/** Quarantine on at the default settings (the breaker's and the quarantine's). */
export const DEFAULT_QUARANTINE_SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: BASE_DEFAULTS.consumer.downstreamTimeoutMillis,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders',
  breaker: BASE_DEFAULTS.breaker,
  maxConcurrentKeys: BASE_DEFAULTS.consumer.maxConcurrentKeys,
  maxEventBytes: 16_384,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: BASE_DEFAULTS.consumer.endpointErrorStatuses,
  downstreamAuth: { type: 'none' },
  quarantine: {
    ...BASE_DEFAULTS.consumer.quarantine,
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-quarantine.fifo',
  },
};

/** A breaker that admits every regular call (never a probe). */
export class AdmittingBreaker extends FakeBreaker {
  admitNow(): Admission | undefined {
    return { admitted: true, probe: false };
  }
}

/** Consumer metrics that publish nothing. */
export function quietMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return createConsumerMetrics({ namespace: 'Pipeline', stage: 'dev', consumerName: 'orders' });
  } finally {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
}

/** A Kinesis batch of one record per id (`KEY#n`, partitioned by KEY), numbered from sequence 0. */
export function batchOf(ids: readonly string[]) {
  const event = kinesisBatch(
    ids.map((id) => {
      const key = id.split('#')[0];
      return { partitionKey: key, data: pipelineEvent({ eventId: id, payload: { key } }) };
    }),
  );
  return kinesisEvent(
    event.Records.map((record, index) =>
      kinesisRecord({
        partitionKey: record.kinesis.partitionKey,
        sequenceNumber: sequenceNumberAt(index),
        data: Buffer.from(record.kinesis.data, 'base64'),
      }),
    ),
  );
}

/** One record per key (event `KEY#1`), numbered from sequence 0. */
export function oneRecordPerKey(keys: readonly string[]): KinesisStreamRecord[] {
  return keys.map((key, index) =>
    kinesisRecord({
      partitionKey: key,
      sequenceNumber: sequenceNumberAt(index),
      data: pipelineEvent({ eventId: `${key}#1`, payload: { key } }),
    }),
  );
}

/** A downstream that answers each call with `status(key)` of the event's payload key. */
export function answersByKey(status: (key: string) => number): Fetch {
  return (_url, init) => {
    const { payload } = JSON.parse(init?.body as string) as { payload: { key: string } };
    return Promise.resolve(new Response(null, { status: status(payload.key) }));
  };
}

/**
 * A downstream where key K answers `status()` and every other key 200 (the other keys' delivered calls
 * are what say K's failures are its own).
 */
export function keyKAnswers(status: () => number): Fetch {
  return answersByKey((key) => (key === 'K' ? status() : 200));
}

/** Pauses that overlap as on a real clock: each moves the clock to its own wake time at most. */
export function overlappingSleep(clock: FakeClock): (millis: number) => Promise<void> {
  return async (millis) => {
    const wake = clock.now() + millis;
    await new Promise((resolve) => setImmediate(resolve));
    if (clock.now() < wake) clock.advance(wake - clock.now());
  };
}

/**
 * The consumer handler of one execution environment on `clock`, sharing `store` with the others; at
 * `QUARANTINE_SETTINGS` unless given settings, its pauses advancing the clock unless given a sleep.
 */
export function quarantineConsumer(options: {
  readonly store: MemoryQuarantineStore;
  readonly clock: FakeClock;
  readonly fetch: Fetch;
  readonly settings?: ConsumerSettings;
  readonly sleep?: (millis: number) => Promise<void>;
}) {
  return createConsumerHandler(options.settings ?? QUARANTINE_SETTINGS, {
    sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
    breaker: new AdmittingBreaker(),
    logger: new RecordingLog(),
    metrics: quietMetrics(),
    fetch: options.fetch,
    clock: options.clock,
    wallClock: options.clock,
    sleep:
      options.sleep ??
      ((millis) => {
        options.clock.advance(millis);
        return Promise.resolve();
      }),
    quarantineStore: options.store,
  });
}

/** As `quarantineConsumer`, with a downstream where K answers `status()` and every other key 200. */
export function handlerFor(options: {
  readonly store: MemoryQuarantineStore;
  readonly clock: FakeClock;
  readonly status: () => number;
}) {
  return quarantineConsumer({
    store: options.store,
    clock: options.clock,
    fetch: keyKAnswers(options.status),
  });
}

/** An invocation context `id` whose time runs out at `deadline` on `clock`. */
export const contextUntil = (clock: FakeClock, deadline: number, id: string): Context =>
  ({
    awsRequestId: id,
    functionName: 'dev-orders',
    getRemainingTimeInMillis: () => deadline - clock.now(),
  }) as Context;

/**
 * Runs `records` as Lambda does, retrying the remaining records from each reported failure, at most
 * `attempts` times, each invocation with the probe lease and a minute to spare; returns what is left.
 */
export async function retryFromFailures(
  handle: ReturnType<typeof quarantineConsumer>,
  records: KinesisStreamRecord[],
  options: { readonly clock: FakeClock; readonly settings: ConsumerSettings; readonly attempts: number },
): Promise<KinesisStreamRecord[]> {
  const { clock } = options;
  let remaining = records;
  for (let attempt = 0; attempt < options.attempts && remaining.length > 0; attempt++) {
    const deadline = clock.now() + options.settings.breaker.probeLeaseMillis + 60_000;
    const { batchItemFailures } = await handle(
      kinesisEvent(remaining),
      contextUntil(clock, deadline, `r${attempt}`),
    );
    const retryFrom = batchItemFailures[0]?.itemIdentifier;
    remaining =
      retryFrom === undefined
        ? []
        : remaining.slice(remaining.findIndex((r) => r.kinesis.sequenceNumber === retryFrom));
  }
  return remaining;
}
