import type { Context, KinesisStreamEvent } from 'aws-lambda';
import type { ConsumerHandler } from '../../lambda/consumer';
import type { Random } from './prng';

/** The error an injected crash throws: the invocation dies like a bug or a timeout would kill it. */
export class InjectedCrashError extends Error {
  constructor(consumer: string, processed: number, total: number) {
    super(`game day crashed ${consumer} after ${processed} of ${total} records (--crash-rate)`);
    this.name = 'InjectedCrashError';
  }
}

/**
 * Wraps a consumer handler so that a share of invocations crash mid-batch: the real handler processes
 * the first half of the batch (those records reach the downstream), then the invocation throws. Lambda
 * retries the whole batch, so the first half is delivered again: the duplicates the downstream must
 * absorb.
 */
export function withCrashes(
  consumer: string,
  handler: ConsumerHandler,
  crashRate: number,
  random: Random,
  onCrash: () => void,
): (event: KinesisStreamEvent, context: Context) => ReturnType<ConsumerHandler> {
  return async (event, context) => {
    if (crashRate === 0 || event.Records.length < 2 || random() >= crashRate) return handler(event, context);
    const processed = Math.ceil(event.Records.length / 2);
    await handler({ Records: event.Records.slice(0, processed) }, context);
    onCrash();
    throw new InjectedCrashError(consumer, processed, event.Records.length);
  };
}
