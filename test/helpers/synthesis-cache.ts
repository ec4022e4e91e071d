import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Where one test run keeps the templates it synthesized, shared by its Jest workers: a temporary
 * folder that test/setup/global-setup.ts creates and global-teardown.ts removes. Unset (a script
 * that loads the helpers outside Jest), each process keeps its templates in memory.
 */
export const SYNTH_CACHE_DIR_ENV = 'PIPELINE_TEST_SYNTH_CACHE_DIR';

/** What a template without bundled handlers is built from: the app, its contracts and entry, the handlers' sources, cdk.json, the locked dependencies. */
const SOURCES = ['lib', 'contracts', 'bin', 'lambda', 'cdk.json', 'package-lock.json'] as const;

const PROJECT_ROOT = join(__dirname, '..', '..');

/** How often a worker that waits for another's synthesis looks again. */
const POLL_MILLIS = 100;

/** A cached synthesis: the template and the warnings the stack's constructs recorded. */
export interface CachedSynthesis {
  readonly template: Record<string, unknown>;
  readonly warnings: readonly CachedWarning[];
}

/** One warning annotation: the construct path and its text. */
export interface CachedWarning {
  readonly path: string;
  readonly message: string;
}

const inMemory = new Map<string, string>();
let sourceHashMemo: string | undefined;

/**
 * The synthesis that `key` names, from the run's cache, else produced by `synthesize` once for the
 * whole run: a worker that finds another synthesizing the same key waits for its file instead of
 * spending a core on the same work. Each call parses the file afresh, so a test may mutate what it
 * gets without touching another's copy.
 */
export function cachedSynthesis(key: unknown, synthesize: () => CachedSynthesis): CachedSynthesis {
  const name = entryName(key);
  const dir = process.env[SYNTH_CACHE_DIR_ENV];
  if (dir === undefined || dir === '') {
    let text = inMemory.get(name);
    if (text === undefined) {
      text = JSON.stringify(synthesize());
      inMemory.set(name, text);
    }
    return JSON.parse(text) as CachedSynthesis;
  }
  return JSON.parse(readOrProduce(dir, name, synthesize)) as CachedSynthesis;
}

/** The files of `key`'s entry in the cache folder `dir`: the template and the lock its producer holds. */
export function entryPaths(dir: string, key: unknown): { readonly file: string; readonly lock: string } {
  const name = entryName(key);
  return { file: join(dir, `${name}.json`), lock: join(dir, `${name}.lock`) };
}

function entryName(key: unknown): string {
  return createHash('sha256')
    .update(sourceHash())
    .update('\0')
    .update(JSON.stringify(key))
    .digest('hex')
    .slice(0, 24);
}

function readOrProduce(dir: string, name: string, synthesize: () => CachedSynthesis): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const lock = join(dir, `${name}.lock`);
  for (;;) {
    if (existsSync(file)) return readFileSync(file, 'utf8');
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another worker is synthesizing this key: wait for its file, or take over if it died.
      if (!lockHolderAlive(lock)) removeQuietly(lock);
      else sleep(POLL_MILLIS);
      continue;
    }
    try {
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      if (existsSync(file)) return readFileSync(file, 'utf8');
      const text = JSON.stringify(synthesize());
      // Written aside and renamed, so a waiting worker never reads half a file.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, text);
      renameSync(partial, file);
      return text;
    } finally {
      removeQuietly(lock);
    }
  }
}

function lockHolderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
  } catch {
    return true; // gone already, or not yet written: look again
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already removed
  }
}

/** Blocks this worker without spinning (a synth hook is synchronous). */
function sleep(millis: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, millis);
}

/** A hash of every file a template is built from (paths and contents), once per module load. */
function sourceHash(): string {
  if (sourceHashMemo !== undefined) return sourceHashMemo;
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
      return;
    }
    hash.update(relative(PROJECT_ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const source of SOURCES) visit(join(PROJECT_ROOT, source));
  sourceHashMemo = hash.digest('hex');
  return sourceHashMemo;
}
