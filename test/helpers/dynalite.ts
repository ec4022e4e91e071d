import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions } from '../../contracts';

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

const HOST = '127.0.0.1';
const SERVICE_UNAVAILABLE = 503;
const UNAVAILABLE_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
  message: 'dynalite switched to unavailable by the test',
});

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export async function startDynalite(): Promise<Dynalite> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const serve = server.listeners('request')[0] as RequestListener;
  let unavailable = false;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!unavailable) return serve(req, res);
    req.resume();
    res.writeHead(SERVICE_UNAVAILABLE, { 'Content-Type': 'application/x-amz-json-1.0' });
    res.end(UNAVAILABLE_BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const endpoint = `http://${HOST}:${(server.address() as AddressInfo).port}`;
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
    setUnavailable: (value) => {
      unavailable = value;
    },
    stop: async () => {
      clients.forEach((client) => client.destroy());
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
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
