import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue as StreamAttributeValue } from 'aws-lambda';

/**
 * Converts an attribute as the SDK returns it (binary as bytes) into the JSON form a DynamoDB stream
 * event carries (binary as base64).
 */
export function toStreamAttributeValue(value: SdkAttributeValue): StreamAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toStreamAttributeValue) };
  if (value.M !== undefined) return { M: toStreamImage(value.M) };
  throw new Error(`unsupported DynamoDB attribute value: ${JSON.stringify(Object.keys(value))}`);
}

export type StreamImage = Record<string, StreamAttributeValue>;

export function toStreamImage(item: Record<string, SdkAttributeValue>): StreamImage {
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => [name, toStreamAttributeValue(value)]),
  );
}

/** JSON with keys sorted at every level, so equal images compare equal as strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
