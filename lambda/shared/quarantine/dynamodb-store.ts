import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { paddedSequenceNumber, setAttributeName, type QuarantineEntry, type QuarantineSet } from './set';
import {
  QuarantineStoreError,
  type AppendResult,
  type EnterResult,
  type MarkResult,
  type QuarantineStore,
} from './store';

export interface QuarantineTable {
  /** The breaker table's client (the set is an attribute of the breaker item). */
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /** The breaker item the set rides on. */
  readonly breakerName: string;
  /** Whose set: consumers sharing a breaker each have their own attribute. */
  readonly consumerName: string;
}

/** Placeholders every expression uses: the set attribute, the key inside it, the item's state. */
const SET = '#q';
const KEY = '#k';
const ENTRY = `${SET}.${KEY}`;

/**
 * The set as a map attribute of the breaker item (docs/architecture.md, "Per-key quarantine"). Every
 * write is one conditional UpdateItem on that item; a failed condition is answered by a strongly
 * consistent read that tells the cases apart (dynalite ignores ReturnValuesOnConditionCheckFailure).
 * Nested paths are written with SET and `+`: DynamoDB's ADD takes top-level attributes only.
 */
export class DynamoDbQuarantineStore implements QuarantineStore {
  private readonly attribute: string;

  constructor(private readonly table: QuarantineTable) {
    this.attribute = setAttributeName(table.consumerName);
  }

  async read(): Promise<QuarantineSet> {
    const output = await this.call('GetItem', () =>
      this.table.dynamodb.send(
        new GetItemCommand({
          TableName: this.table.tableName,
          Key: this.key(),
          ConsistentRead: true,
          ProjectionExpression: SET,
          ExpressionAttributeNames: { [SET]: this.attribute },
        }),
      ),
    );
    return unmarshalSet(output.Item?.[this.attribute]);
  }

  async enter(key: string, stay: { epoch: string; since: number }, maxKeys: number): Promise<EnterResult> {
    // The map must exist before a key can be set inside it; the breaker item must exist (the breaker
    // creates it with every attribute, and a stub item would break that invariant).
    const mapReady = await this.update(
      'UpdateItem(ensure set)',
      `SET ${SET} = if_not_exists(${SET}, :empty)`,
      'attribute_exists(#state)',
      { '#state': 'state' },
      { ':empty': { M: {} } },
    );
    if (!mapReady) return 'no-item';
    const entry: QuarantineEntry = { ...stay, enqueued: 0, delivered: 0, shard: '', lastSeq: '' };
    const entered = await this.update(
      'UpdateItem(enter)',
      `SET ${ENTRY} = :entry`,
      `attribute_not_exists(${ENTRY}) AND size(${SET}) < :max`,
      { [KEY]: key },
      { ':entry': { M: marshalEntry(entry) }, ':max': { N: String(maxKeys) } },
    );
    if (entered) return 'entered';
    const current = await this.read();
    return current.has(key) ? 'present' : 'full';
  }

  async append(key: string, position: { shard: string; sequenceNumber: string }): Promise<AppendResult> {
    const seq = paddedSequenceNumber(position.sequenceNumber);
    const attributes = await this.updateReturning(
      'UpdateItem(append)',
      `SET ${ENTRY}.enqueued = ${ENTRY}.enqueued + :one, ${ENTRY}.#shard = :shard, ${ENTRY}.lastSeq = :seq`,
      `attribute_exists(${ENTRY}) AND (${ENTRY}.#shard <> :shard OR ${ENTRY}.lastSeq < :seq)`,
      { [KEY]: key, '#shard': 'shard' },
      { ':one': { N: '1' }, ':shard': { S: position.shard }, ':seq': { S: seq } },
    );
    if (attributes !== undefined) {
      const entry = unmarshalSet(attributes[this.attribute]).get(key);
      if (entry !== undefined) return { kind: 'appended', epoch: entry.epoch, ticket: entry.enqueued };
    }
    const entry = (await this.read()).get(key);
    if (entry === undefined) return { kind: 'absent' };
    if (entry.shard === position.shard && entry.lastSeq === seq) {
      return { kind: 'resend', epoch: entry.epoch, ticket: entry.enqueued };
    }
    return { kind: 'sent-before' };
  }

