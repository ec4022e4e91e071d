import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  DynamoDbTableChangeFeed,
  type DynamoDbStreamHandlerFunction,
  type TableChangeFeedOptions,
} from '../../../local/dynamodb-stream';
import { startEmulators, type Emulators } from '../../../local/emulators';
import { waitFor } from '../../helpers/wait-for';

const pause = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

describe('DynamoDB stream emulation by polling the breaker table', () => {
  let emulators: Emulators;
  let dynamodb: DynamoDBClient;
  let tableName: string;
  let tableCount = 0;
  const feeds: DynamoDbTableChangeFeed[] = [];

  beforeAll(async () => {
    emulators = await startEmulators();
    dynamodb = new DynamoDBClient({ ...emulators.clientConfig.dynamodb, maxAttempts: 1 });
  });
  afterAll(async () => {
    dynamodb.destroy();
    await emulators.stop();
  });
  beforeEach(async () => {
    tableName = `breakers-${++tableCount}`;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
      }),
    );
  });
  afterEach(async () => {
    emulators.dynamodb.setUnavailable(false);
    await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
  });

  function recorder(respond: (event: DynamoDBStreamEvent, call: number) => unknown = () => undefined) {
    const events: DynamoDBStreamEvent[] = [];
    const handler: DynamoDbStreamHandlerFunction = (event) => {
      events.push(structuredClone(event));
      return Promise.resolve(respond(event, events.length) as DynamoDBBatchResponse | void);
    };
    return { handler, events, records: () => events.flatMap((e) => e.Records) };
  }

  async function startFeed(
    handler: DynamoDbStreamHandlerFunction,
    options: Partial<TableChangeFeedOptions> = {},
  ) {
    const feed = new DynamoDbTableChangeFeed({
      dynamodb,
      tableName,
      handler,
      pollIntervalMillis: 20,
      retryBaseDelayMillis: 5,
      retryMaxDelayMillis: 20,
      ...options,
    });
    feeds.push(feed);
    await feed.start();
    return feed;
  }

  const putBreaker = (name: string, state: string) =>
    dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { name: { S: name }, state: { S: state }, version: { N: '1' } },
      }),
    );

  it('emits INSERT, MODIFY and REMOVE records in the NEW_AND_OLD_IMAGES event shape', async () => {
    // GIVEN
    const { handler, records } = recorder();
    const feed = await startFeed(handler);

    // WHEN an item is created, changed, then deleted, each change seen by a scan
    await putBreaker('orders', 'CLOSED');
    await waitFor('insert', () => records().length === 1);
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { name: { S: 'orders' } },
        UpdateExpression: 'SET #s = :open, version = :v',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':open': { S: 'OPEN' }, ':v': { N: '2' } },
      }),
    );
    await waitFor('modify', () => records().length === 2);
    await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { name: { S: 'orders' } } }));
    await waitFor('remove', () => records().length === 3);

    // THEN
    const [insert, modify, remove] = records();
    const closed = { name: { S: 'orders' }, state: { S: 'CLOSED' }, version: { N: '1' } };
    const open = { name: { S: 'orders' }, state: { S: 'OPEN' }, version: { N: '2' } };
    const common = {
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: feed.eventSourceArn,
    };
    const streamFields = {
      ApproximateCreationDateTime: expect.any(Number) as number,
      Keys: { name: { S: 'orders' } },
      SequenceNumber: expect.stringMatching(/^\d{21}$/) as string,
      SizeBytes: expect.any(Number) as number,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    };
    expect(insert).toEqual({
      ...common,
      eventName: 'INSERT',
      dynamodb: { ...streamFields, NewImage: closed },
    });
    expect(modify).toEqual({
      ...common,
      eventName: 'MODIFY',
      dynamodb: { ...streamFields, NewImage: open, OldImage: closed },
    });
    expect(remove).toEqual({ ...common, eventName: 'REMOVE', dynamodb: { ...streamFields, OldImage: open } });
    expect(feed.eventSourceArn).toMatch(
      new RegExp(`^arn:aws:dynamodb:us-east-1:\\d+:table/${tableName}/stream/`),
    );
    const sequences = records().map((r) => BigInt(r.dynamodb!.SequenceNumber!));
    expect([...sequences].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequences);
    expect(insert.dynamodb!.SizeBytes).toBeGreaterThan(0);
  });

  it('produces no record for items that existed before start, nor for writes that change nothing', async () => {
    await putBreaker('existing', 'CLOSED');
    const { handler, records } = recorder();
    const feed = await startFeed(handler);
    await putBreaker('existing', 'CLOSED');
    const scans = feed.stats().scans;
    await waitFor('two more scans', () => feed.stats().scans >= scans + 2);
    expect(records()).toEqual([]);
  });

  it('retries a failing invocation with the same records, in order, until it succeeds', async () => {
    // GIVEN a controller that fails twice
    const { handler, events } = recorder((_event, call) => {
      if (call <= 2) throw new Error('Lambda API unavailable');
      return undefined;
    });
    const feed = await startFeed(handler);
    // WHEN
    await putBreaker('orders', 'OPEN');
    await waitFor('delivered', () => feed.stats().recordsDelivered === 1);
    await putBreaker('analytics', 'OPEN');
    await waitFor('next delivered', () => feed.stats().recordsDelivered === 2);
    // THEN the first record came three times, then the second
    const names = events.map((e) => e.Records.map((r) => r.dynamodb!.Keys!.name.S));
    expect(names).toEqual([['orders'], ['orders'], ['orders'], ['analytics']]);
    expect(events[0].Records[0].eventID).toBe(events[2].Records[0].eventID);
    expect(feed.stats().failedInvocations).toBe(2);
  });

  it('checkpoints at the lowest reported SequenceNumber on a partial batch failure', async () => {
    // GIVEN two changes in one batch; the first invocation reports the second as failed
    const { handler, events } = recorder((event, call) =>
      call === 1
        ? { batchItemFailures: [{ itemIdentifier: event.Records[1].dynamodb!.SequenceNumber! }] }
        : undefined,
    );
    await putBreaker('a', 'OPEN');
    await putBreaker('b', 'OPEN');
    // a poll interval long enough for both deletes to land in one scan
    const feed = await startFeed(handler, { pollIntervalMillis: 400 });
    await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { name: { S: 'a' } } }));
    await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { name: { S: 'b' } } }));
    await waitFor('delivered', () => feed.stats().recordsDelivered === 2);
    const sequences = events.map((e) => e.Records.map((r) => r.dynamodb!.SequenceNumber));
    expect(sequences).toEqual([[sequences[0][0], sequences[0][1]], [sequences[0][1]]]);
  });

  it('drops a batch after maxRetryAttempts and reports it', async () => {
    const errors: string[] = [];
    const { handler } = recorder(() => {
      throw new Error('always');
    });
    const feed = await startFeed(handler, {
      maxRetryAttempts: 1,
      onError: (_e, during) => errors.push(during),
    });
    await putBreaker('orders', 'OPEN');
    await waitFor('dropped', () => feed.stats().recordsDiscarded === 1);
    expect(feed.stats().invocations).toBe(2);
    expect(errors).toEqual(['invoke', 'invoke', 'discard']);
  });

  it('keeps polling through a DynamoDB outage and emits the change after it', async () => {
    const { handler, records } = recorder();
    const feed = await startFeed(handler);
    // a change not yet seen by a scan, then the store goes away
    await putBreaker('orders', 'OPEN');
    emulators.dynamodb.setUnavailable(true);
    const errorsBefore = feed.stats().scanErrors;
    await waitFor('failed scans', () => feed.stats().scanErrors >= errorsBefore + 2);
    emulators.dynamodb.setUnavailable(false);
    await waitFor('change delivered', () => records().length === 1);
    expect(records()[0].eventName).toBe('INSERT');
    await pause(60);
    expect(records()).toHaveLength(1);
  });
});
