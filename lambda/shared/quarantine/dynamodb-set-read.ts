import {
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { QUARANTINE_TABLE_PARTITION_KEY, QUARANTINE_TABLE_SORT_KEY } from '../../../contracts';
import type { QuarantineEntry, QuarantineSet } from './set';
import { QuarantineStoreError } from './store';

/** One consumer's partition of the quarantine table (docs/architecture.md, "Per-key quarantine", "The table"). */
export interface QuarantineTable {
  /** The quarantine table's client. */
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /** Whose set: the partition read and written (the only one the consumer's role may use). */
  readonly consumerName: string;
}

/** Placeholder of the partition key, named like the sort key (`key` is a reserved word). */
export const CONSUMER = { '#consumer': QUARANTINE_TABLE_PARTITION_KEY };

/**
 * The set, read with a strongly consistent Query of the consumer's partition, all pages. Its own module,
 * apart from the store's writes: the controller's tick and `npm run status` only read, and what a
 * handler's bundle holds is what its role is judged to need (docs/architecture.md, "Access paths").
 * @throws {QuarantineStoreError} when the table cannot be read
 */
export async function readQuarantineSet(table: QuarantineTable): Promise<QuarantineSet> {
  const set = new Map<string, QuarantineEntry>();
  for (const item of await queryPartition(table, 'Query(set)', {})) {
    set.set(item[QUARANTINE_TABLE_SORT_KEY]?.S ?? '', unmarshalEntry(item));
  }
  return set;
}

/** The Query of the whole partition, strongly consistent. */
export function partitionQuery(table: QuarantineTable): QueryCommandInput {
  return {
    TableName: table.tableName,
    KeyConditionExpression: '#consumer = :consumer',
    ExpressionAttributeNames: CONSUMER,
    ExpressionAttributeValues: { ':consumer': { S: table.consumerName } },
    ConsistentRead: true,
  };
}

/** The items of a Query of the partition (all pages); `overrides` narrows it. */
export async function queryPartition(
  table: QuarantineTable,
  operation: string,
  overrides: Pick<
    QueryCommandInput,
    'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    let output;
    try {
      output = await table.dynamodb.send(
        new QueryCommand({ ...partitionQuery(table), ...overrides, ExclusiveStartKey: start }),
      );
    } catch (error) {
      throw new QuarantineStoreError(operation, { cause: error });
    }
    items.push(...(output.Items ?? []));
    start = output.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** One key's entry from its item's low-level form. */
export function unmarshalEntry(item: Record<string, AttributeValue>): QuarantineEntry {
  return {
    epoch: item.epoch?.S ?? '',
    since: Number(item.since?.N ?? 0),
    enqueued: Number(item.enqueued?.N ?? 0),
    delivered: Number(item.delivered?.N ?? 0),
    shard: item.shard?.S ?? '',
    lastSeq: item.lastSeq?.S ?? '',
    ...(item.parked?.S !== undefined && { parked: item.parked.S }),
  };
}
