import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { QUARANTINE_TABLE_PARTITION_KEY, QUARANTINE_TABLE_SORT_KEY } from '../../../contracts';
import {
  CONSUMER,
  partitionQuery,
  queryPartition,
  readQuarantineSet,
  unmarshalEntry,
  type QuarantineTable,
} from './dynamodb-set-read';
import { paddedSequenceNumber, type QuarantineEntry, type QuarantineSet } from './set';
import {
  QuarantineStoreError,
  type AppendResult,
  type EnterResult,
  type MarkResult,
  type QuarantineStore,
} from './store';

/** Placeholder of the sort key: `key` is a reserved word in DynamoDB expressions. */
const KEY = { '#key': QUARANTINE_TABLE_SORT_KEY };

/**
 * The set as the consumer's partition of the quarantine table (docs/architecture.md, "Per-key
 * quarantine", "The table"): one item per key. Every write is one conditional write on that key's item
 * alone, so it costs the one item whatever the set holds; a failed condition is answered by a strongly
 * consistent read of that item that tells the cases apart (dynalite ignores
 * ReturnValuesOnConditionCheckFailure). Reads are strongly consistent Queries of the partition.
 */
export class DynamoDbQuarantineStore implements QuarantineStore {
  constructor(private readonly table: QuarantineTable) {}

  read(): Promise<QuarantineSet> {
    return readQuarantineSet(this.table);
  }

  async enter(key: string, stay: { epoch: string; since: number }, maxKeys: number): Promise<EnterResult> {
    // The bound, read before the write: a consistent count of the partition. Not atomic with the write
    // (dynalite has no transactions, and a transaction could not count a partition either): racing
    // enters may each see room (docs/architecture.md, "The bound").
    if ((await this.count()) >= maxKeys) return (await this.entry(key)) === undefined ? 'full' : 'present';
    const entry: QuarantineEntry = { ...stay, enqueued: 0, delivered: 0, shard: '', lastSeq: '' };
    try {
      await this.table.dynamodb.send(
        new PutItemCommand({
          TableName: this.table.tableName,
          Item: { ...this.itemKey(key), ...marshalEntry(entry) },
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: KEY,
        }),
      );
      return 'entered';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'present';
      throw new QuarantineStoreError('PutItem(enter)', { cause: error });
    }
  }

  async append(key: string, position: { shard: string; sequenceNumber: string }): Promise<AppendResult> {
    const seq = paddedSequenceNumber(position.sequenceNumber);
    const attributes = await this.update(
      'UpdateItem(append)',
      key,
      'SET enqueued = enqueued + :one, #shard = :shard, lastSeq = :seq',
      'attribute_exists(#key) AND (#shard <> :shard OR lastSeq < :seq)',
      { ...KEY, '#shard': 'shard' },
      { ':one': { N: '1' }, ':shard': { S: position.shard }, ':seq': { S: seq } },
    );
    if (attributes !== undefined) {
      const entry = unmarshalEntry(attributes);
      return { kind: 'appended', epoch: entry.epoch, ticket: entry.enqueued };
    }
    const entry = await this.entry(key);
    if (entry === undefined) return { kind: 'absent' };
    if (entry.shard === position.shard && entry.lastSeq === seq) {
      return { kind: 'resend', epoch: entry.epoch, ticket: entry.enqueued };
    }
    return { kind: 'sent-before' };
  }

  async markDelivered(key: string, epoch: string, ticket: number): Promise<MarkResult> {
    const marked = await this.update(
      'UpdateItem(delivered)',
      key,
      'SET delivered = :ticket',
      'epoch = :epoch AND delivered < :ticket',
      {},
      { ':epoch': { S: epoch }, ':ticket': { N: String(ticket) } },
    );
    if (marked !== undefined) return 'marked';
    const entry = await this.entry(key);
    return entry === undefined || entry.epoch !== epoch ? 'stale' : 'already';
  }

  release(key: string, epoch: string): Promise<boolean> {
    return this.delete('DeleteItem(release)', key, 'epoch = :epoch AND delivered = enqueued', {
      ':epoch': { S: epoch },
    });
  }

  async park(key: string, epoch: string, reason: string): Promise<boolean> {
    const parked = await this.update(
      'UpdateItem(park)',
      key,
      'SET parked = :reason',
      'epoch = :epoch',
      {},
      { ':epoch': { S: epoch }, ':reason': { S: reason } },
    );
    return parked !== undefined;
  }

  forceRemove(key: string): Promise<boolean> {
    return this.delete('DeleteItem(remove)', key, 'attribute_exists(#key)', undefined, KEY);
  }

  /** One key's entry, strongly consistent (a Query of the one item: the role's only read action). */
  private async entry(key: string): Promise<QuarantineEntry | undefined> {
    const [item] = await queryPartition(this.table, 'Query(entry)', {
      KeyConditionExpression: '#consumer = :consumer AND #key = :key',
      ExpressionAttributeNames: { ...CONSUMER, ...KEY },
      ExpressionAttributeValues: { ':consumer': { S: this.table.consumerName }, ':key': { S: key } },
    });
    return item === undefined ? undefined : unmarshalEntry(item);
  }

  /** The keys in the set, counted by a consistent Query (all pages). */
  private async count(): Promise<number> {
    let count = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.call('Query(count)', () =>
        this.table.dynamodb.send(
          new QueryCommand({ ...partitionQuery(this.table), Select: 'COUNT', ExclusiveStartKey: start }),
        ),
      );
      count += output.Count ?? 0;
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
    return count;
  }

  private itemKey(key: string): Record<string, AttributeValue> {
    return {
      [QUARANTINE_TABLE_PARTITION_KEY]: { S: this.table.consumerName },
      [QUARANTINE_TABLE_SORT_KEY]: { S: key },
    };
  }

  /** @returns the item after the write (ALL_NEW), or undefined when the condition did not hold */
  private async update(
    operation: string,
    key: string,
    updateExpression: string,
    conditionExpression: string,
    names: Record<string, string>,
    values: Record<string, AttributeValue>,
  ): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const output = await this.table.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table.tableName,
          Key: this.itemKey(key),
          UpdateExpression: updateExpression,
          ConditionExpression: conditionExpression,
          ...(Object.keys(names).length > 0 && { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new QuarantineStoreError(operation, { cause: error });
    }
  }

  /** @returns whether the item was deleted (false when the condition did not hold) */
  private async delete(
    operation: string,
    key: string,
    conditionExpression: string,
    values?: Record<string, AttributeValue>,
    names?: Record<string, string>,
  ): Promise<boolean> {
    try {
      await this.table.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.table.tableName,
          Key: this.itemKey(key),
          ConditionExpression: conditionExpression,
          ...(names && { ExpressionAttributeNames: names }),
          ...(values && { ExpressionAttributeValues: values }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new QuarantineStoreError(operation, { cause: error });
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new QuarantineStoreError(operation, { cause: error });
    }
  }
}

function marshalEntry(entry: QuarantineEntry): Record<string, AttributeValue> {
  return {
    epoch: { S: entry.epoch },
    since: { N: String(entry.since) },
    enqueued: { N: String(entry.enqueued) },
    delivered: { N: String(entry.delivered) },
    // Empty strings are refused in key attributes only; these are not keys.
    shard: { S: entry.shard },
    lastSeq: { S: entry.lastSeq },
  };
}
