import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/*
 * An item's size as DynamoDB counts it against its 400 KB limit
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * names and strings in UTF-8 bytes, a number one byte per two significant digits plus one, a map or list
 * three bytes plus one per element. dynalite does not enforce the limit, so tests judge sizes with this.
 */

const MAP_OR_LIST_OVERHEAD = 3;
const ELEMENT_OVERHEAD = 1;

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function numberSize(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '');
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(significant.length / 2) + 1;
}

/** The size of one value, without its name. */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [name, nested]) => sum + utf8(name) + attributeValueSize(nested) + ELEMENT_OVERHEAD,
      MAP_OR_LIST_OVERHEAD,
    );
  }
  if (value.L !== undefined) {
    return value.L.reduce(
      (sum, nested) => sum + attributeValueSize(nested) + ELEMENT_OVERHEAD,
      MAP_OR_LIST_OVERHEAD,
    );
  }
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberSize(text), 0);
  throw new Error(`no size rule for ${JSON.stringify(value)}`);
}

/** The size of an item: every attribute's name and value. */
export function dynamoDbItemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + attributeValueSize(value), 0);
}
