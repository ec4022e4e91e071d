import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_TIMEOUTS, awsClientOptions, worstCaseCallMillis } from '../../../../contracts';
import { DynamoDbCircuitBreaker } from '../../../../lambda/shared/breaker';
import { breakerSettings } from '../../../helpers/breaker-settings';

/*
 * Review of issue 20: contracts/aws-client-settings.ts says requestTimeoutMillis is the "longest one
 * attempt may take, connection included, until the whole response has arrived", and the hung-store
 * bound is 3 s. The SDK's Node.js request handler clears its request timeout when the response
 * headers arrive; the body is then read with only the DynamoDB client's default socket idle timeout
 * (300 s). A DynamoDB (or a proxy on the way) that sends the headers and stalls in the body holds
 * admit() far past the bound: the store-failure mode never starts and the invocation times out.
 */
const BOUND_MILLIS = worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore);

let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => {
      // Headers at once, then the first byte of a 64-byte body, then silence.
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 64\r\n\r\n{',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test(
  'admit() settles within the stated bound when DynamoDB stalls in the response body',
  async () => {
    const breaker = new DynamoDbCircuitBreaker({
      dynamodb: new DynamoDBClient({
        ...awsClientOptions(AWS_CLIENT_TIMEOUTS.breakerStore),
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        endpoint,
      }),
      tableName: 'breakers',
      name: 'orders-api',
      settings: breakerSettings({ onStoreFailure: 'fail-fast' }),
    });
    const started = Date.now();
    const outcome = await Promise.race([
      breaker.admit().then((admission) => ({ admission })),
      new Promise<'still pending'>((resolve) =>
        setTimeout(() => resolve('still pending'), BOUND_MILLIS + 5_000).unref(),
      ),
    ]);
    expect(outcome).toEqual({ admission: { admitted: false, state: 'OPEN' } });
    expect(Date.now() - started).toBeLessThan(BOUND_MILLIS + 5_000);
  },
  BOUND_MILLIS + 15_000,
);
