import type { ConsumerHandler } from '../../../lambda/consumer';
import { readBreaker, type PipelineEvent } from '../../../lambda/shared';
import { breakerSettings } from '../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../helpers/dynalite';
import { FakeClock } from '../../helpers/fake-clock';
import { freshConsumerEnvironments } from '../../helpers/fresh-consumer-environment';
import { HttpDownstream } from '../../helpers/http-downstream';
import { kinesisBatch, pipelineEvent } from '../../helpers/kinesis-events';
import { startLocalSqs, type LocalSqs } from '../../helpers/local-sqs';

/*
 * Review of issue 22 (breaker2), fault 3 ("a storm that cannot end"; the runbook's storm entry: "Nothing
 * else needs a hand: a bad record at the head of a shard is parked at its second rejection as a probe").
 * The record "already rejected under the storm" is remembered in the memory of the instance that
 * rejected it. While OPEN the controller disables the mapping, so the execution environment is idle for
 * the whole cool-down, and Lambda does not keep idle environments (nor promise that a retry runs on the
 * same one): the probe after a cool-down runs on a fresh instance, which has not rejected the bad record
 * at the head of the shard, so its rejection is a failed probe, never a park. After a real storm whose
 * downstream is fixed, one bad record keeps the breaker OPEN, every cool-down longer, with the other
 * shards idle.
 */
const SETTINGS = breakerSettings({
  minimumCalls: 4,
  rejectionStormThreshold: 0.5,
  rejectionStormMinKeys: 3,
  coolDownMillis: 1_000,
  maxCoolDownMillis: 10_000,
  cacheTtlMillis: 0,
});
const COOL_DOWNS = 6;

describe('a bad record at the head of a shard after a real storm, each probe on a fresh instance', () => {
  const downstream = new HttpDownstream();
  let dynalite: Dynalite;
  let sqs: LocalSqs;
  let url: string;

  beforeAll(async () => {
    [dynalite, sqs, url] = await Promise.all([startDynalite(), startLocalSqs(), downstream.start()]);
  });
  afterAll(async () => {
    await Promise.all([dynalite.stop(), sqs.stop(), downstream.stop()]);
  });

  test('a healthy downstream ends CLOSED within a bounded number of cool-downs', async () => {
    // Prepare: a downstream that rejects every event (a storm over many keys); the shard holds three
    // valid events, then one producer's invalid event, then valid ones
    const tableName = 'bad-head';
    await createBreakerTable(dynalite.client(), tableName);
    const clock = new FakeClock();
    const poisonQueueUrl = await sqs.createQueue('orders-poison-bad-head');
    /** A fresh execution environment: its own handler and breaker instance. */
    const environment = freshConsumerEnvironments({
      dynalite,
      sqs,
      downstreamUrl: url,
      tableName,
      poisonQueueUrl,
      breaker: SETTINGS,
      clock,
    });
    const events: PipelineEvent[] = Array.from({ length: 8 }, (_, i) =>
      pipelineEvent({ payload: { i, invalid: i === 3 } }),
    );
    const batch = kinesisBatch(events.map((data, i) => ({ data, partitionKey: `k${i}` })));
    let from = 0;
    const retry = async (handle: ConsumerHandler): Promise<void> => {
      const result = await handle({ Records: batch.Records.slice(from) });
      const failure = result.batchItemFailures[0];
      from =
        failure === undefined
          ? batch.Records.length
          : batch.Records.findIndex((r) => r.kinesis.sequenceNumber === failure.itemIdentifier);
    };
    downstream.reply = () => ({ status: 400, body: 'schema version 3 required' });

    // Act 1: the storm: three parked, the invalid event held, a storm trip
    await retry(environment());
    expect(from).toBe(3);
    await expect(readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders')).resolves.toMatchObject({
      state: 'OPEN',
      reason: 'rejection-storm',
    });

    // Act 2: the downstream is fixed (it rejects only the invalid event); each cool-down the mapping is
    // enabled again and the probe runs in a fresh execution environment
    downstream.reply = (request) =>
      request.body.includes('"invalid":true')
        ? { status: 400, body: 'field x is required' }
        : { status: 200 };
    const states: string[] = [];
    for (let round = 0; round < COOL_DOWNS && from < batch.Records.length; round++) {
      clock.advance(SETTINGS.maxCoolDownMillis);
      await retry(environment());
      states.push((await readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders'))?.state ?? '');
    }

    // Assess: CLOSED, the shard done, the invalid event parked
    await expect(readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders')).resolves.toMatchObject({
      state: 'CLOSED',
    });
    expect(from).toBe(batch.Records.length);
  });
});
