import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { ON_FAILURE_OBJECT_ROOT, parseOnFailureObjectKey } from '../../contracts';
import { readBatchInfo } from './batch-position';
import { DiscardRefusedError } from './errors';

/** Where discard audit records go: outside `aws/lambda/`, so no redrive, census or consumer role touches them. */
export const DISCARD_AUDIT_PREFIX = 'audit/discarded/';
/** A reason an auditor can read: at least a few words' worth, at most a paragraph. */
export const DISCARD_REASON_CHARS = { min: 8, max: 2_000 } as const;

/**
 * What an auditor finds under `audit/discarded/` for each failed batch removed on purpose: who (the
 * caller's IAM principal, as STS tells it, and the machine user), what (the object and its batch:
 * shard, sequence range, size, ETag), when and why.
 */
export interface DiscardAuditRecord {
  readonly action: 'discard-failed-batch';
  readonly at: string;
  readonly actor: { readonly principalArn: string; readonly osUser: string; readonly host: string };
  readonly reason: string;
  readonly object: {
    readonly bucket: string;
    readonly key: string;
    readonly sizeBytes?: number;
    readonly eTag?: string;
    readonly lastModified?: string;
  };
  /** The object's KinesisBatchInfo, or why it could not be read (the object is discarded all the same). */
  readonly batch: Readonly<Record<string, unknown>> | { readonly unreadable: string };
}

export interface DiscardOptions {
  readonly bucket: string;
  /** One object key, or a prefix ending in `/` (at least `aws/lambda/<mapping UUID>/`). */
  readonly target: string;
  readonly reason: string;
  readonly s3: S3Client;
  /** The caller's IAM principal ARN (STS GetCallerIdentity); a discard without one is refused. */
  readonly whoAmI: () => Promise<string>;
  /** @default Date.now */
  readonly now?: () => number;
  /** Called after each object, with its audit record. */
  readonly onDiscarded?: (record: DiscardAuditRecord, auditKey: string) => void;
}

export interface DiscardSummary {
  readonly discarded: readonly { readonly key: string; readonly auditKey: string }[];
}

/**
 * Removes failed batches on purpose: for each object, first writes its audit record (who, what, when,
 * why) to `audit/discarded/` in the same bucket, then deletes the object. The order means no object is
 * ever gone without its record; a crash between the two leaves a record of an object still there, and
 * a rerun writes a second one. Deleting the object is what ends its page: the controller's census no
 * longer sees it (docs/architecture.md, "Failed batches: the page").
 * @throws {DiscardRefusedError} for a reason too short or long, a target outside `aws/lambda/<mapping>/`,
 *   a key that does not exist, or a caller STS cannot name
 */
export async function discardFailedBatches(options: DiscardOptions): Promise<DiscardSummary> {
  const reason = options.reason.trim();
  if (reason.length < DISCARD_REASON_CHARS.min || reason.length > DISCARD_REASON_CHARS.max) {
    throw new DiscardRefusedError(
      `--reason has ${reason.length} characters; allowed ${DISCARD_REASON_CHARS.min}..${DISCARD_REASON_CHARS.max}: say why, for the audit record`,
    );
  }
  const keys = await keysOf(options.s3, options.bucket, options.target);
  let principalArn: string;
  try {
    principalArn = await options.whoAmI();
  } catch (error) {
    throw new DiscardRefusedError(
      `cannot tell who is discarding (STS GetCallerIdentity failed: ${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const actor = { principalArn, osUser: userInfo().username, host: hostname() };
  const now = options.now ?? Date.now;
  const discarded: { key: string; auditKey: string }[] = [];
  for (const key of keys) {
    // An object gone since the listing (a redrive put it back and deleted it) is not discarded: no
    // audit record says so, and the rest of the target is still discarded.
    let head;
    try {
      head = await options.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }));
    } catch (error) {
      if (isGone(error)) continue;
      throw error;
    }
    let batch: DiscardAuditRecord['batch'];
    try {
      batch = await readBatchInfo(options.s3, options.bucket, key);
    } catch (error) {
      if (isGone(error)) continue;
      batch = { unreadable: error instanceof Error ? error.message : String(error) };
    }
    const at = new Date(now()).toISOString();
    const record: DiscardAuditRecord = {
      action: 'discard-failed-batch',
      at,
      actor,
      reason,
      object: {
        bucket: options.bucket,
        key,
        sizeBytes: head.ContentLength,
        eTag: head.ETag,
        lastModified: head.LastModified?.toISOString(),
      },
      batch,
    };
    const auditKey = auditKeyOf(key, at);
    await options.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: auditKey,
        Body: JSON.stringify(record, null, 2),
        ContentType: 'application/json',
      }),
    );
    await options.s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }));
    discarded.push({ key, auditKey });
    options.onDiscarded?.(record, auditKey);
  }
  return { discarded };
}

/** S3's answer for a key that does not exist: `NotFound` to HeadObject, `NoSuchKey` to GetObject. */
function isGone(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NotFound' || name === 'NoSuchKey';
}

/** `audit/discarded/YYYY/MM/DD/<ISO time>-<16 hex of the key's SHA-256>.json`: sorted by time, one per discard. */
export function auditKeyOf(key: string, atIso: string): string {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `${DISCARD_AUDIT_PREFIX}${atIso.slice(0, 10).replaceAll('-', '/')}/${atIso}-${digest}.json`;
}

async function keysOf(s3: S3Client, bucket: string, target: string): Promise<string[]> {
  if (!target.endsWith('/')) {
    if (parseOnFailureObjectKey(target) === undefined) {
      throw new DiscardRefusedError(
        `--discard ${JSON.stringify(target)} is not a failed-batch key (aws/lambda/<mapping UUID>/<shard>/...)`,
      );
    }
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: target }));
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFound') {
        throw new DiscardRefusedError(`--discard ${target}: no such object in ${bucket}`);
      }
      throw error;
    }
    return [target];
  }
  // A prefix must name at least one mapping: a typo must not discard the whole bucket.
  if (!/^aws\/lambda\/[0-9a-f-]{36}\//.test(target)) {
    throw new DiscardRefusedError(
      `--discard ${JSON.stringify(target)}: a prefix must start with ${ON_FAILURE_OBJECT_ROOT}<mapping UUID>/`,
    );
  }
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: target, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  if (keys.length === 0)
    throw new DiscardRefusedError(`--discard ${target}: no object under it in ${bucket}`);
  return keys;
}
