import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BreakerTable } from '../../../lib/constructs/breaker-table';
import { DeadLetterQueue } from '../../../lib/constructs/dead-letter-queue';
import { EventConsumer } from '../../../lib/constructs/event-consumer';
import type { EventConsumerProps } from '../../../lib/constructs/event-consumer';
import { EventStream } from '../../../lib/constructs/event-stream';
import type { EventStreamProps } from '../../../lib/constructs/event-stream';
import { ConstructPropsError } from '../../../lib/constructs/props-check';
import { consumerSettingsFor, loadConfig, readCdkJsonContext, resourceNamesFor } from '../../../contracts';

/*
 * Constructs check their own props, as aws-cdk's do: a construct used without the config still fails
 * at synth with the prop, its range and the value. Handlers are not bundled.
 */
const config = loadConfig('dev', readCdkJsonContext());
const names = resourceNamesFor('test');

function bareStack(): Stack {
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Props');
}

function consumer(props: Partial<EventConsumerProps>): () => EventConsumer {
  return () => {
    const stack = bareStack();
    const { stream } = new EventStream(stack, 'Events', { streamName: names.streamName });
    const { table } = new BreakerTable(stack, 'Breakers', { tableName: names.breakerTableName });
    return new EventConsumer(stack, 'Consumer', {
      names: names.consumer('orders'),
      settingsFor: (poisonQueueUrl) =>
        consumerSettingsFor(config, config.consumers[0], {
          poisonQueueUrl,
          breakerTableName: table.tableName,
        }),
      stream,
      breakerTable: table,
      encryptionKey: new kms.Key(stack, 'Key', {
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      ...props,
    });
  };
}

function stream(props: Partial<EventStreamProps>): () => EventStream {
  return () => new EventStream(bareStack(), 'Events', { streamName: 's', ...props });
}

describe('EventConsumer rejects', () => {
  it.each([
    ['batchSize', { batchSize: 10_001 }, 'batchSize = 10001; allowed an integer 1..10000'],
    ['batchSize', { batchSize: 0 }, 'batchSize = 0; allowed an integer 1..10000'],
    [
      'maxBatchingWindow',
      { maxBatchingWindow: Duration.seconds(301) },
      'maxBatchingWindow = 5 minutes 1 second; allowed whole seconds 0..300',
    ],
    [
      'parallelizationFactor',
      { parallelizationFactor: 11 },
      'parallelizationFactor = 11; allowed an integer 1..10',
    ],
    ['retryAttempts', { retryAttempts: -2 }, 'retryAttempts = -2; allowed an integer -1..10000'],
    [
      'maxRecordAge',
      { maxRecordAge: Duration.seconds(59) },
      'maxRecordAge = 59 seconds; allowed whole seconds 60..604800',
    ],
    ['memorySizeMb', { memorySizeMb: 100 }, 'memorySizeMb = 100; allowed an integer 128..10240 MB'],
    [
      'timeout',
      { timeout: Duration.seconds(901) },
      'timeout = 15 minutes 1 second; allowed whole seconds 3..900',
    ],
  ])('%s out of range, naming the prop, range and value', (_prop, props, message) => {
    expect(consumer(props)).toThrow(message);
  });

  it('every bad prop at once, in one error naming the construct', () => {
    // WHEN
    let error: unknown;
    try {
      consumer({ batchSize: 0, parallelizationFactor: 0 })();
    } catch (caught) {
      error = caught;
    }
    // THEN
    expect(error).toBeInstanceOf(ConstructPropsError);
    expect((error as ConstructPropsError).constructPath).toBe('Props/Consumer');
    expect((error as ConstructPropsError).problems).toHaveLength(2);
  });
});

describe('EventConsumer accepts', () => {
  it('-1 retry attempts (until the record expires) and leaves MaximumRetryAttempts unset', () => {
    const built = consumer({ retryAttempts: -1 })();
    const mappings = Template.fromStack(Stack.of(built)).findResources('AWS::Lambda::EventSourceMapping');
    const [mapping] = Object.values(mappings) as { Properties: Record<string, unknown> }[];
    expect(mapping.Properties).not.toHaveProperty('MaximumRetryAttempts');
  });

  it('defaults retries to the config default (10000), not to unlimited', () => {
    const built = consumer({})();
    Template.fromStack(Stack.of(built)).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumRetryAttempts: config.consumers[0].maxRetryAttempts,
    });
  });
});

describe('DeadLetterQueue rejects', () => {
  it('a retention longer than SQS keeps messages (14 days)', () => {
    const build = (): DeadLetterQueue => {
      const stack = bareStack();
      return new DeadLetterQueue(stack, 'Dlq', {
        queueName: 'q',
        encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
        retentionPeriod: Duration.days(15),
      });
    };
    expect(build).toThrow('retentionPeriod = 15 days; allowed whole seconds 60..1209600');
  });
});

describe('EventStream rejects', () => {
  it.each([
    [
      'shardCount',
      { capacityMode: 'PROVISIONED' as const, shardCount: 501 },
      'shardCount = 501; allowed an integer 1..500',
    ],
    [
      'retentionPeriod',
      { retentionPeriod: Duration.hours(23) },
      'retentionPeriod = 23 hours; allowed whole hours 24..8760',
    ],
    ['retentionPeriod', { retentionPeriod: Duration.minutes(90 * 60 + 30) }, 'allowed whole hours 24..8760'],
  ])('%s out of range', (_prop, props, message) => {
    expect(stream(props)).toThrow(message);
  });
});
