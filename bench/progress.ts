/** Progress lines on stderr, so that stdout carries only the result table. */
const started = performance.now();

export function progress(message: string): void {
  const seconds = ((performance.now() - started) / 1_000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}
