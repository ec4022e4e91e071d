import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createConsumerHandler, type ConsumerHandler, type Fetch } from '../lambda/consumer';
import {
  createConsumerMetrics,
  createLogger,
  createPowertoolsBreakerObserver,
  DynamoDbCircuitBreaker,
  type EpochClock,
} from '../lambda/shared';
import type { PipelineFixture } from './pipeline-fixture';
import { countRequests, type RequestCounts } from './request-counter';

/** The project's consumer handler as handler.ts builds it, with the downstream and clock swapped. */
export interface OurConsumer {
  readonly handle: ConsumerHandler;
  /** DynamoDB traffic of the breaker since the last reset. */
  readonly dynamodb: { readonly counts: RequestCounts; reset(): void };
  close(): void;
}

export interface OurConsumerOptions {
  readonly fetch: Fetch;
  /** The breaker's epoch clock, virtual in the breaker-cost scenarios. @default - Date.now */
  readonly breakerClock?: EpochClock;
  /** Breaker item name; one per scenario so scenarios do not share state. @default - the consumer's */
  readonly breakerName?: string;
}

/**
 * Builds the consumer exactly as lambda/consumer/handler.ts does (Powertools Logger and Metrics, the
 * DynamoDB breaker with its observer, an SQS client for poison) against the emulators, except that
 * the downstream is `options.fetch`.
 */
export function buildOurConsumer(fixture: PipelineFixture, options: OurConsumerOptions): OurConsumer {
  const settings = options.breakerName
    ? { ...fixture.settings, breakerName: options.breakerName }
    : fixture.settings;
  const logger = createLogger(settings.consumerName, {
    stage: settings.stage,
    consumer: settings.consumerName,
  });
  const metrics = createConsumerMetrics({
    namespace: settings.metricsNamespace,
    stage: settings.stage,
    consumerName: settings.consumerName,
  });
  const dynamodbClient = new DynamoDBClient(fixture.emulators.clientConfig.dynamodb);
  const dynamodb = countRequests(dynamodbClient);
  const sqs = new SQSClient(fixture.emulators.clientConfig.sqs);
  const breaker = new DynamoDbCircuitBreaker({
    client: dynamodbClient,
    tableName: settings.breakerTableName,
    name: settings.breakerName,
    settings: settings.breaker,
    clock: options.breakerClock,
    observer: createPowertoolsBreakerObserver({ logger, metrics, stage: settings.stage }),
  });
  const handle = createConsumerHandler(settings, { sqs, breaker, logger, metrics, fetch: options.fetch });
  return {
    handle,
    dynamodb,
    close: () => {
      dynamodbClient.destroy();
      sqs.destroy();
    },
  };
}
