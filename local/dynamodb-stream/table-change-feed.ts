import { randomUUID } from 'node:crypto';
import {
  DescribeTableCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  createLambdaContext,
  judgeBatchResponse,
  systemSchedulerClock,
  type SchedulerClock,
} from '../event-source-mapping';
import { diffSnapshots, snapshotOf, type TableSnapshot } from './image-diff';
import { toStreamImage } from './stream-attribute-value';
import { toDynamoDbRecord } from './stream-record';

/** The function on the table's stream: the real breaker controller in the game day. */
export type DynamoDbStreamHandlerFunction = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | void> | DynamoDBBatchResponse | void;

export interface TableChangeFeedOptions {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly handler: DynamoDbStreamHandlerFunction;
  /** @default 'local-stream-consumer' */
  readonly functionName?: string;
  /** @default - an ARN in the table's account and region */
  readonly functionArn?: string;
  /** Pause between two scans. @default 100 */
  readonly pollIntervalMillis?: number;
  /** Records per invocation. @default 100 (the DynamoDB event source default) */
  readonly batchSize?: number;
  /** Retries of a failing batch; -1 retries until it succeeds (Lambda: until the record expires). @default -1 */
  readonly maxRetryAttempts?: number;
  /** First delay before retrying a failed invocation, doubling per failure. @default 100 */
  readonly retryBaseDelayMillis?: number;
  /** @default 3200 */
  readonly retryMaxDelayMillis?: number;
  /** @default true */
  readonly reportBatchItemFailures?: boolean;
  /** Function timeout. @default 30 */
  readonly timeoutSeconds?: number;
  readonly clock?: SchedulerClock;
  /** A failed scan, a failed invocation, or a batch dropped after its retries. @default - ignored */
  readonly onError?: (error: unknown, during: 'scan' | 'invoke' | 'discard') => void;
}

export interface TableChangeFeedStats {
  readonly scans: number;
  readonly scanErrors: number;
  readonly recordsEmitted: number;
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly recordsDelivered: number;
  readonly recordsDiscarded: number;
  /** Records emitted and not yet delivered successfully. */
  readonly pendingRecords: number;
}

type Counters = { -readonly [K in keyof TableChangeFeedStats]: TableChangeFeedStats[K] };

const DEFAULTS = {
  functionName: 'local-stream-consumer',
  pollIntervalMillis: 100,
  batchSize: 100,
  maxRetryAttempts: -1,
  retryBaseDelayMillis: 100,
  retryMaxDelayMillis: 3200,
  reportBatchItemFailures: true,
  timeoutSeconds: 30,
};
const MILLIS_PER_SECOND = 1000;
/** First sequence number handed out; any positive start works, this one looks like the real ones. */
const FIRST_SEQUENCE = 100_000_000_000_000_000_000n;

/**
 * An emulation of a NEW_AND_OLD_IMAGES DynamoDB stream with a Lambda function on it. dynalite has no
 * streams, so this scans the table (ConsistentRead) every poll interval and turns the differences
 * between two scans into INSERT/MODIFY/REMOVE records, in order per item. Limits of the emulation:
 * several writes to one item within one interval arrive as one change (final image only), and
 * the items present at start() are the baseline and produce no records.
 *
 * Delivery behaves like Lambda's stream event source: batches in order, a failed invocation (thrown,
 * rejected, timed out or an invalid batch item failure) is retried with back-off until it succeeds or
 * maxRetryAttempts is spent; a reported item failure checkpoints before the lowest failed
 * SequenceNumber.
 */
export class DynamoDbTableChangeFeed {
  private readonly clock: SchedulerClock;
  private readonly settings: typeof DEFAULTS;
  private readonly stopController = new AbortController();
  private readonly pending: DynamoDBRecord[] = [];
  private running: Promise<void>[] = [];
  /** A bug in a loop: it stops the feed and stop() rethrows it. */
  private crash: Error | undefined;
  private keyAttributes: string[] = [];
  private streamArn = '';
  private region = '';
  private snapshot: TableSnapshot = new Map();
  private nextSequence = FIRST_SEQUENCE;
  private readonly counters: Counters = {
    scans: 0,
    scanErrors: 0,
    recordsEmitted: 0,
    invocations: 0,
    failedInvocations: 0,
    recordsDelivered: 0,
    recordsDiscarded: 0,
    pendingRecords: 0,
  };

  constructor(private readonly options: TableChangeFeedOptions) {
    this.clock = options.clock ?? systemSchedulerClock;
    this.settings = {
      functionName: options.functionName ?? DEFAULTS.functionName,
      pollIntervalMillis: options.pollIntervalMillis ?? DEFAULTS.pollIntervalMillis,
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      maxRetryAttempts: options.maxRetryAttempts ?? DEFAULTS.maxRetryAttempts,
      retryBaseDelayMillis: options.retryBaseDelayMillis ?? DEFAULTS.retryBaseDelayMillis,
      retryMaxDelayMillis: options.retryMaxDelayMillis ?? DEFAULTS.retryMaxDelayMillis,
      reportBatchItemFailures: options.reportBatchItemFailures ?? DEFAULTS.reportBatchItemFailures,
      timeoutSeconds: options.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
    };
  }

