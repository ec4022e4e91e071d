import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { MemoryQuarantineStore, QuarantineStoreError, type EnterResult } from '../../../../lambda/shared';
import { FakeClock } from '../../../helpers/fake-clock';
import { sequenceNumberAt } from '../../../helpers/kinesis-events';
import { batchOf, contextUntil, handlerFor } from '../../../helpers/quarantine-consumer';

/*
 * Issue 24, fault 3 (qorder), found by the hand-over property with lost answers: an enter (or append)
 * that committed but whose answer was lost (a DynamoDB call that timed out after the write landed) ends
 * the invocation with a retryable failure and no fence. The retry in the same environment then judged
 * the key by the view read before the enter, still younger than `cacheTtlMillis`: it found K absent and
 * delivered K's records directly, leaving K in the set, entered and never drained nor released (a key
 * the quarantine-age alarm pages for hours later). A write without an answer must drop the view.
 */

/** The set in memory, whose next enter commits and then fails as if its answer were lost. */
class LosesEnterAnswer extends MemoryQuarantineStore {
  loseNextEnter = true;

  override async enter(
    key: string,
    stay: { epoch: string; since: number },
    maxKeys: number,
  ): Promise<EnterResult> {
    const result = await super.enter(key, stay, maxKeys);
    if (this.loseNextEnter) {
      this.loseNextEnter = false;
      throw new QuarantineStoreError('UpdateItem(enter)', { cause: new Error('socket timed out') });
    }
    return result;
  }
}

describe('a quarantine write whose answer was lost', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it('makes the retry read the set again instead of trusting the view read before the write', async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    // GIVEN an environment that read the (empty) set while K's downstream fails
    const clock = new FakeClock();
    const store = new LosesEnterAnswer();
    let keyStatus = 503;
    const handle = handlerFor({ store, clock, status: () => keyStatus });
    const context = () => contextUntil(clock, clock.now() + 60_000, 'r');

    // WHEN K fails three times beside a healthy key (so its failures are its own) and its enter
    // commits but the answer is lost: the batch stops at K#1
    const first = await handle(batchOf(['H#0', 'K#1', 'K#2']), context());
    expect(first?.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(1) }]);
    expect((await store.read()).has('K')).toBe(true);

    // AND Lambda retries the batch at once in the same environment, K's calls now succeeding
    keyStatus = 200;
    const retry = await handle(batchOf(['H#0', 'K#1', 'K#2']), context());
    expect(retry?.batchItemFailures ?? []).toEqual([]);

    // THEN the retry saw K in the set and sent its records to the quarantine queue, in order, behind
    // nothing: the drainer delivers them and releases K (without the fix they went directly and K
    // stayed in the set with nothing the drainer would ever release it for)
    const sent = sqs
      .commandCalls(SendMessageCommand)
      .map((call) => JSON.parse(call.args[0].input.MessageBody ?? '{}') as { ticket: number });
    expect(sent.map((message) => message.ticket)).toEqual([1, 2]);
    expect((await store.read()).get('K')).toMatchObject({ enqueued: 2, delivered: 0 });
  });
});
