/** Bad config: every problem found, one line each, naming the key, the value and the allowed range. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid pipeline config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
