import { DynamoDBClient, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { createBreakerTable, startDynalite } from '../../helpers/dynalite';

/*
 * dynalite closes its store when its server closes, as soon as no store operation is running, which
 * can fall between the read and the write of one UpdateItem; the write then fails with "Database is
 * closed", thrown from a callback: an uncaught exception that fails whatever test is running then
 * (seen on a busy machine when an emulator stopped under load). The emulator's stop waits for the
 * requests in flight first (local/emulators/dynalite-server.ts).
 */
const ROUNDS = 12;
/**
 * About 3 s of CPU a round when idle; a 2-core machine busy with other work stretched 20 rounds past
 * a minute, so the bound allows 20 s a round.
 */
const TEST_TIMEOUT_MILLIS = ROUNDS * 20_000;
const UPDATES = 30;
const ITEMS = 200;

describe('stopping dynalite while requests are in flight', () => {
  it(
    'answers or refuses them, and never throws "Database is closed"',
    async () => {
      let answered = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const dynamodb = await startDynalite();
        // A client the helper's stop() does not destroy, so its requests stay in flight at the server.
        const client = new DynamoDBClient({
          endpoint: dynamodb.endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          maxAttempts: 1,
        });
        await createBreakerTable(client, 'breakers');
        await Promise.all(
          Array.from({ length: ITEMS }, (_, i) =>
            client.send(
              new PutItemCommand({
                TableName: 'breakers',
                Item: { name: { S: `key-${i}` }, padding: { S: 'x'.repeat(500) } },
              }),
            ),
          ),
        );
        // GIVEN read-then-write actions on their way, among scans that keep the store busy
        const updates = Array.from({ length: UPDATES }, (_, i) =>
          (i % 2 === 1
            ? client.send(new ScanCommand({ TableName: 'breakers' }))
            : client.send(
                new UpdateItemCommand({
                  TableName: 'breakers',
                  Key: { name: { S: `key-${i}` } },
                  UpdateExpression: 'SET calls = if_not_exists(calls, :zero) + :one',
                  ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' } },
                }),
              )
          ).then(
            () => 1,
            () => 0,
          ),
        );
        // WHEN the server stops once the first is answered (the others are then at the server)
        await Promise.race(updates);
        await dynamodb.stop();
        answered += (await Promise.all(updates)).reduce((sum, one) => sum + one, 0);
        client.destroy();
      }
      // THEN no uncaught exception failed this test, and every round reached the store
      expect(answered).toBeGreaterThanOrEqual(ROUNDS);
    },
    TEST_TIMEOUT_MILLIS,
  );
});
