import type { KinesisHandlerFunction } from '../../../local/event-source-mapping';
import { laneOfForTest } from '../../helpers/lane-keys';
import { EsmHarness, waitFor } from '../../helpers/event-source-mapping-harness';

/**
 * Each concurrent batch runs in its own execution environment, reused serially and replaced after a
 * crash (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 */
describe('event source mapping: execution environments', () => {
  let harness: EsmHarness;
  beforeEach(async () => {
    harness = await EsmHarness.start(1);
  });
  afterEach(() => harness.stop());

  /** A factory whose environments note which environment handled which key, and crash once on `crashKey`. */
  function environments(crashKey?: string) {
    const handledBy: { environment: number; key: string }[] = [];
    let created = 0;
    let crashed = false;
    const factory = (): KinesisHandlerFunction => {
      const environment = ++created;
      return (event) => {
        for (const record of event.Records) handledBy.push({ environment, key: record.kinesis.partitionKey });
        if (!crashed && event.Records.some((r) => r.kinesis.partitionKey === crashKey)) {
          crashed = true;
          handledBy.splice(-event.Records.length);
          return Promise.reject(new Error('crash'));
        }
        return Promise.resolve();
      };
    };
    return { factory, handledBy, created: () => created };
  }

  it('gives each concurrent batch slot its own environment, started on first use and reused after', async () => {
    // GIVEN two lanes and keys in each
    const [left, right] = laneOfForTest.twoKeysInDifferentLanes(2);
    const envs = environments();
    const mapping = await harness.startMapping(
      () => Promise.resolve(),
      { parallelizationFactor: 2, batchSize: 1 },
      { createEnvironment: envs.factory },
    );
    // THEN nothing is started before the first invocation
    expect(mapping.stats().coldStarts).toBe(0);

    // WHEN records of both keys are processed, several batches each
    await harness.put([left, right, left, right, left, right]);
    await waitFor('all handled', () => envs.handledBy.length === 6);

    // THEN two environments, one per lane, each serving only its own lane's key
    expect(envs.created()).toBe(2);
    expect(mapping.stats().coldStarts).toBe(2);
    const environmentsOf = (key: string) =>
      new Set(envs.handledBy.filter((h) => h.key === key).map((h) => h.environment));
    expect(environmentsOf(left).size).toBe(1);
    expect(environmentsOf(right).size).toBe(1);
    expect([...environmentsOf(left)][0]).not.toBe([...environmentsOf(right)][0]);
  });

  it('replaces an environment that crashed: the retry cold-starts a new one', async () => {
    const envs = environments('a');
    const mapping = await harness.startMapping(
      () => Promise.resolve(),
      {},
      { createEnvironment: envs.factory },
    );
    await harness.put(['a', 'b']);
    await waitFor('handled', () => envs.handledBy.length === 2);
    expect(mapping.stats().coldStarts).toBe(2);
    expect(envs.handledBy.map((h) => h.environment)).toEqual([2, 2]);
  });
});
