/**
 * What a downstream saw: every call with its time and answer, the events it accepted, and per
 * partition key the order in which it first accepted each event. The game day reads it to count
 * delivered and duplicate events, calls made while a breaker was OPEN, and order per key.
 */

export interface DownstreamCall {
  /** Epoch ms at which the request arrived. */
  readonly atMillis: number;
  readonly eventId: string;
  readonly status: number;
  /** The event's partition key and per-key sequence, when its payload carries them. */
  readonly key?: string;
  readonly seq?: number;
  /** Requests the downstream was serving when this one arrived, this one included. */
  readonly inFlight?: number;
}

export class DeliveryLog {
  private readonly callList: DownstreamCall[] = [];
  private readonly accepted = new Set<string>();
  private readonly firstAcceptedByKey = new Map<string, number[]>();
  private duplicateCount = 0;

  /** Records a call; an accepted (2xx) one counts as delivered the first time, as a duplicate after. */
  record(call: DownstreamCall): void {
    this.callList.push(call);
    if (call.status < 200 || call.status >= 300) return;
    if (this.accepted.has(call.eventId)) {
      this.duplicateCount++;
      return;
    }
    this.accepted.add(call.eventId);
    if (call.key !== undefined && call.seq !== undefined) {
      const order = this.firstAcceptedByKey.get(call.key) ?? [];
      order.push(call.seq);
      this.firstAcceptedByKey.set(call.key, order);
    }
  }

  get calls(): readonly DownstreamCall[] {
    return this.callList;
  }

  /** Unique eventIds accepted. */
  get delivered(): number {
    return this.accepted.size;
  }

  /** Accepted calls for an eventId that had already been accepted (at-least-once redelivery). */
  get duplicates(): number {
    return this.duplicateCount;
  }

  hasDelivered(eventId: string): boolean {
    return this.accepted.has(eventId);
  }

  /** Per partition key, the per-key sequence numbers in the order they were first accepted. */
  firstAcceptanceOrder(): ReadonlyMap<string, readonly number[]> {
    return this.firstAcceptedByKey;
  }
}
