import type { Context } from 'aws-lambda';
import { EXECUTED_VERSION } from './on-failure-record';

/** The context object of one local invocation; getRemainingTimeInMillis counts down to the timeout. */
export function createLambdaContext(params: {
  readonly functionName: string;
  readonly functionArn: string;
  readonly memorySizeMb: number;
  readonly requestId: string;
  readonly deadlineMillis: number;
  readonly now: () => number;
}): Context {
  const callbackStyle = (): never => {
    throw new Error('the local runtime invokes async handlers only; return a promise instead');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: params.functionName,
    functionVersion: EXECUTED_VERSION,
    invokedFunctionArn: params.functionArn,
    memoryLimitInMB: String(params.memorySizeMb),
    awsRequestId: params.requestId,
    logGroupName: `/aws/lambda/${params.functionName}`,
    logStreamName: `local/[${EXECUTED_VERSION}]${params.requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, params.deadlineMillis - params.now()),
    done: callbackStyle,
    fail: callbackStyle,
    succeed: callbackStyle,
  };
}
