import { AWS_CLIENT_TIMEOUTS, awsClientOptions, type Clock } from '../contracts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { buildConsumer, type ConsumerHandler, type Fetch } from '../lambda/consumer';
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
  readonly breakerClock?: Clock;
  /** Breaker item name; one per scenario so scenarios do not share state. @default - the consumer's */
  readonly breakerName?: string;
}

/**
 * Builds the consumer with the same wiring as lambda/consumer/handler.ts (buildConsumer) against the
 * emulators, except that
 * the downstream is `options.fetch`.
 */
export function buildOurConsumer(fixture: PipelineFixture, options: OurConsumerOptions): OurConsumer {
  const settings = options.breakerName
    ? { ...fixture.settings, breakerName: options.breakerName }
    : fixture.settings;
  // The breaker store's client of handler.ts, against dynalite, with the local (operator) timeouts.
  // Built here rather than with local/emulators' helper: this module is bundled for the throughput
  // benchmark, and local/emulators would bring dynalite's native binding into that bundle.
  const { endpoint, region, credentials } = fixture.emulators.clientConfig.dynamodb;
  const dynamodb = countRequests(
    new DynamoDBClient({
      ...awsClientOptions(AWS_CLIENT_TIMEOUTS.operator),
      endpoint,
      region,
      credentials,
    }),
  );
  const sqs = new SQSClient(fixture.emulators.clientConfig.sqs);
  const { consume: handle } = buildConsumer(settings, {
    dynamodb: dynamodb.api,
    sqs: () => Promise.resolve(sqs),
    fetch: options.fetch,
    breakerClock: options.breakerClock,
  });
  return {
    handle,
    dynamodb,
    close: () => {
      sqs.destroy();
      dynamodb.api.destroy();
    },
  };
}
