import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import type { AlarmResources } from '../../../contracts';
import {
  alarmDefinitions,
  controllerSettingsFor,
  loadConfig,
  MILLIS_PER_SECOND,
  onFailureObjectKey,
  readCdkJsonContext,
} from '../../../contracts';
import { createControllerHandler } from '../../../lambda/breaker-controller';
import { AlarmEvaluator, MetricStore } from '../../../local/alarms';
import { applyEnvironment, createPipelineResources, startEmulators } from '../../../local/emulators';
import type { Emulators, LocalPipelineResources } from '../../../local/emulators';
import { objectCreatedEvent } from '../../../local/event-source-mapping';
import { DiscardRefusedError } from '../../../ops/redrive';
import type { DiscardAuditRecord } from '../../../ops/redrive';
import { redriveCommand } from '../../../ops/redrive/command';
import { onFailureObject } from '../../helpers/dlq-messages';
import { scheduledEvent } from '../../helpers/scheduled-events';

// STS has no emulator: the caller's identity is the one AWS call answered by a mock.
const OPERATOR_ARN = 'arn:aws:sts::000000000000:assumed-role/oncall/alice';
const sts = mockClient(STSClient);

const config = loadConfig('local', readCdkJsonContext());
let emulators: Emulators;
let restoreEnvironment: () => void;
let resources: LocalPipelineResources;
let s3: S3Client;
let sqs: SQSClient;

beforeAll(async () => {
  emulators = await startEmulators();
  restoreEnvironment = applyEnvironment(emulators.env);
  resources = await createPipelineResources(config, emulators.clientConfig);
  s3 = new S3Client({});
  sqs = new SQSClient({});
});

afterAll(async () => {
  s3.destroy();
  sqs.destroy();
  sts.restore();
  restoreEnvironment();
  await emulators.stop();
});

beforeEach(() => {
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR_ARN, Account: '000000000000' });
});

/** One failed batch Lambda wrote for `mapping`, with its notice, as the stack delivers it. */
async function putFailedBatch(mapping: string, firstSequence: number): Promise<string> {
  const shardId = 'shardId-000000000001';
  const key = onFailureObjectKey({
    mappingUuid: mapping,
    shardId,
    atMillis: Date.now(),
    randomUuid: randomUUID(),
  });
  const records = [0, 1, 2].map((i) => ({
    partitionKey: `order-${i}`,
    data: JSON.stringify({ i }),
    sequenceNumber: String(49_000_000_000_000 + firstSequence + i),
  }));
  const body = JSON.stringify(onFailureObject({ streamArn: resources.streamArn, shardId, records }));
  await s3.send(new PutObjectCommand({ Bucket: resources.failedBatchBucket, Key: key, Body: body }));
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: resources.failedBatchNotices.url,
      MessageBody: JSON.stringify(objectCreatedEvent(resources.failedBatchBucket, key, Date.now())),
    }),
  );
  return key;
}

/**
 * Runs the real controller tick against the emulators (dynalite's breaker table, s3rver's bucket) with
 * its clock `ageSeconds` past now, and evaluates the stage's failed-batches-age alarm on what it published.
 */
async function pageAfterTick(judgedAtMillis: number): Promise<string> {
  const store = new MetricStore();
  const metrics: Pick<Metrics, 'singleMetric'> = {
    singleMetric: () => {
      let dimensions: Record<string, string> = {};
      const single = {
        clearDefaultDimensions: () => undefined,
        addDimensions: (added: Record<string, string>) => (dimensions = { ...dimensions, ...added }),
        addMetric: (metricName: string, _unit: unknown, value: number) => {
          for (let period = 0; period < 2 * config.alarms.evaluationPeriods; period++) {
            const timestampMillis = judgedAtMillis - period * config.alarms.periodSeconds * MILLIS_PER_SECOND;
            store.put({ namespace: config.metricsNamespace, metricName, dimensions, timestampMillis, value });
          }
        },
      };
      return single as unknown as Metrics;
    },
  };
  const tick = createControllerHandler(
    controllerSettingsFor(config, {
      breakerTableName: resources.breakerTableName,
      mappingsByBreaker: {},
      failedBatchBucketName: resources.failedBatchBucket,
    }),
    {
      dynamodb: new DynamoDBClient({}),
      lambda: new LambdaClient({}),
      s3,
      metrics,
      clock: { now: () => judgedAtMillis },
    },
  );
  await tick(scheduledEvent());
  const alarmResources: AlarmResources = {
    streamName: resources.streamName,
    controllerFunctionName: resources.controllerFunctionName,
    failedBatchNoticesQueueName: resources.failedBatchNotices.name,
    consumers: [],
  };
  const age = alarmDefinitions(config, alarmResources).find((d) => d.name.endsWith('-failed-batches-age'))!;
  const startMillis =
    judgedAtMillis - 2 * config.alarms.evaluationPeriods * config.alarms.periodSeconds * MILLIS_PER_SECOND;
  const evaluator = new AlarmEvaluator([age], store, startMillis);
  evaluator.advanceTo(judgedAtMillis);
  return evaluator.histories()[0].state;
}

