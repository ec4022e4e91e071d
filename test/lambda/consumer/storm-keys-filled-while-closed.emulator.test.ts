import type { ConsumerHandler } from '../../../lambda/consumer';
import { DynamoDbCircuitBreaker, readBreaker, type PipelineEvent } from '../../../lambda/shared';
import { breakerSettings } from '../../helpers/breaker-settings';
import { createBreakerTable, startDynalite, type Dynalite } from '../../helpers/dynalite';
import { FakeClock } from '../../helpers/fake-clock';
import { freshConsumerEnvironments } from '../../helpers/fresh-consumer-environment';
import { HttpDownstream } from '../../helpers/http-downstream';
import { kinesisBatch, pipelineEvent } from '../../helpers/kinesis-events';
import { startLocalSqs, type LocalSqs } from '../../helpers/local-sqs';

/*
 * Review of issue 22 (breaker3), stormKeys. Keys rejected while an instance only *suspects* a storm are
 * added to the item's `stormKeys` too, and `stormKeys` is removed only by a close or reset. A breaker
 * that never trips never closes: keys rejected under local suspicions pile up on a CLOSED item (and
 * ride on every write of it; docs/architecture.md: "costs ... during a storm and none once it
 * closes") until the cap of 100 is reached. Then a real storm's keys are no longer written to the item,
 * and the bad record at the head of a shard fails every probe of a fresh instance again (the fault
 * stormKeys was added to fix: storm-bad-head-record-fresh-instances.emulator.test.ts).
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

describe('stormKeys filled by local suspicions while the breaker stayed CLOSED', () => {
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
    const tableName = 'storm-keys-filled-while-closed';
    await createBreakerTable(dynalite.client(), tableName);
    const clock = new FakeClock();
    const poisonQueueUrl = await sqs.createQueue('orders-poison-storm-keys-filled');
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
    // Prepare, earlier: instance X rejects 103 keys' events while it suspects a storm, while the other
    // instances keep the shared window healthy (no trip); then an hour of healthy traffic, still CLOSED
    const shared = () =>
      new DynamoDbCircuitBreaker({
        dynamodb: dynalite.api(),
        tableName,
        name: 'orders',
        settings: SETTINGS,
        clock,
      });
    const healthy = shared();
    for (let i = 0; i < 250; i++) {
      const admission = await healthy.admit();
      if (admission.admitted) await healthy.record(admission, 'success', `h${i}`);
    }
    await healthy.flush();
    const suspicious = shared();
    for (let i = 0; i < 103; i++) {
      const admission = await suspicious.admit();
      if (admission.admitted) await suspicious.record(admission, 'rejection', `s${i}`);
    }
    await suspicious.flush();
    for (let tenMinutes = 0; tenMinutes < 6; tenMinutes++) {
      clock.advance(600_000);
      const admission = await healthy.admit();
      if (admission.admitted) await healthy.record(admission, 'success', 'h0');
      await healthy.flush();
    }
    const before = await readBreaker({ dynamodb: dynalite.api(), tableName }, 'orders');
    expect(before).toMatchObject({ state: 'CLOSED' });
    // The suspicions' keys did not outlive their windows while no storm held (they once filled the set).
    expect(before?.stormKeys ?? []).toHaveLength(0);
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
