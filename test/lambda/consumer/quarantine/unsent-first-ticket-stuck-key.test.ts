import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { AWS_CLIENT_TIMEOUTS, worstCaseCallMillis } from '../../../../contracts';
import { MemoryQuarantineStore, pendingOf, type EnterResult } from '../../../../lambda/shared';
import { FakeClock } from '../../../helpers/fake-clock';
import { sequenceNumberAt } from '../../../helpers/kinesis-events';
import { batchOf, contextUntil, handlerFor } from '../../../helpers/quarantine-consumer';

/*
 * Review of issue 24 (qinfra), the review 24-2 fix: an invocation that appended ticket 1 but found no
 * time left for the fence does not send it and is retried, and docs/architecture.md says "the retry
 * resends [the record] under the same ticket, and that invocation fences". The retry may run in another
 * execution environment whose view of the set was read just before the enter committed (fresh for
 * `cacheTtlMillis`): it sees K absent and, the key's downstream having recovered, delivers the record
 * directly. Nothing is then resent, and K stays in the set with `enqueued` 1 and `delivered` 0 though no
 * message of it exists: the drainer never releases it, the quarantine-age alarm pages after 6 hours, and
 * `npm run quarantine -- release` refuses it ("1 record(s) of it still to drain").
 */

/** A store whose enter writes are slow (a DynamoDB brownout: client retries). */
class SlowEnter extends MemoryQuarantineStore {
  /** Enters that are slow; later ones answer at once. */
  slowEnters = Number.POSITIVE_INFINITY;
  delayMillis = 2_500;

  constructor(private readonly clock: FakeClock) {
    super();
  }

  override async enter(
    key: string,
    stay: { epoch: string; since: number },
    maxKeys: number,
  ): Promise<EnterResult> {
    if (this.slowEnters-- > 0) this.clock.advance(this.delayMillis);
    return super.enter(key, stay, maxKeys);
  }
}

describe('the first quarantined record left unsent for want of fence time', () => {
  const sqs = mockClient(SQSClient);

  it('does not leave its key quarantined with a record to drain that no message carries', async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    // GIVEN environment B read the (empty) set just now, serving another key of the shard's lane
    const clockA = new FakeClock();
    const clockB = new FakeClock();
    const store = new SlowEnter(clockA);
    // The gate starts an enter only with time for two writes at the client's worst and the fence; an
    // enter slower than that bound (the defence this test is about) still leaves no fence time.
    const storeWrite = worstCaseCallMillis(AWS_CLIENT_TIMEOUTS.breakerStore);
    store.slowEnters = 1;
    store.delayMillis = storeWrite + 150;
    let keyStatus = 503;
    const envA = handlerFor({ store, clock: clockA, status: () => keyStatus });
    const envB = handlerFor({ store, clock: clockB, status: () => keyStatus });
    keyStatus = 200;
    await envB(batchOf(['J#1']), contextUntil(clockB, clockB.now() + 60_000, 'b0'));

    // WHEN environment A fails K three times, enters it (150 ms), appends ticket 1 and finds no time for
    // the fence: the record is not sent and the batch is retried from it
    keyStatus = 503;
    const deadline = clockA.now() + 200 + 3_100 + 2 * storeWrite;
    const first = await envA(batchOf(['K#1', 'o#1']), contextUntil(clockA, deadline, 'a1'));
    expect(first?.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(store.slowEnters).toBe(0); // A did enter K (its one slow enter)

    // AND Lambda retries the batch at once in environment B, whose view is 300 ms old; K's calls now succeed
    keyStatus = 200;
    clockB.advance(300);
    const retry = await envB(batchOf(['K#1']), contextUntil(clockB, clockB.now() + 60_000, 'b1'));
    expect(retry?.batchItemFailures ?? []).toEqual([]);

    // THEN K is not left in quarantine with records to drain that no message in the queue carries
    const entry = (await store.read()).get('K');
    const queued = sqs.commandCalls(SendMessageCommand).length;
    expect({
      inSet: entry !== undefined,
      toDrain: entry === undefined ? 0 : pendingOf(entry),
      queued,
    }).toEqual({ inSet: entry !== undefined, toDrain: queued, queued });
  });
});