  async markDelivered(key: string, epoch: string, ticket: number): Promise<MarkResult> {
    const marked = await this.update(
      'UpdateItem(delivered)',
      `SET ${ENTRY}.delivered = :ticket`,
      `${ENTRY}.epoch = :epoch AND ${ENTRY}.delivered < :ticket`,
      { [KEY]: key },
      { ':epoch': { S: epoch }, ':ticket': { N: String(ticket) } },
    );
    if (marked) return 'marked';
    const entry = (await this.read()).get(key);
    return entry === undefined || entry.epoch !== epoch ? 'stale' : 'already';
  }

  release(key: string, epoch: string): Promise<boolean> {
    return this.update(
      'UpdateItem(release)',
      `REMOVE ${ENTRY}`,
      `${ENTRY}.epoch = :epoch AND ${ENTRY}.delivered = ${ENTRY}.enqueued`,
      { [KEY]: key },
      { ':epoch': { S: epoch } },
    );
  }

  park(key: string, epoch: string, reason: string): Promise<boolean> {
    return this.update(
      'UpdateItem(park)',
      `SET ${ENTRY}.parked = :reason`,
      `${ENTRY}.epoch = :epoch`,
      { [KEY]: key },
      { ':epoch': { S: epoch }, ':reason': { S: reason } },
    );
  }

  forceRemove(key: string): Promise<boolean> {
    return this.update('UpdateItem(remove)', `REMOVE ${ENTRY}`, `attribute_exists(${ENTRY})`, { [KEY]: key });
  }

  private key(): Record<string, AttributeValue> {
    return { name: { S: this.table.breakerName } };
  }

  private async update(
    operation: string,
    updateExpression: string,
    conditionExpression: string,
    names: Record<string, string>,
    values?: Record<string, AttributeValue>,
  ): Promise<boolean> {
    const attributes = await this.updateReturning(
      operation,
      updateExpression,
      conditionExpression,
      names,
      values,
    );
    return attributes !== undefined;
  }

  /** @returns the item after the write (ALL_NEW), or undefined when the condition did not hold */
  private async updateReturning(
    operation: string,
    updateExpression: string,
    conditionExpression: string,
    names: Record<string, string>,
    values?: Record<string, AttributeValue>,
  ): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const output = await this.table.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table.tableName,
          Key: this.key(),
          UpdateExpression: updateExpression,
          ConditionExpression: conditionExpression,
          ExpressionAttributeNames: { [SET]: this.attribute, ...names },
          ...(values && { ExpressionAttributeValues: values }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
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
    // DynamoDB refuses an empty string inside a key attribute only; in a map it is allowed.
    shard: { S: entry.shard },
    lastSeq: { S: entry.lastSeq },
  };
}

/** The set from its low-level form; an absent attribute is an empty set. */
export function unmarshalSet(raw: AttributeValue | undefined): QuarantineSet {
  const set = new Map<string, QuarantineEntry>();
  for (const [key, value] of Object.entries(raw?.M ?? {})) {
    const fields = value.M ?? {};
    set.set(key, {
      epoch: fields.epoch?.S ?? '',
      since: Number(fields.since?.N ?? 0),
      enqueued: Number(fields.enqueued?.N ?? 0),
      delivered: Number(fields.delivered?.N ?? 0),
      shard: fields.shard?.S ?? '',
      lastSeq: fields.lastSeq?.S ?? '',
      ...(fields.parked?.S !== undefined && { parked: fields.parked.S }),
    });
  }
  return set;
}
