import { monotonicClock, type Clock } from '../../contracts';

/**
 * Share of a call's timeout during which starting calls share one signal: a call may be aborted up to
 * this share of its budget early, never late.
 */
export const TIMEOUT_SLICE_SHARE = 0.01;

/**
 * Most calls one signal serves. Node's fetch adds one abort listener per request to the signal it is
 * given (removed when the request is garbage-collected), and an EventTarget checks every listener
 * already there when one is added: a bound keeps that check short. (Node's fetch also raises the
 * signal's listener limit on its first request, so no MaxListenersExceededWarning is printed; raising
 * it here as well cost more than the rest of a slice.)
 */
export const MAX_CALLS_PER_SIGNAL = 64;

/** The timers a {@link CallTimeouts} arms; Node's by default, fake ones in tests. */
export interface Timers {
  set(callback: () => void, millis: number): unknown;
  clear(timer: unknown): void;
}

const NODE_TIMERS: Timers = {
  set: (callback, millis) => {
    const timer = setTimeout(callback, millis);
    // Like AbortSignal.timeout's timer: it never keeps the process alive on its own.
    timer.unref();
    return timer;
  },
  clear: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** A signal handed to the calls that started in one slice of time. */
export interface CallTimeout {
  /** Aborts with a `TimeoutError` DOMException, as `AbortSignal.timeout` does. */
  readonly signal: AbortSignal;
}

interface Slice extends CallTimeout {
  /** When its first call started, on the clock. */
  readonly startedAt: number;
  readonly timer: unknown;
  calls: number;
  running: number;
}

export interface CallTimeoutsOptions {
  /** The budget of one call; no call runs longer. */
  readonly timeoutMillis: number;
  /** A monotonic clock that slices time. @default - {@link monotonicClock} */
  readonly clock?: Clock;
  /** @default - Node's setTimeout (unref'd) and clearTimeout */
  readonly timers?: Timers;
}

/**
 * Timeout signals for downstream calls, one per slice of time rather than one per call.
 *
 * `AbortSignal.timeout` per call was about a third of the consumer's CPU per record (bench/README.md):
 * each creates a signal, a weak reference and a timer that lives for the whole timeout after the call
 * returned, so at thousands of calls per second hundreds of thousands of them wait for the collector.
 * Here the calls that start within {@link TIMEOUT_SLICE_SHARE} of the timeout of each other (at most
 * {@link MAX_CALLS_PER_SIGNAL}) share one signal, which aborts `timeoutMillis` after the first of them
 * started. So every call is aborted after at most `timeoutMillis` (never later: the invocation deadline,
 * the probe lease and the refusal hold all count on that) and at least `timeoutMillis` less one slice
 * (30 ms of a 3 s timeout). A slice's timer is cleared as soon as no new call can join it and none of
 * its calls is still running.
 *
 * @example
 * ```ts
 * const timeout = timeouts.begin();
 * try {
 *   await fetch(url, { signal: timeout.signal });
 * } finally {
 *   timeouts.end(timeout);
 * }
 * ```
 */
export class CallTimeouts {
  private readonly sliceMillis: number;
  private readonly timers: Timers;
  private readonly clock: Clock;
  /** The slice new calls join, while it is young and not full. */
  private open: Slice | undefined;

  constructor(private readonly options: CallTimeoutsOptions) {
    this.sliceMillis = options.timeoutMillis * TIMEOUT_SLICE_SHARE;
    this.timers = options.timers ?? NODE_TIMERS;
    this.clock = options.clock ?? monotonicClock;
  }

  /**
   * The signal of a call starting now; pass it back to {@link end} when the call is over.
   * @param nowMillis - the time on this instance's clock, when the caller just read it (one reading
   *   fewer per call) @default - read here
   */
  begin(nowMillis?: number): CallTimeout {
    const now = nowMillis ?? this.clock.now();
    let slice = this.open;
    if (
      slice === undefined ||
      now - slice.startedAt >= this.sliceMillis ||
      slice.calls >= MAX_CALLS_PER_SIGNAL
    ) {
      if (slice !== undefined) this.close(slice);
      slice = this.startSlice(now);
      this.open = slice;
    }
    slice.calls++;
    slice.running++;
    return slice;
  }

  /** The call is over (answered, failed or aborted): its slice's timer may go once no call needs it. */
  end(timeout: CallTimeout): void {
    const slice = timeout as Slice;
    slice.running--;
    if (slice.running === 0 && slice !== this.open) this.timers.clear(slice.timer);
  }

  private startSlice(now: number): Slice {
    const { timeoutMillis } = this.options;
    const controller = new AbortController();
    const slice: Slice = {
      signal: controller.signal,
      startedAt: now,
      calls: 0,
      running: 0,
      timer: this.timers.set(() => {
        if (this.open === slice) this.open = undefined;
        controller.abort(timeoutError(timeoutMillis));
      }, timeoutMillis),
    };
    return slice;
  }

  /** No call joins `slice` any more; its timer goes at once when none of its calls is running. */
  private close(slice: Slice): void {
    if (slice.running === 0) this.timers.clear(slice.timer);
  }
}

/** The reason `AbortSignal.timeout` aborts with: fetch rejects with it, and its name marks a timeout. */
function timeoutError(timeoutMillis: number): DOMException {
  return new DOMException(`The operation timed out after ${timeoutMillis} ms`, 'TimeoutError');
}
