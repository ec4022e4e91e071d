/**
 * How long {@link waitFor} waits by default before it fails. A wait that succeeds returns as soon as
 * its condition holds, so this bound costs nothing on a quiet machine; it only has to outlast a 2-core
 * machine busy with other work (a 5 s bound failed there), and stay under Jest's 60 s test timeout so
 * the failure names what was awaited.
 */
export const WAIT_FOR_DEFAULT_MILLIS = 30_000;

/** Polls `condition` until true; fails the test with `what` after `timeoutMillis`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMillis = WAIT_FOR_DEFAULT_MILLIS,
): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
