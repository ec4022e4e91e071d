import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AWS_CLIENT_TIMEOUTS,
  awsClientOptions,
  QUARANTINE_TABLE_PARTITION_KEY,
  QUARANTINE_TABLE_SORT_KEY,
} from '../../contracts';
import { createDynaliteServer, listenOnLoopback, loopbackUrl } from '../../local/emulators';

/**
 * dynalite in-process on 127.0.0.1 and a free port, for integration tests. Start it in `beforeAll`
 * and `stop()` it in `afterAll`. `setUnavailable(true)` makes it answer every request with HTTP 503
 * ServiceUnavailable, as DynamoDB does when it cannot serve, to rehearse a store outage.
 */
export interface Dynalite {
  readonly endpoint: string;
  /** A client for this server; `maxAttempts: 1` keeps outage tests fast (no SDK retries). */
  client(options?: { maxAttempts?: number }): DynamoDBClient;
  /**
   * The breaker store's client as the deployed consumer builds it (the breakerStore timeouts and
   * attempts of contracts/aws-client-settings.ts) for this server; `maxAttempts: 1` keeps outage tests fast.
   */
  api(options?: { maxAttempts?: number }): DynamoDBClient;
  setUnavailable(unavailable: boolean): void;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  const dynamodb = createDynaliteServer('dynalite switched to unavailable by the test');
  const server: Server = dynamodb.server;
  const port = await listenOnLoopback(server);
  const endpoint = loopbackUrl(port);
  const clients: DynamoDBClient[] = [];
  return {
    endpoint,
    client: (options = {}) => {
      const client = new DynamoDBClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        ...options,
      });
      clients.push(client);
      return client;
    },
    api: (options = {}) => {
      const client = new DynamoDBClient({
        ...awsClientOptions({ ...AWS_CLIENT_TIMEOUTS.breakerStore, ...options }),
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      clients.push(client);
      return client;
    },
    setUnavailable: dynamodb.setUnavailable,
    stop: async () => {
      clients.forEach((client) => client.destroy());
      // After the requests in flight are answered: see local/emulators/dynalite-server.ts.
      await dynamodb.stop();
    },
  };
}

/** The breaker table as the CDK stack defines it: partition key `name` (S), on-demand. */
export async function createBreakerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** The quarantine table as the CDK stack defines it: partition key `consumer`, sort key `key` (S), on-demand. */
export async function createQuarantineTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [
        { AttributeName: QUARANTINE_TABLE_PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: QUARANTINE_TABLE_SORT_KEY, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: QUARANTINE_TABLE_PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: QUARANTINE_TABLE_SORT_KEY, AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
