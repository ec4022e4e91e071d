import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { MemoryQuarantineStore } from '../../../../lambda/shared';
import { FakeClock } from '../../../helpers/fake-clock';
import {
  answersByKey,
  DEFAULT_QUARANTINE_SETTINGS as SETTINGS,
  oneRecordPerKey,
  overlappingSleep,
  quarantineConsumer,
  retryFromFailures,
} from '../../../helpers/quarantine-consumer';

/*
 * Review of issue 24 (qoutage). docs/architecture.md ("Per-key quarantine", "When") says: "a second stuck
 * key's `failedAttempts` failures among `minimumCalls` calls (3 of 20, 15 %) do not keep K out at the
 * defaults". The rule weighs the calls the invocation made, not `minimumCalls` of them: on a quiet shard
 * (a batch of 8 records) two keys of one tenant failing together see each other's failures among 8 or 9
 * calls, 25 % or more, and keep each other out; three keys of one tenant do so beside ten other keys. The batch stops at the first of them; Lambda retries the
 * remaining records of the batch (BisectBatchOnFunctionError with ReportBatchItemFailures), the same two
 * keys fail together again, and the shard is held retry after retry, as without quarantine.
 */

describe('keys of one tenant stuck together on a quiet shard, at the default settings', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it.each([
    { stuckKeys: 2, otherKeys: 6 },
    { stuckKeys: 3, otherKeys: 10 },
  ])(
    '$stuckKeys stuck beside $otherKeys other keys are quarantined within a few retries instead of holding the shard',
    async ({ stuckKeys, otherKeys }) => {
      sqs.reset();
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
      const clock = new FakeClock();
      const store = new MemoryQuarantineStore();
      const stuck = new Set(Array.from({ length: stuckKeys }, (_, i) => `tenant-1-${i}`));
      const fetch = answersByKey((key) => (stuck.has(key) ? 503 : 200));
      // Concurrent pauses overlap as on a real clock: each moves the clock to its own wake time at most.
      const sleep = overlappingSleep(clock);
      // The breaker stays CLOSED: the other shards of the stream keep its window healthy.
      const handle = quarantineConsumer({ settings: SETTINGS, store, clock, fetch, sleep });
      // GIVEN a quiet shard's batch: the tenant's keys first, then the other keys, one record each
      const keys = [...stuck, ...Array.from({ length: otherKeys }, (_, i) => `other-${i}`)];
      const records = oneRecordPerKey(keys);

      // WHEN Lambda runs it and retries the remaining records from each reported failure, ten times
      const remaining = await retryFromFailures(handle, records, { clock, settings: SETTINGS, attempts: 10 });

      // THEN both keys were moved aside and the shard went on
      expect([...(await store.read()).keys()].sort()).toEqual([...stuck].sort());
      expect(remaining).toEqual([]);
    },
  );
});
