import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Progress of a message whose records are being put back, so a stopped run resumes where it was
 * instead of putting the same records again. Keyed by the SQS MessageId, which stays the same every
 * time the message is received, and the range the message points at.
 */
export interface CheckpointStore {
  /** The highest source sequence number already put back for this message, if any. */
  get(key: string): string | undefined;
  set(key: string, putThroughSequenceNumber: string): void;
  /** Called once the message is deleted. */
  delete(key: string): void;
}

/** Keeps progress in memory: resumes within one process only. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly entries = new Map<string, string>();
  get(key: string): string | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: string): void {
    this.entries.set(key, value);
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Keeps progress in a JSON file, rewritten atomically (write then rename) after every change, so a
 * killed run leaves either the old or the new progress, never a torn file.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly entries: Map<string, string>;

  constructor(readonly path: string) {
    let stored: Record<string, string> = {};
    try {
      stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.entries = new Map(Object.entries(stored));
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: string): void {
    this.entries.set(key, value);
    this.save();
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.entries), null, 2));
    renameSync(temporary, this.path);
  }
}
