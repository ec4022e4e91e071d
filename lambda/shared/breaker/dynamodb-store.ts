import {
  ConditionalCheckFailedException,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDbApi } from './dynamodb-api';
import {
  marshalValue,
  unmarshalItem,
  type AttributeInput,
  type BreakerAttribute,
  type BreakerItem,
} from './item';
import { BreakerStoreError, type BreakerStore, type Condition, type ItemUpdate } from './store';

/** Where the breaker table is: the SDK client to reach it, and its name. */
export interface BreakerTable {
  readonly dynamodb: DynamoDbApi;
  readonly tableName: string;
}

/**
 * Breaker items in DynamoDB. Every write is one UpdateItem with a ConditionExpression and
 * ReturnValues ALL_NEW (so the caller's cache is refreshed by the write itself); no transactions.
 */
export class DynamoDbBreakerStore implements BreakerStore {
  constructor(private readonly table: BreakerTable) {}

  async get(name: string): Promise<BreakerItem | undefined> {
    const output = await this.send('GetItem', () =>
      this.table.dynamodb.send(
        new GetItemCommand({ TableName: this.table.tableName, Key: key(name), ConsistentRead: true }),
      ),
    );
    return output.Item && unmarshalItem(output.Item);
  }

  async update(name: string, update: ItemUpdate, condition: Condition): Promise<BreakerItem | undefined> {
    const expression = new ExpressionBuilder();
    const updateExpression = expression.update(update);
    const conditionExpression = expression.condition(condition);
    try {
      const output = await this.table.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table.tableName,
          Key: key(name),
          UpdateExpression: updateExpression,
          ConditionExpression: conditionExpression,
          ExpressionAttributeNames: expression.names,
          ...(Object.keys(expression.values).length > 0 && { ExpressionAttributeValues: expression.values }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes && unmarshalItem(output.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new BreakerStoreError('UpdateItem', { cause: error });
    }
  }

  private send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return wrapFailure(operation, call);
  }
}

/**
 * Every breaker item (Scan, all pages, consistent), sorted by name. A function of its own, not a
 * method of the store, so a handler that never lists breakers (the consumer) does not bundle the
 * Scan: the access-path check reads what each bundle sends (docs/architecture.md, "Access paths").
 * @throws {BreakerStoreError} when DynamoDB fails
 */
export async function scanBreakerItems(table: BreakerTable): Promise<BreakerItem[]> {
  const items: BreakerItem[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const output = await wrapFailure('Scan', () =>
      table.dynamodb.send(
        new ScanCommand({
          TableName: table.tableName,
          ConsistentRead: true,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      ),
    );
    items.push(...(output.Items ?? []).map(unmarshalItem));
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return items.sort((a, b) => a.name.localeCompare(b.name));
}

async function wrapFailure<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new BreakerStoreError(operation, { cause: error });
  }
}

function key(name: string): Record<string, AttributeValue> {
  return { name: { S: name } };
}

/** Renders {@link ItemUpdate} and {@link Condition} with placeholders for every name and value. */
class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  private valueCount = 0;
  private readonly entryNames = new Map<string, string>();

  update(update: ItemUpdate): string {
    const set = Object.entries(update.set ?? {})
      .filter(([, value]) => value !== undefined)
      .map(
        ([attribute, value]) =>
          `${this.name(attribute as BreakerAttribute)} = ${this.value(attribute as BreakerAttribute, value)}`,
      );
    const add = Object.entries(update.add ?? {}).map(
      ([attribute, value]) =>
        `${this.name(attribute as BreakerAttribute)} ${this.value(attribute as BreakerAttribute, value)}`,
    );
    for (const [attribute, members] of Object.entries(update.addMembers ?? {})) {
      add.push(
        `${this.name(attribute as BreakerAttribute)} ${this.value(attribute as BreakerAttribute, members)}`,
      );
    }
    const remove = (update.remove ?? []).map((attribute) => this.name(attribute));
    const entries = update.entries;
    if (entries !== undefined) {
      const map = this.name(entries.attribute);
      for (const [key, value] of Object.entries(entries.set)) {
        set.push(`${map}.${this.entry(key)} = ${this.value(entries.attribute, value)}`);
      }
      for (const key of entries.remove ?? []) remove.push(`${map}.${this.entry(key)}`);
    }
    return [
      set.length > 0 ? `SET ${set.join(', ')}` : '',
      add.length > 0 ? `ADD ${add.join(', ')}` : '',
      remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '',
    ]
      .filter((clause) => clause !== '')
      .join(' ');
  }

  condition(condition: Condition): string {
    switch (condition.kind) {
      case 'itemExists':
        return `${condition.exists ? 'attribute_exists' : 'attribute_not_exists'}(${this.name('name')})`;
      case 'equals':
        return `${this.name(condition.attribute)} = ${this.value(condition.attribute, condition.value)}`;
      case 'atMost':
        return `${this.name(condition.attribute)} <= ${this.value(condition.attribute, condition.value)}`;
      case 'missing':
        return `attribute_not_exists(${this.name(condition.attribute)})`;
      case 'sizeBelow': {
        const set = this.name(condition.attribute);
        // 'version' only picks the number type of the value placeholder.
        // Unparenthesised: `all`, `any` and `not` wrap their parts, and DynamoDB refuses redundant parentheses.
        return `attribute_not_exists(${set}) OR size(${set}) < ${this.value('version', condition.value)}`;
      }
      case 'entryEquals':
        return `${this.name(condition.attribute)}.${this.entry(condition.key)} = ${this.value(condition.attribute, condition.value)}`;
      case 'all':
        return condition.of.map((part) => `(${this.condition(part)})`).join(' AND ');
      case 'any':
        return condition.of.map((part) => `(${this.condition(part)})`).join(' OR ');
      case 'not':
        return `NOT (${this.condition(condition.of)})`;
    }
  }

  private name(attribute: BreakerAttribute): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** A map entry's key: any string, so always a placeholder of its own. */
  private entry(key: string): string {
    let placeholder = this.entryNames.get(key);
    if (placeholder === undefined) {
      placeholder = `#e${this.entryNames.size}`;
      this.entryNames.set(key, placeholder);
      this.names[placeholder] = key;
    }
    return placeholder;
  }

  private value(attribute: BreakerAttribute, value: AttributeInput): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = marshalValue(attribute, value);
    return placeholder;
  }
}
