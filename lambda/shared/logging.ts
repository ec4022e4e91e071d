import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The structured-log calls handler code makes. Powertools' Logger satisfies it; tests and local mode
 * may pass anything that does.
 */
export interface Log {
  debug(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  info(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  warn(message: string, attributes?: Readonly<Record<string, unknown>>): void;
  error(message: string, attributes?: Readonly<Record<string, unknown>>): void;
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
