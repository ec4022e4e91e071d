import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { pendingOf, readQuarantineSet } from '../../lambda/shared';
import type { ResolvedStage } from '../cli';
import type { QuarantinedKey } from './collect';

/**
 * Reads the quarantined-key set of every consumer of the stage with quarantine on (one consistent Query
 * of its partition of the quarantine table each; docs/architecture.md, "Per-key quarantine").
 */
export async function listQuarantinedKeys(
  stage: ResolvedStage,
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<QuarantinedKey[]> {
  const sets = await Promise.all(
    stage.config.consumers
      .filter((consumer) => consumer.quarantine.enabled)
      .map(async (consumer) => {
        const set = await readQuarantineSet({ dynamodb, tableName, consumerName: consumer.name });
        return [...set.entries()].map(([key, entry]) => ({
          consumer: consumer.name,
          key,
          since: entry.since,
          toDrain: pendingOf(entry),
          ...(entry.parked !== undefined && { parked: entry.parked }),
        }));
      }),
  );
  return sets.flat();
}
