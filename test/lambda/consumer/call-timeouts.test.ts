import { CallTimeouts, MAX_CALLS_PER_SIGNAL, type Timers } from '../../../lambda/consumer';

const TIMEOUT_MILLIS = 3_000;
/** 1% of the timeout: calls starting this close together share a signal. */
const SLICE_MILLIS = 30;

/** Timers the test fires by hand, and a clock it moves by hand. */
class ManualTime implements Timers {
  now = 0;
  readonly armed = new Map<number, { callback: () => void; at: number }>();
  private nextId = 1;

  readonly clock = { now: (): number => this.now };

  set(callback: () => void, millis: number): unknown {
    const id = this.nextId++;
    this.armed.set(id, { callback, at: this.now + millis });
    return id;
  }

  clear(timer: unknown): void {
    this.armed.delete(timer as number);
  }

  /** Moves the clock, firing every timer that falls due. */
  advance(millis: number): void {
    this.now += millis;
    for (const [id, timer] of [...this.armed]) {
      if (timer.at <= this.now) {
        this.armed.delete(id);
        timer.callback();
      }
    }
  }
}

function setUp(): { time: ManualTime; timeouts: CallTimeouts } {
  const time = new ManualTime();
  const timeouts = new CallTimeouts({ timeoutMillis: TIMEOUT_MILLIS, clock: time.clock, timers: time });
  return { time, timeouts };
}

describe('CallTimeouts', () => {
  test('a call still running after the timeout is aborted with a TimeoutError, as AbortSignal.timeout does', () => {
    const { time, timeouts } = setUp();

    const call = timeouts.begin();
    time.advance(TIMEOUT_MILLIS - 1);
    expect(call.signal.aborted).toBe(false);
    time.advance(1);

    expect(call.signal.aborted).toBe(true);
    expect(call.signal.reason).toBeInstanceOf(DOMException);
    expect((call.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  test('calls starting within one slice share a signal, aborted one timeout after the first of them started', () => {
    const { time, timeouts } = setUp();

    const first = timeouts.begin();
    time.advance(SLICE_MILLIS - 1);
    const second = timeouts.begin();

    expect(second.signal).toBe(first.signal);
    expect(time.armed.size).toBe(1);
    time.advance(TIMEOUT_MILLIS - SLICE_MILLIS + 1);
    // Never later than its own timeout; at most one slice early.
    expect(second.signal.aborted).toBe(true);
  });

  test('a call starting a slice later gets a signal of its own', () => {
    const { time, timeouts } = setUp();

    const first = timeouts.begin();
    time.advance(SLICE_MILLIS);
    const second = timeouts.begin();
    time.advance(TIMEOUT_MILLIS - SLICE_MILLIS);

    expect(second.signal).not.toBe(first.signal);
    expect(first.signal.aborted).toBe(true);
    expect(second.signal.aborted).toBe(false);
    time.advance(SLICE_MILLIS);
    expect(second.signal.aborted).toBe(true);
  });

  test(`one signal serves at most ${MAX_CALLS_PER_SIGNAL} calls`, () => {
    const { timeouts } = setUp();

    const calls = Array.from({ length: MAX_CALLS_PER_SIGNAL + 1 }, () => timeouts.begin());

    expect(new Set(calls.slice(0, MAX_CALLS_PER_SIGNAL).map((call) => call.signal)).size).toBe(1);
    expect(calls[MAX_CALLS_PER_SIGNAL].signal).not.toBe(calls[0].signal);
  });

  test('the timer of a slice goes as soon as its calls are over and no call can join it any more', () => {
    const { time, timeouts } = setUp();

    const first = timeouts.begin();
    const second = timeouts.begin();
    timeouts.end(first);
    timeouts.end(second);
    // Still open to new calls: the timer stays, so that the next call does not arm one of its own.
    expect(time.armed.size).toBe(1);

    time.advance(SLICE_MILLIS);
    const third = timeouts.begin();

    expect(time.armed.size).toBe(1);
    timeouts.end(third);
    time.advance(TIMEOUT_MILLIS);
    expect(first.signal.aborted).toBe(false);
  });

  test('a call ending after its slice was replaced clears that slice timer; a running call keeps it', () => {
    const { time, timeouts } = setUp();

    const early = timeouts.begin();
    const slow = timeouts.begin();
    timeouts.end(early);
    time.advance(SLICE_MILLIS);
    const later = timeouts.begin();
    expect(time.armed.size).toBe(2);

    timeouts.end(slow);
    expect(time.armed.size).toBe(1);
    timeouts.end(later);
    expect(slow.signal.aborted).toBe(false);
  });

  test('slices on the time the caller passes in, when it has just read the clock', () => {
    const time = new ManualTime();
    const unreadClock = {
      now: (): number => {
        throw new Error('the clock must not be read when the caller passes the time');
      },
    };
    const timeouts = new CallTimeouts({ timeoutMillis: TIMEOUT_MILLIS, clock: unreadClock, timers: time });

    const first = timeouts.begin(1_000);
    const sameSlice = timeouts.begin(1_000 + SLICE_MILLIS - 1);
    const nextSlice = timeouts.begin(1_000 + SLICE_MILLIS);

    expect(sameSlice.signal).toBe(first.signal);
    expect(nextSlice.signal).not.toBe(first.signal);
  });

  test('after a slice timed out, the next call gets a fresh signal even on a clock that did not move', () => {
    const time = new ManualTime();
    const frozenClock = { now: (): number => 0 };
    const timeouts = new CallTimeouts({ timeoutMillis: TIMEOUT_MILLIS, clock: frozenClock, timers: time });

    const hung = timeouts.begin();
    time.advance(TIMEOUT_MILLIS);
    const next = timeouts.begin();

    expect(hung.signal.aborted).toBe(true);
    expect(next.signal.aborted).toBe(false);
  });
});
