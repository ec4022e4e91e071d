import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { MemoryQuarantineStore, type EnterResult } from '../../../../lambda/shared';
import { FakeClock } from '../../../helpers/fake-clock';
import { sequenceNumberAt } from '../../../helpers/kinesis-events';
import {
  batchOf,
  contextUntil,
  keyKAnswers,
  QUARANTINE_TTL as TTL,
  quarantineConsumer,
} from '../../../helpers/quarantine-consumer';

/*
 * Fault: docs/architecture.md says "the consumer keeps the fence inside its finishing margin", so only a
 * crash (never a timeout) can end an invocation inside the fence. The gate checks the time left BEFORE
 * the enter writes, then fences from AFTER their answer: a slow enter (DynamoDB retries: up to two
 * attempts of 1 s connect + 1 s request, two writes) eats the margin and the fence runs past the
 * function's timeout.
 */

/**
 * The downstream fails key K only: the other key's delivered call is what says K's failures are its own
 * (docs/architecture.md, "Per-key quarantine", "When").
 */
const onlyKeyKFails = keyKAnswers(() => 503);

/** A store whose enter writes are slow (a DynamoDB brownout: client retries). */
class SlowEnter extends MemoryQuarantineStore {
  /** Enters that are slow; later ones answer at once. */
  slowEnters = Number.POSITIVE_INFINITY;

  constructor(private readonly clock: FakeClock) {
    super();
  }

  override async enter(
    key: string,
    stay: { epoch: string; since: number },
    maxKeys: number,
  ): Promise<EnterResult> {
    if (this.slowEnters-- > 0) this.clock.advance(2_500);
    return super.enter(key, stay, maxKeys);
  }
}

describe('quarantine fence and the function timeout', () => {
  const sqs = mockClient(SQSClient);

  it('returns within the finishing margin even when the enter writes were slow', async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const clock = new FakeClock();
    const fetch = onlyKeyKFails;
    const handle = quarantineConsumer({ store: new SlowEnter(clock), clock, fetch });
    // Three failed attempts take two pauses (200 ms); the gate then sees 3,100 ms left, more than
    // reserve (downstreamTimeout + 1,000 ms margin = 2,000 ms) + the TTL (1,000 ms).
    const deadline = clock.now() + 200 + 3_100;

    await handle(batchOf(['K#1', 'o#1']), contextUntil(clock, deadline, 'r'));

    // Lambda would have killed the invocation inside the fence (a timeout, not a crash).
    expect(deadline - clock.now()).toBeGreaterThanOrEqual(0);
  });

  it('sends the first record of the key on the retry, which then fences', async () => {
    // GIVEN an invocation whose slow enter left no time for the fence
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const clock = new FakeClock();
    const store = new SlowEnter(clock);
    store.slowEnters = 1;
    const fetch = onlyKeyKFails;
    const handle = quarantineConsumer({ store, clock, fetch });
    const first = clock.now() + 200 + 3_100;
    const firstResult = await handle(batchOf(['K#1', 'o#1']), contextUntil(clock, first, 'r1'));
    // THEN the record was not sent and the batch is retried from it; the key was taken back out of the
    // set, nothing appended (a ticket no message carries would never be released)
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(firstResult?.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(0) }]);
    expect((await store.read()).has('K')).toBe(false);

    // WHEN Lambda retries the batch with time to spare
    const retryStart = clock.now();
    const second = retryStart + 60_000;
    const secondResult = await handle(batchOf(['K#1', 'o#1']), contextUntil(clock, second, 'r2'));

    // THEN the record goes to the queue under ticket 1, and the retry does not return before the fence
    expect(secondResult?.batchItemFailures ?? []).toEqual([]);
    const sends = sqs.commandCalls(SendMessageCommand);
    expect(sends).toHaveLength(1);
    expect(clock.now() - retryStart).toBeGreaterThanOrEqual(TTL);
  });
});