async function run(argv: readonly string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await redriveCommand(['--bucket', resources.failedBatchBucket, ...argv], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out, err };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const { Contents = [] } = await s3.send(
    new ListObjectsV2Command({ Bucket: resources.failedBatchBucket, Prefix: prefix }),
  );
  return Contents.map((c) => c.Key!);
}

async function noticeKeys(): Promise<string[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: resources.failedBatchNotices.url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
    }),
  );
  return Messages.map(
    (m) => (JSON.parse(m.Body!) as { detail: { object: { key: string } } }).detail.object.key,
  );
}

describe('npm run redrive -- --discard', () => {
  test('discards one key, then a whole mapping prefix, each with an audit record, and ends the page', async () => {
    // GIVEN one batch of mapping A and two of mapping B, old enough to page
    const mappingA = randomUUID();
    const mappingB = randomUUID();
    const keyA = await putFailedBatch(mappingA, 0);
    const keysB = [await putFailedBatch(mappingB, 10), await putFailedBatch(mappingB, 20)];
    const judgedAt = Date.now() + (config.alarms.failedBatchAgeMaxSeconds + 60) * MILLIS_PER_SECOND;
    expect(await pageAfterTick(judgedAt)).toBe('ALARM');

    // WHEN one key is discarded
    const one = await run(['--stage', 'local', '--discard', keyA, '--reason', 'test data from a load test']);

    // THEN it is gone with its notice, the others stay, and so does the page
    expect(one.code).toBe(0);
    expect(await keysUnder('aws/lambda/')).toEqual(expect.not.arrayContaining([keyA]));
    expect((await keysUnder('aws/lambda/')).sort()).toEqual([...keysB].sort());
    expect(await pageAfterTick(judgedAt)).toBe('ALARM');

    // WHEN the rest of mapping B is discarded by its prefix
    const all = await run([
      '--stage',
      'local',
      '--discard',
      `aws/lambda/${mappingB}/`,
      '--reason',
      'mapping replaced; records re-sent by the producer',
    ]);

    // THEN the bucket holds no failed batch, no notice is left, and the page ends
    expect(all.code).toBe(0);
    expect(await keysUnder('aws/lambda/')).toEqual([]);
    expect(await noticeKeys()).toEqual([]);
    expect(await pageAfterTick(judgedAt)).toBe('OK');

    // AND each discarded object has an audit record: who, what, when, why
    const auditKeys = await keysUnder('audit/discarded/');
    expect(auditKeys).toHaveLength(3);
    const records = await Promise.all(
      auditKeys.map(async (Key) => {
        const object = await s3.send(new GetObjectCommand({ Bucket: resources.failedBatchBucket, Key }));
        return JSON.parse(await object.Body!.transformToString()) as DiscardAuditRecord;
      }),
    );
    const forA = records.find((r) => r.object.key === keyA)!;
    expect(forA).toMatchObject({
      action: 'discard-failed-batch',
      actor: { principalArn: OPERATOR_ARN },
      reason: 'test data from a load test',
      object: { bucket: resources.failedBatchBucket, key: keyA },
      batch: { shardId: 'shardId-000000000001', startSequenceNumber: '49000000000000', batchSize: 3 },
    });
    expect(
      records
        .filter((r) => r.reason.startsWith('mapping replaced'))
        .map((r) => r.object.key)
        .sort(),
    ).toEqual([...keysB].sort());
    expect(Date.parse(forA.at)).not.toBeNaN();
  });

  test('refuses without a reason, with a prefix naming no mapping, or when STS cannot say who asks', async () => {
    const key = await putFailedBatch(randomUUID(), 100);

    await expect(run(['--stage', 'local', '--discard', key])).rejects.toThrow('--discard needs --reason');
    await expect(run(['--stage', 'local', '--discard', key, '--reason', 'why'])).rejects.toThrow(
      DiscardRefusedError,
    );
    await expect(
      run(['--stage', 'local', '--discard', 'aws/lambda/', '--reason', 'clean everything up']),
    ).rejects.toThrow('a prefix must start with aws/lambda/<mapping UUID>/');
    sts.on(GetCallerIdentityCommand).rejects(new Error('ExpiredToken'));
    await expect(run(['--stage', 'local', '--discard', key, '--reason', 'nobody knows who'])).rejects.toThrow(
      'cannot tell who is discarding',
    );

    // THEN nothing was deleted
    expect(await keysUnder('aws/lambda/')).toContain(key);
  });
});