  /** Reads the key schema, takes the baseline scan and starts polling and delivering. */
  async start(): Promise<void> {
    const { Table } = await this.options.dynamodb.send(
      new DescribeTableCommand({ TableName: this.options.tableName }),
    );
    const tableArn = Table?.TableArn ?? '';
    this.keyAttributes = (Table?.KeySchema ?? []).map((key) => key.AttributeName ?? '');
    this.region = tableArn.split(':')[3] ?? '';
    this.streamArn = `${tableArn}/stream/${new Date(this.clock.now()).toISOString().replace('Z', '')}`;
    this.snapshot = await this.scan();
    this.running = [this.pollLoop(), this.deliverLoop()].map((loop) =>
      loop.catch((error: unknown) => {
        this.crash ??=
          error instanceof Error ? error : new Error(`loop failed with ${JSON.stringify(error)}`);
        this.stopController.abort();
      }),
    );
  }

  /**
   * Stops polling; waits for the invocation in flight. Undelivered records are dropped.
   * @throws the error that crashed a loop (e.g. a throwing onError), if one did
   */
  async stop(): Promise<void> {
    this.stopController.abort();
    await Promise.all(this.running);
    if (this.crash !== undefined) throw this.crash;
  }

  stats(): TableChangeFeedStats {
    return { ...this.counters, pendingRecords: this.pending.length };
  }

  /** The ARN the records carry as eventSourceARN (`<table ARN>/stream/<label>`). */
  get eventSourceArn(): string {
    return this.streamArn;
  }

  private async pollLoop(): Promise<void> {
    const stopping = this.stopController.signal;
    while (!stopping.aborted) {
      await this.clock.sleep(this.settings.pollIntervalMillis, stopping);
      if (stopping.aborted) return;
      try {
        const next = await this.scan();
        const createdAtMillis = this.clock.now();
        for (const change of diffSnapshots(this.snapshot, next)) {
          this.pending.push(
            toDynamoDbRecord(change, {
              sequence: this.nextSequence++,
              region: this.region,
              streamArn: this.streamArn,
              createdAtMillis,
            }),
          );
          this.counters.recordsEmitted += 1;
        }
        this.snapshot = next;
      } catch (error) {
        // The table is unreachable (e.g. the store-outage rehearsal): keep the last snapshot, try again.
        this.counters.scanErrors += 1;
        this.options.onError?.(error, 'scan');
      }
    }
  }

  private async deliverLoop(): Promise<void> {
    const stopping = this.stopController.signal;
    let retries = 0;
    let consecutiveFailures = 0;
    while (!stopping.aborted) {
      if (this.pending.length === 0) {
        await this.clock.sleep(this.settings.pollIntervalMillis, stopping);
        continue;
      }
      const batch = this.pending.slice(0, this.settings.batchSize);
      const delivered = await this.invoke(batch);
      this.pending.splice(0, delivered);
      this.counters.recordsDelivered += delivered;
      if (delivered === batch.length) {
        retries = 0;
        consecutiveFailures = 0;
        continue;
      }
      retries += 1;
      consecutiveFailures += 1;
      const { maxRetryAttempts } = this.settings;
      if (maxRetryAttempts !== -1 && retries > maxRetryAttempts) {
        // A DynamoDB stream mapping without an on-failure destination skips the batch.
        const dropped = this.pending.splice(0, batch.length - delivered);
        this.counters.recordsDiscarded += dropped.length;
        this.options.onError?.(
          new Error(`dropped ${dropped.length} stream records after ${retries} attempts`),
          'discard',
        );
        retries = 0;
        continue;
      }
      const delay = Math.min(
        this.settings.retryMaxDelayMillis,
        this.settings.retryBaseDelayMillis * 2 ** Math.min(consecutiveFailures - 1, 30),
      );
      await this.clock.sleep(delay, stopping);
    }
  }

  /** @returns how many records of the batch are behind the checkpoint after this invocation */
  private async invoke(batch: DynamoDBRecord[]): Promise<number> {
    const functionName = this.settings.functionName;
    const requestId = randomUUID();
    const timeoutMillis = this.settings.timeoutSeconds * MILLIS_PER_SECOND;
    const context = createLambdaContext({
      functionName,
      functionArn:
        this.options.functionArn ?? `arn:aws:lambda:${this.region}:000000000000:function:${functionName}`,
      memorySizeMb: 128,
      requestId,
      deadlineMillis: this.clock.now() + timeoutMillis,
      now: () => this.clock.now(),
    });
    this.counters.invocations += 1;
    const stopTimer = new AbortController();
    const timedOut = Symbol('timed out');
    try {
      const response = await Promise.race([
        Promise.resolve().then(() => this.options.handler({ Records: batch }, context)),
        this.clock.sleep(timeoutMillis, stopTimer.signal).then(() => timedOut),
      ]);
      if (response === timedOut)
        throw new Error(`Task timed out after ${this.settings.timeoutSeconds} seconds`);
      const verdict = judgeBatchResponse(
        response,
        batch.map((record) => ({ sequenceNumber: record.dynamodb?.SequenceNumber ?? '' })),
        this.settings.reportBatchItemFailures,
      );
      if (verdict.kind === 'success') return batch.length;
      this.counters.failedInvocations += 1;
      if (verdict.kind === 'partial') return verdict.failedIndex;
      this.options.onError?.(new Error(`invalid batch response: ${verdict.reason}`), 'invoke');
      return 0;
    } catch (error) {
      this.counters.failedInvocations += 1;
      this.options.onError?.(error, 'invoke');
      return 0;
    } finally {
      stopTimer.abort();
    }
  }

  private async scan(): Promise<TableSnapshot> {
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.options.dynamodb.send(
        new ScanCommand({
          TableName: this.options.tableName,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    this.counters.scans += 1;
    return snapshotOf(items.map(toStreamImage), this.keyAttributes);
  }
}
