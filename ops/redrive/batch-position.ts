import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { JSONParser } from '@streamparser/json';
import { MalformedMessageError } from './errors';

const BATCH_INFO_PATH = '$.KinesisBatchInfo';
const SEQUENCE_NUMBER = /^\d{1,128}$/;

/**
 * The first sequence number of a failed batch (`KinesisBatchInfo.startSequenceNumber`), read by a
 * streamed parse of the object that stops as soon as the value is seen: Lambda writes the invocation
 * record before `payload`, so usually only the first chunk is read, and whatever the field order
 * nothing of the object is kept but the parser's current token. This is what lets the redrive order
 * a shard's objects without holding them (docs/architecture.md, "Redrive in bounded memory").
 * @throws {MalformedMessageError} when the object is not JSON or has no such sequence number
 */
export async function readBatchStart(s3: S3Client, bucket: string, key: string): Promise<bigint> {
  const start = (await readBatchInfo(s3, bucket, key)).startSequenceNumber;
  if (typeof start !== 'string' || !SEQUENCE_NUMBER.test(start)) {
    throw new MalformedMessageError(key, 'has no KinesisBatchInfo.startSequenceNumber');
  }
  return BigInt(start);
}

/**
 * The object's `KinesisBatchInfo` (shard, sequence range, batch size, stream), by the same streamed
 * parse as {@link readBatchStart}.
 * @throws {MalformedMessageError} when the object is not JSON or has no KinesisBatchInfo object
 */
export async function readBatchInfo(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<Readonly<Record<string, unknown>>> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = response.Body as Readable | undefined;
  if (body === undefined) throw new MalformedMessageError(key, 'is empty');
  const parser = new JSONParser({ paths: [BATCH_INFO_PATH], keepStack: false });
  let info: unknown;
  let found = false;
  parser.onValue = ({ value }) => {
    info = value;
    found = true;
  };
  try {
    for await (const chunk of body) {
      try {
        parser.write(chunk as Uint8Array);
      } catch {
        throw new MalformedMessageError(key, 'is not JSON');
      }
      if (found) break;
    }
  } finally {
    // Stop the download: the rest of the object (its payload) is not needed to place it.
    body.destroy();
  }
  if (!found || typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw new MalformedMessageError(key, 'has no KinesisBatchInfo');
  }
  return info as Record<string, unknown>;
}
