import { randomUUID } from 'node:crypto';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { judgeBatchResponse, type BatchVerdict } from './batch-response';
import type { SchedulerClock } from './scheduler-clock';
import { createLambdaContext } from './lambda-context';
import type { LastInvocation } from './on-failure-record';
import { toKinesisEventRecord, type EventSource, type StreamRecord } from './stream-record';

/** The function under the mapping: the real consumer handler in the game day, a double in tests. */
export type KinesisHandlerFunction = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse | void> | KinesisStreamBatchResponse | void;

export type InvocationResult = LastInvocation & {
  /** `function-error`: threw, rejected or timed out; otherwise how the response was judged. */
  readonly verdict: BatchVerdict | { readonly kind: 'function-error'; readonly message: string };
};

export interface FunctionUnderTest {
  readonly handler: KinesisHandlerFunction;
  readonly functionName: string;
  readonly functionArn: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly reportBatchItemFailures: boolean;
}

/** Lambda's Invoke answers 200 also for a function error; the error is in FunctionError. */
const INVOKE_STATUS_OK = 200;
const UNHANDLED = 'Unhandled';
const MILLIS_PER_SECOND = 1000;

/**
 * Invokes the handler once with the batch as a Kinesis event. A handler that has not settled when
 * the function timeout passes counts as a function error, like Lambda's `Sandbox.Timedout`; its
 * promise keeps running (JavaScript cannot kill it), its late result is ignored.
 */
export async function invokeFunction(
  fn: FunctionUnderTest,
  source: EventSource,
  batch: readonly StreamRecord[],
  clock: SchedulerClock,
): Promise<InvocationResult> {
  const requestId = randomUUID();
  const timeoutMillis = fn.timeoutSeconds * MILLIS_PER_SECOND;
  const context = createLambdaContext({
    functionName: fn.functionName,
    functionArn: fn.functionArn,
    memorySizeMb: fn.memorySizeMb,
    requestId,
    deadlineMillis: clock.now() + timeoutMillis,
    now: () => clock.now(),
  });
  const event: KinesisStreamEvent = { Records: batch.map((record) => toKinesisEventRecord(record, source)) };
  const timedOut = Symbol('timed out');
  const stopTimer = new AbortController();
  try {
    const response = await Promise.race([
      Promise.resolve().then(() => fn.handler(event, context)),
      clock.sleep(timeoutMillis, stopTimer.signal).then(() => timedOut),
    ]);
    if (response === timedOut) {
      return functionError(requestId, `Task timed out after ${fn.timeoutSeconds} seconds`);
    }
    return {
      requestId,
      statusCode: INVOKE_STATUS_OK,
      verdict: judgeBatchResponse(response, batch, fn.reportBatchItemFailures),
    };
  } catch (error) {
    return functionError(requestId, error instanceof Error ? error.message : String(error));
  } finally {
    stopTimer.abort();
  }
}

function functionError(requestId: string, message: string): InvocationResult {
  return {
    requestId,
    statusCode: INVOKE_STATUS_OK,
    functionError: UNHANDLED,
    verdict: { kind: 'function-error', message },
  };
}
