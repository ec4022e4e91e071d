import { Logger } from '@aws-lambda-powertools/logger';

/** Keys and values added to a structured log entry. */
export type LogAttributes = Record<string, unknown>;

/**
 * The structured-log calls handler code makes. Powertools' Logger satisfies it; tests and local mode
 * may pass anything that does.
 */
export interface Log {
  debug(message: string, ...attributes: LogAttributes[]): void;
  info(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
  error(message: string, ...attributes: LogAttributes[]): void;
}

/**
 * A Powertools Logger (JSON lines) whose every entry names the stage and the component, so that one
 * log group query can follow a consumer or a breaker across functions.
 *
 * @param serviceName - the Powertools service name (the consumer or function name)
 * @param keys - attributes added to every entry, e.g. `{ stage, consumer }`
 */
export function createLogger(serviceName: string, keys: Readonly<Record<string, string>>): Logger {
  return new Logger({ serviceName, persistentKeys: { ...keys } });
}
