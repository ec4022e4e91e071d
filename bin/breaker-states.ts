import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { PipelineConfig } from '../contracts';
import { resourceNamesFor } from '../contracts';

/** One attempt, bounded: synth must not hang on an unreachable account. */
const READ_TIMEOUT_MILLIS = 3_000;

/**
 * The breakers of the stage that are not CLOSED right now, read from its breaker table (consistent
 * reads), so that `cdk deploy` creates a new or replaced event source mapping disabled while its
 * breaker is OPEN or HALF_OPEN (the controller enables it on the breaker's next change). This is how
 * the deploy knows the breaker state: it asks the table the breakers live in. A breaker without an
 * item is CLOSED.
 * @returns the breaker names, or undefined when the table could not be read (no credentials, first
 *   deploy, offline synth): then every mapping is created enabled, as before
 */
export async function readBreakersNotClosed(
  config: PipelineConfig,
  client: DynamoDBClient = new DynamoDBClient({
    region: config.deployment.region,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: READ_TIMEOUT_MILLIS,
      requestTimeout: READ_TIMEOUT_MILLIS,
    }),
  }),
): Promise<readonly string[] | undefined> {
  const tableName = resourceNamesFor(config.stage).breakerTableName;
  const breakers = [...new Set(config.consumers.map((consumer) => consumer.breakerName))];
  try {
    const states = await Promise.all(
      breakers.map(async (name) => {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: tableName, Key: { name: { S: name } }, ConsistentRead: true }),
        );
        return { name, state: Item?.state?.S ?? 'CLOSED' };
      }),
    );
    return states.filter(({ state }) => state !== 'CLOSED').map(({ name }) => name);
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
