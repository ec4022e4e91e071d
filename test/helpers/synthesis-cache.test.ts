import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { cachedSynthesis, entryPaths, SYNTH_CACHE_DIR_ENV } from './synthesis-cache';
import type { CachedSynthesis } from './synthesis-cache';

/*
 * The run-scoped template cache the synth suites share (test/helpers/synthesize.ts): one synthesis
 * per key per run, a private copy per caller, and a worker that waits for another's synthesis rather
 * than repeating it (or takes over from one that died).
 */
describe('the synthesis cache', () => {
  let dir: string;
  const saved = process.env[SYNTH_CACHE_DIR_ENV];
  const synthesis = (name: string): CachedSynthesis => ({
    template: { Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: name } } } },
    warnings: [{ path: '/Stack/Queue', message: `about ${name}` }],
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'synthesis-cache-test-'));
    process.env[SYNTH_CACHE_DIR_ENV] = dir;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env[SYNTH_CACHE_DIR_ENV];
    else process.env[SYNTH_CACHE_DIR_ENV] = saved;
  });

  it('synthesizes a key once and gives every caller its own copy', () => {
    const synthesize = jest.fn(() => synthesis('a'));
    const first = cachedSynthesis({ stage: 'dev' }, synthesize);
    (first.template.Resources as Record<string, unknown>).Queue = 'mutated';
    const second = cachedSynthesis({ stage: 'dev' }, synthesize);

    expect(synthesize).toHaveBeenCalledTimes(1);
    expect(second).toEqual(synthesis('a'));
  });

  it('synthesizes each distinct key', () => {
    expect(cachedSynthesis({ stage: 'dev' }, () => synthesis('dev'))).toEqual(synthesis('dev'));
    expect(cachedSynthesis({ stage: 'prod' }, () => synthesis('prod'))).toEqual(synthesis('prod'));
  });

  it('keeps templates in memory when no run folder is set', () => {
    delete process.env[SYNTH_CACHE_DIR_ENV];
    const synthesize = jest.fn(() => synthesis('m'));
    cachedSynthesis({ stage: 'memory' }, synthesize);
    expect(cachedSynthesis({ stage: 'memory' }, synthesize)).toEqual(synthesis('m'));
    expect(synthesize).toHaveBeenCalledTimes(1);
  });

  it('waits for another worker that holds the lock and reads its template', async () => {
    const { file, lock } = entryPaths(dir, { stage: 'shared' });
    // GIVEN another process holding the lock that writes the template a little later
    const other = spawn(process.execPath, [
      '-e',
      `const fs = require('node:fs');
       fs.writeFileSync(${JSON.stringify(lock)}, String(process.pid));
       setTimeout(() => {
         fs.writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(JSON.stringify(synthesis('other')))});
         fs.unlinkSync(${JSON.stringify(lock)});
       }, 500);`,
    ]);
    await waitUntil(() => existsSync(lock));
    const synthesize = jest.fn(() => synthesis('mine'));

    // WHEN this worker asks for the same key THEN it gets the other's template without synthesizing
    expect(cachedSynthesis({ stage: 'shared' }, synthesize)).toEqual(synthesis('other'));
    expect(synthesize).not.toHaveBeenCalled();
    if (other.exitCode === null) await once(other, 'exit');
  });

  it('takes over a lock whose holder has died', () => {
    const { file, lock } = entryPaths(dir, { stage: 'orphaned' });
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(lock, dead.stdout.trim());

    expect(cachedSynthesis({ stage: 'orphaned' }, () => synthesis('taken'))).toEqual(synthesis('taken'));
    expect(existsSync(file)).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
