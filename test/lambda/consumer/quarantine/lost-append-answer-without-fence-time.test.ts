import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { INVOCATION_FINISHING_MARGIN_MILLIS } from '../../../../contracts';
import type { Fetch } from '../../../../lambda/consumer';
import { MemoryQuarantineStore, QuarantineStoreError, type AppendResult } from '../../../../lambda/shared';
import { FakeClock } from '../../../helpers/fake-clock';
import { sequenceNumberAt } from '../../../helpers/kinesis-events';
import {
  batchOf,
  contextUntil,
  QUARANTINE_SETTINGS as SETTINGS,
  QUARANTINE_TTL as TTL,
  quarantineConsumer,
} from '../../../helpers/quarantine-consumer';

/*
 * Review (rev-misc): step 5 of the hand-over fences after a write without an answer only "when the
 * function's time allows". An append (ticket 1) slowed by store retries that commits and loses its
 * answer near the deadline ends the invocation with no fence; Lambda may retry the batch on another
 * instance whose view was read before the enter, which delivers K directly and leaves ticket 1 with no
 * message carrying it: the drainer never delivers it and K is never released.
 */

function handlerFor(options: {
  readonly store: MemoryQuarantineStore;
  readonly clock: FakeClock;
  readonly status: (body: string) => number;
}) {
  const fetch: Fetch = (_url, init) =>
    Promise.resolve(new Response(null, { status: options.status(init?.body as string) }));
  return quarantineConsumer({ store: options.store, clock: options.clock, fetch });
}

/** The set in memory, whose next append commits slowly (store retries) and then loses its answer. */
class SlowAppendLosesAnswer extends MemoryQuarantineStore {
  loseNextAppend = true;
  constructor(private readonly clock: FakeClock) {
    super();
  }

  override async append(
    key: string,
    position: { shard: string; sequenceNumber: string },
  ): Promise<AppendResult> {
    const result = await super.append(key, position);
    if (this.loseNextAppend) {
      this.loseNextAppend = false;
      this.clock.advance(200);
      throw new QuarantineStoreError('UpdateItem(append)', { cause: new Error('socket timed out') });
    }
    return result;
  }
}

describe('a quarantine append whose answer was lost with no time left for the fence', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it('leaves no ticket that no message carries when the retry runs on another instance', async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const clock = new FakeClock();
    const store = new SlowAppendLosesAnswer(clock);
    let keyStatus = 503;
    const status = (body: string) => (body.includes('"K#') ? keyStatus : 200);
    const a = handlerFor({ store, clock, status });
    const b = handlerFor({ store, clock, status });
    // GIVEN instance B read the (empty) set just now (a healthy batch)
    await b(batchOf(['H#0']), contextUntil(clock, clock.now() + 60_000, 'b0'));

    // WHEN on A, K fails three times beside a healthy key, enters with time for the fence, and its
    // append (ticket 1) commits slowly and loses its answer, leaving too little time for the fence
    const reserve = SETTINGS.downstreamTimeoutMillis + INVOCATION_FINISHING_MARGIN_MILLIS;
    const deadline = clock.now() + reserve + TTL + 2 * SETTINGS.quarantine!.retryPauseMillis + 100;
    const first = await a(batchOf(['H#1', 'K#1', 'K#2']), contextUntil(clock, deadline, 'a1'));
    expect(first?.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(1) }]);

    // AND Lambda retries the batch on B at once (B's view still younger than the TTL), K now healthy
    keyStatus = 200;
    await b(batchOf(['H#1', 'K#1', 'K#2']), contextUntil(clock, clock.now() + 60_000, 'b1'));

    // THEN every ticket K holds in the set is carried by a message the drainer can deliver (else K stays
    // in the set for ever). Without the fix A appended ticket 1 and B delivered K directly; now A does not
    // start a write the fence could not follow, so K never entered
    const sent = sqs
      .commandCalls(SendMessageCommand)
      .map((call) => (JSON.parse(call.args[0].input.MessageBody ?? '{}') as { ticket: number }).ticket);
    const entry = (await store.read()).get('K');
    const tickets = Array.from({ length: entry?.enqueued ?? 0 }, (_, i) => i + 1);
    expect(tickets.filter((ticket) => !sent.includes(ticket))).toEqual([]);
  });
});
