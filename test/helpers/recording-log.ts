import type { Log } from '../../lambda/shared';

type Level = keyof Log;

/** A Log that keeps every entry, for assertions on what the handler logged. */
export class RecordingLog implements Log {
  readonly entries: { level: Level; message: string; attributes?: Readonly<Record<string, unknown>> }[] = [];

  debug(message: string, attributes?: Readonly<Record<string, unknown>>): void {
    this.entries.push({ level: 'debug', message, attributes });
  }
  info(message: string, attributes?: Readonly<Record<string, unknown>>): void {
    this.entries.push({ level: 'info', message, attributes });
  }
  warn(message: string, attributes?: Readonly<Record<string, unknown>>): void {
    this.entries.push({ level: 'warn', message, attributes });
  }
  error(message: string, attributes?: Readonly<Record<string, unknown>>): void {
    this.entries.push({ level: 'error', message, attributes });
  }

  find(message: string): Readonly<Record<string, unknown>> | undefined {
    return this.entries.find((entry) => entry.message === message)?.attributes;
  }
}
