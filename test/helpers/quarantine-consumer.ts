import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
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

/**
 * A downstream where key K answers `status()` and every other key 200 (the other keys' delivered calls
 * are what say K's failures are its own).
 */
export function keyKAnswers(status: () => number): Fetch {
  return (_url, init) => {
    const { payload } = JSON.parse(init?.body as string) as { payload: { key: string } };
    return Promise.resolve(new Response(null, { status: payload.key === 'K' ? status() : 200 }));
  };
}

/** The consumer handler of one execution environment on `clock`, sharing `store` with the others. */
export function quarantineConsumer(options: {
  readonly store: MemoryQuarantineStore;
  readonly clock: FakeClock;
  readonly fetch: Fetch;
}) {
  return createConsumerHandler(QUARANTINE_SETTINGS, {
    sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
    breaker: new AdmittingBreaker(),
    logger: new RecordingLog(),
    metrics: quietMetrics(),
    fetch: options.fetch,
    clock: options.clock,
    wallClock: options.clock,
    sleep: (millis) => {
      options.clock.advance(millis);
      return Promise.resolve();
    },
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
