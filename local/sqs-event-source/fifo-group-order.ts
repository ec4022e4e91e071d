/**
 * SQS FIFO's rule for receiving, which local-aws-sqs does not apply: a message group with a message in
 * flight (received, neither deleted nor visible again) delivers no other message of that group, and a
 * group's messages come in the order they were sent
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html:
 * "you can't receive additional messages from the same message group ID in subsequent requests until the
 * current received messages are deleted or become visible again"). The emulator returns any visible
 * message, so a later message of a group whose earlier one failed and waits out its visibility timeout
 * would overtake it.
 *
 * The local SQS event source is the queue's only reader and receives through this: it keeps, per group,
 * the messages it has seen and not seen deleted, in send order, and decides for each received message
 * whether Lambda would have got it. A message that AWS would not have returned yet goes back (the event
 * source hides it again until the message ahead of it can reappear); the emulator scans its messages in
 * send order, so once the one ahead is visible again it comes first.
 *
 * Why send order is known without a sequence number: a message first seen now was not visible, or not
 * sent, when the group's known messages were received (the emulator returns visible messages in send
 * order), so it comes after all of them.
 */

/** One received message, as far as the order of its group is concerned. */
export interface GroupedMessage {
  readonly messageId: string;
  readonly groupId: string;
}

/** What to do with one received batch: deliver some, hide the others again until the given time. */
export interface GroupVerdict<M extends GroupedMessage> {
  /** The messages Lambda would get, in the order received. */
  readonly deliver: readonly M[];
  /** Messages AWS would not have returned yet, each with when the message ahead of it may reappear. */
  readonly holdBack: readonly { readonly message: M; readonly untilMillis: number }[];
}

interface Pending {
  readonly messageId: string;
  /** `in-flight`: handed to the function; `held`: hidden again by this guard. */
  state: 'in-flight' | 'held';
  /** When the emulator makes it visible again if nobody deletes it. */
  visibleAgainAtMillis: number;
  /** Its batch is still running: even visible again, it must not go to a second batch at once. */
  running: boolean;
}

export class FifoGroupOrder {
  /** Per group, the messages seen and not deleted, in send order. */
  private readonly groups = new Map<string, Pending[]>();

  /**
   * @param visibilityTimeoutMillis - the queue's visibility timeout: how long a delivered message stays
   *   hidden when the function does not delete it
   */
  constructor(private readonly visibilityTimeoutMillis: number) {}

  /**
   * Judges one ReceiveMessage answer (messages in the order the emulator returned them) at `nowMillis`.
   * A message is delivered when every message ahead of it in its group was deleted or is delivered in
   * this same batch; the others are held back.
   */
  admit<M extends GroupedMessage>(messages: readonly M[], nowMillis: number): GroupVerdict<M> {
    const deliver: M[] = [];
    const holdBack: { message: M; untilMillis: number }[] = [];
    const deliveredNow = new Set<string>();
    for (const message of messages) {
      const pending = this.pendingOf(message.groupId);
      let index = pending.findIndex((p) => p.messageId === message.messageId);
      if (index === -1) {
        pending.push({
          messageId: message.messageId,
          state: 'held',
          visibleAgainAtMillis: nowMillis,
          running: false,
        });
        index = pending.length - 1;
      }
      const ahead = pending.slice(0, index).filter((p) => !deliveredNow.has(p.messageId));
      const entry = pending[index];
      if (entry.running) {
        // It reappeared while its batch still runs (a batch longer than the visibility timeout).
        holdBack.push({ message, untilMillis: nowMillis + this.visibilityTimeoutMillis });
        continue;
      }
      if (ahead.length === 0) {
        entry.state = 'in-flight';
        entry.running = true;
        entry.visibleAgainAtMillis = nowMillis + this.visibilityTimeoutMillis;
        deliveredNow.add(message.messageId);
        deliver.push(message);
        continue;
      }
      // The nearest message ahead decides when this one may be looked at again.
      const blocking = ahead[ahead.length - 1];
      const untilMillis = Math.max(blocking.visibleAgainAtMillis, nowMillis);
      entry.state = 'held';
      entry.visibleAgainAtMillis = untilMillis;
      holdBack.push({ message, untilMillis });
    }
    return { deliver, holdBack };
  }

  /** The batch that had the message ended without deleting it: it waits for its visibility timeout. */
  failed(message: GroupedMessage): void {
    const entry = this.groups.get(message.groupId)?.find((p) => p.messageId === message.messageId);
    if (entry !== undefined) entry.running = false;
  }

  /** The function deleted the message (it succeeded): the next one of its group may come. */
  deleted(message: GroupedMessage): void {
    const pending = this.groups.get(message.groupId);
    if (pending === undefined) return;
    const index = pending.findIndex((p) => p.messageId === message.messageId);
    if (index !== -1) pending.splice(index, 1);
    if (pending.length === 0) this.groups.delete(message.groupId);
  }

  /** Groups with a message seen and not deleted: the groups that wait. */
  waitingGroups(): number {
    return this.groups.size;
  }

  private pendingOf(groupId: string): Pending[] {
    let pending = this.groups.get(groupId);
    if (pending === undefined) {
      pending = [];
      this.groups.set(groupId, pending);
    }
    return pending;
  }
}
