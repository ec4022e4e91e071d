/** Resolves after `millis`. */
export function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

const POLL_MILLIS = 200;

/** Waits until `done()` holds or `timeoutMillis` passes. @returns whether it held */
export async function waitFor(done: () => boolean, timeoutMillis: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMillis;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MILLIS);
  }
  return true;
}

/** A loop started by {@link every}. */
export interface Repeating {
  /** Stops the loop; resolves once the task running now has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMillis` until stopped, never two at once (a slow task delays the next).
 * Errors go to `onError`; the loop goes on.
 */
export function every(
  intervalMillis: number,
  task: () => Promise<void>,
  onError: (error: unknown) => void,
): Repeating {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      await task().catch(onError);
      await sleep(Math.max(0, intervalMillis - (Date.now() - started)));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
