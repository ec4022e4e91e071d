import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { ON_FAILURE_OBJECT_KEY_PATTERN } from '../../../contracts';
import type { KinesisOnFailureObject } from '../../../contracts';
import { EsmHarness, recordingHandler, waitFor } from '../../helpers/event-source-mapping-harness';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BUCKET = 'on-failure-layout';

describe('event source mapping: the S3 on-failure object', () => {
  let harness: EsmHarness;
  let s3: S3Client;
  let noticesUrl: string;
  beforeAll(async () => {
    harness = await EsmHarness.start(1);
    s3 = new S3Client(harness.emulators.clientConfig.s3);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    noticesUrl = (await harness.sqs.send(new CreateQueueCommand({ QueueName: 'layout-notices' }))).QueueUrl!;
  });
  afterAll(async () => {
    await harness.stop();
    s3.destroy();
  });

  it('is named and shaped as Lambda writes it: the invocation record plus the invocation event as payload', async () => {
    // GIVEN a batch whose invocations always throw, one retry, an S3 destination
    const put = await harness.put(['a', 'b', 'c']);
    const handler = recordingHandler(() => Promise.reject(new Error('boom')));
    const mapping = await harness.startMapping(
      handler,
      { maxRetryAttempts: 1 },
      { onFailure: { s3, bucket: BUCKET, notices: { sqs: harness.sqs, queueUrl: noticesUrl } } },
    );

    // WHEN the retries are exhausted
    await waitFor('on-failure', () => mapping.stats().onFailureMessages === 1);
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));

    // THEN one object, under aws/lambda/<mapping UUID>/<shard>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>
    expect(Contents).toHaveLength(1);
    const key = Contents[0].Key!;
    const match = ON_FAILURE_OBJECT_KEY_PATTERN.exec(key)!;
    expect(match).not.toBeNull();
    expect(match[1]).toBe(mapping.uuid);
    expect(match[2]).toBe(put[0].shardId);
    const [year, month, day] = [match[3], match[4], match[5]];
    expect(`${match[6]}-${match[7]}-${match[8]}`).toBe(`${year}-${month}-${day}`);

    // AND its body is the documented invocation record with `payload`, the event the function got
    const object = JSON.parse(
      await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString(),
    ) as KinesisOnFailureObject;
    expect(Object.keys(object).sort()).toEqual(
      ['KinesisBatchInfo', 'payload', 'requestContext', 'responseContext', 'timestamp', 'version'].sort(),
    );
    expect(object).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      KinesisBatchInfo: {
        shardId: put[0].shardId,
        startSequenceNumber: put[0].sequenceNumber,
        endSequenceNumber: put[2].sequenceNumber,
        batchSize: 3,
        streamArn: harness.streamArn,
      },
    });
    expect(object.timestamp).toMatch(ISO_8601);
    expect(typeof object.payload).toBe('string');
    expect(JSON.parse(object.payload) as KinesisStreamEvent).toEqual(
      handler.events[handler.events.length - 1],
    );
    expect(mapping.configuration().DestinationConfig).toEqual({
      OnFailure: { Destination: `arn:aws:s3:::${BUCKET}` },
    });

    // AND the bucket's EventBridge rule, emulated, left one Object Created notice for it
    const { Messages = [] } = await harness.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: noticesUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((m) => JSON.parse(m.Body!) as unknown)).toEqual([
      expect.objectContaining({
        source: 'aws.s3',
        'detail-type': 'Object Created',
        detail: expect.objectContaining({ bucket: { name: BUCKET }, object: { key } }) as unknown,
      }),
    ]);
  });
});
