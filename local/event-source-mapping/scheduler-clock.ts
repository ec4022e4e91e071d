import type { Clock } from '../../contracts';

/**
 * Time as the event source mapping sees it. Record age, batching windows and iterator age read
 * `now()`; every wait goes through `sleep()`. Tests inject a clock that runs ahead of the wall clock
 * to age records without waiting (kinesalite stamps arrivals with the wall clock).
 */
export interface SchedulerClock extends Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `millis`, or early when `signal` aborts. Never rejects. */
  sleep(millis: number, signal?: AbortSignal): Promise<void>;
}

export const systemSchedulerClock: SchedulerClock = {
  now: () => Date.now(),
  sleep: (millis, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, millis);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A clock `offsetMillis` ahead of the system clock (settable), sleeping in real time. */
export class OffsetClock implements SchedulerClock {
  constructor(public offsetMillis = 0) {}

  now(): number {
    return Date.now() + this.offsetMillis;
  }

  sleep(millis: number, signal?: AbortSignal): Promise<void> {
    return systemSchedulerClock.sleep(millis, signal);
  }
}
