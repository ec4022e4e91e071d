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
 * Review of issue 24 (qoutage): the key-specific rule keeps the invocation's last `minimumCalls` calls,
 * the failing key's own included. A key's `failedAttempts` failures are its latest calls, so with a
 * `minimumCalls` below `failedAttempts` (a breaker tuned to judge a quiet downstream after one or two
 * calls, which the config allows: 1..100,000) the ring can hold nothing but the key's own failures when
 * it asks: no other key's delivered call is left, and a key stuck among thirty healthy ones never enters.
 * The quarantine is on and silently does nothing; the key holds its shard.
 */

describe('a breaker that judges after fewer calls than the quarantine attempts a record', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it.each([1, 2])(
    'still quarantines one key stuck beside thirty healthy ones (minimumCalls %i)',
    async (minimumCalls) => {
      sqs.reset();
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
      const clock = new FakeClock();
      const store = new MemoryQuarantineStore();
      const stuck = 'tenant-1';
      const fetch = answersByKey((key) => (key === stuck ? 503 : 200));
      // Concurrent pauses overlap as on a real clock: each moves the clock to its own wake time at most.
      const sleep = overlappingSleep(clock);
      const settings = { ...SETTINGS, breaker: { ...SETTINGS.breaker, minimumCalls } };
      // The breaker stays CLOSED: the other shards of the stream keep its window healthy.
      const handle = quarantineConsumer({ settings, store, clock, fetch, sleep });
      // GIVEN a batch of the stuck key's record, then the other keys', one record each
      const keys = [stuck, ...Array.from({ length: 30 }, (_, i) => `other-${i}`)];
      const records = oneRecordPerKey(keys);

      // WHEN Lambda runs it and retries the remaining records from each reported failure, ten times
      const remaining = await retryFromFailures(handle, records, { clock, settings: SETTINGS, attempts: 10 });

      // THEN the key was moved aside and the shard went on
      expect([...(await store.read()).keys()]).toEqual([stuck]);
      expect(remaining).toEqual([]);
    },
  );
});
