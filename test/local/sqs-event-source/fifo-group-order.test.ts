import { FifoGroupOrder } from '../../../local/sqs-event-source';

const VISIBILITY_MILLIS = 2_000;
const m = (messageId: string, groupId: string) => ({ messageId, groupId });

describe('FifoGroupOrder (SQS FIFO: a group with a message in flight delivers nothing else)', () => {
  it('delivers a batch of several groups in the order received', () => {
    const order = new FifoGroupOrder(VISIBILITY_MILLIS);
    const verdict = order.admit([m('a1', 'A'), m('a2', 'A'), m('b1', 'B')], 0);
    expect(verdict.deliver.map((x) => x.messageId)).toEqual(['a1', 'a2', 'b1']);
    expect(verdict.holdBack).toEqual([]);
  });

  it('holds back a later message of a group whose earlier one failed, until that one can reappear', () => {
    // GIVEN a1 was delivered and failed (not deleted), b1 succeeded
    const order = new FifoGroupOrder(VISIBILITY_MILLIS);
    order.admit([m('a1', 'A'), m('b1', 'B')], 0);
    order.failed(m('a1', 'A'));
    order.deleted(m('b1', 'B'));

    // WHEN the emulator, which knows no group lock, returns a2 and b2 while a1 is still hidden
    const verdict = order.admit([m('a2', 'A'), m('b2', 'B')], 500);

    // THEN b2 goes on, a2 waits for a1's visibility timeout
    expect(verdict.deliver.map((x) => x.messageId)).toEqual(['b2']);
    expect(verdict.holdBack).toEqual([{ message: m('a2', 'A'), untilMillis: VISIBILITY_MILLIS }]);
  });

  it('delivers the failed message first when it reappears, and the held one after it is deleted', () => {
    const order = new FifoGroupOrder(VISIBILITY_MILLIS);
    order.admit([m('a1', 'A')], 0);
    order.failed(m('a1', 'A'));
    order.admit([m('a2', 'A')], 100); // held back
    const again = order.admit([m('a1', 'A'), m('a3', 'A')], 2_100);
    // a3 is new: it comes after the held a2, so it waits too
    expect(again.deliver.map((x) => x.messageId)).toEqual(['a1']);
    expect(again.holdBack.map((h) => h.message.messageId)).toEqual(['a3']);
    order.deleted(m('a1', 'A'));
    expect(order.admit([m('a2', 'A'), m('a3', 'A')], 3_000).deliver.map((x) => x.messageId)).toEqual([
      'a2',
      'a3',
    ]);
  });

  it('never gives a message to a second batch while its first batch runs', () => {
    const order = new FifoGroupOrder(VISIBILITY_MILLIS);
    order.admit([m('a1', 'A')], 0);
    // the batch outlives the visibility timeout and the emulator returns a1 again
    const verdict = order.admit([m('a1', 'A')], 2_500);
    expect(verdict.deliver).toEqual([]);
    expect(verdict.holdBack.map((h) => h.message.messageId)).toEqual(['a1']);
  });

  it('counts the groups that wait', () => {
    const order = new FifoGroupOrder(VISIBILITY_MILLIS);
    order.admit([m('a1', 'A'), m('b1', 'B')], 0);
    order.deleted(m('b1', 'B'));
    expect(order.waitingGroups()).toBe(1);
  });
});
