import type { SchedulerClock } from './scheduler-clock';

/**
 * Lets a loop wait for "something changed" (records arrived, mapping enabled, stopping) with a
 * timeout, instead of polling in a tight loop.
 */
export class WakeSignal {
  private controller = new AbortController();

  constructor(private readonly clock: SchedulerClock) {}

  /** Resolves after `millis` or at the next notify(), whichever comes first. */
  wait(millis: number): Promise<void> {
    return this.clock.sleep(Math.max(0, millis), this.controller.signal);
  }

  /** Wakes every current waiter. */
  notify(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }
}
