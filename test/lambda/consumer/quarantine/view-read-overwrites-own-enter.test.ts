import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Fetch } from '../../../../lambda/consumer';
import {
  decodeQuarantineMessage,
  MemoryQuarantineStore,
  type EnterResult,
  type PipelineEvent,
  type QuarantineSet,
} from '../../../../lambda/shared';
import { FakeClock } from '../../../helpers/fake-clock';
import { sequenceNumberAt } from '../../../helpers/kinesis-events';
import { batchOf, QUARANTINE_TTL as TTL, quarantineConsumer } from '../../../helpers/quarantine-consumer';

/*
 * Fault: a read of the set that an instance sent BEFORE it entered key K, and that is answered AFTER,
 * replaces the view the enter was noted in. The instance's next record of K then sees K absent in a
 * view "younger than the TTL" and is delivered directly, overtaking K's older record in the quarantine.
 */

/** A store whose second read is taken (snapshot) when sent, but answered only after K's enter committed. */
class SlowSecondRead extends MemoryQuarantineStore {
  reads = 0;
  private answer: (() => void) | undefined;
  secondReadSent: Promise<void>;
  private markSent!: () => void;

  constructor() {
    super();
    this.secondReadSent = new Promise((resolve) => (this.markSent = resolve));
  }

  override async read(): Promise<QuarantineSet> {
    const snapshot = await super.read();
    if (++this.reads !== 2) return snapshot;
    this.markSent();
    await new Promise<void>((resolve) => (this.answer = resolve));
    return snapshot;
  }

  override async enter(
    key: string,
    stay: { epoch: string; since: number },
    maxKeys: number,
  ): Promise<EnterResult> {
    const result = await super.enter(key, stay, maxKeys);
    this.answer?.();
    return result;
  }
}

describe('quarantine view: a read sent before the enter and answered after it', () => {
  const sqs = mockClient(SQSClient);

  it('does not let a later record of the just-quarantined key overtake its quarantined record', async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const clock = new FakeClock();
    const store = new SlowSecondRead();
    const delivered: string[] = [];
    let stuckAttempts = 0;
    // K fails its first three calls (a flaky tenant), then recovers; 'o' is slow (its call outlives the TTL).
    const fetch: Fetch = async (_url, init) => {
      const event = JSON.parse(init?.body as string) as PipelineEvent;
      const key = (event.payload as { key: string }).key;
      if (key === 'o' && event.eventId === 'o#1') clock.advance(TTL + 500);
      if (key === 'K') {
        stuckAttempts++;
        if (stuckAttempts === 3) await store.secondReadSent;
        if (stuckAttempts <= 3) return new Response(null, { status: 503 });
      }
      delivered.push(event.eventId);
      return new Response(null, { status: 200 });
    };
    const handle = quarantineConsumer({ store, clock, fetch });

    const result = await handle(batchOf(['K#1', 'o#1', 'o#2', 'K#2']), {
      awsRequestId: 'r',
      functionName: 'dev-orders',
      getRemainingTimeInMillis: () => 60_000,
    } as Context);

    expect(result.batchItemFailures).toEqual([]);
    const queued = sqs
      .commandCalls(SendMessageCommand)
      .map(
        (call) => decodeQuarantineMessage(call.args[0].input.MessageBody ?? '').record.kinesis.sequenceNumber,
      );
    // K#1 waits in the quarantine: K#2 must follow it there, never reach the downstream first.
    expect(queued[0]).toBe(sequenceNumberAt(0));
    expect(delivered).not.toContain('K#2');
    expect(queued).toEqual([sequenceNumberAt(0), sequenceNumberAt(3)]);
  });
});
