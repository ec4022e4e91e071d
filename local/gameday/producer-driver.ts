import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisProducer } from '../../ops/producer-client';
import type { ProducerCounters } from '../../ops/producer-client';
import type { EventFactory } from './events';
import { HOT_KEY, throttleHotShard } from './hot-shard';
import type { Ledger } from './ledger';
import { eventsDueBy } from './scenario';
import type { Scenario } from './scenario';

/**
 * The game day's producer shares one event loop with kinesalite and every consumer, so a round trip
 * takes far longer than against AWS; a record's time-to-live is raised so a busy local loop is not
 * reported as a failing stream (the default, 30 s, is for a producer with a loop of its own).
 */
const GAMEDAY_RECORD_TTL_MILLIS = 300_000;

/** How often the driver tops the producer up to the scenario's rate. */
const TICK_MILLIS = 25;

/**
 * Feeds the producer client (ops/producer-client: per-shard batches, order per key, retries of
 * rejected records, backpressure, record time-to-live) at the rate the scenario asks for, and notes in
 * the ledger, in the order of the put calls, where the stream stored each event. With a hot-key rate,
 * that share of the events goes to {@link HOT_KEY}, whose shard throttles (see hot-shard.ts).
 */
export class ProducerDriver {
  private readonly producer: KinesisProducer;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly options: {
      readonly streamName: string;
      readonly client: KinesisClient;
      readonly scenario: Scenario;
      readonly events: EventFactory;
      readonly ledger: Ledger;
      /** Ms since the start of the run. */
      readonly elapsedMillis: () => number;
      readonly random: () => number;
      /** Share of events sent to the hot key of a throttled shard, 0..0.5. @default 0 */
      readonly hotKeyRate?: number;
      /** Steady events per second, which sizes the throttled shard. */
      readonly rate?: number;
    },
  ) {
    this.producer = new KinesisProducer({
      streamName: options.streamName,
      client: options.client,
      lingerMillis: TICK_MILLIS,
      random: options.random,
      recordTtlMillis: GAMEDAY_RECORD_TTL_MILLIS,
    });
  }

  get counters(): ProducerCounters {
    return this.producer.counters;
  }

  /** Starts producing; the returned promise settles when every event is in the stream or reported. */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** Stops early (an aborted run); events already handed over are still flushed. */
  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    const { random } = this.options;
    const hotKeyRate = this.options.hotKeyRate ?? 0;
    const hot =
      hotKeyRate > 0
        ? await throttleHotShard(this.options.client, this.options.streamName, {
            rate: this.options.rate ?? 1,
            hotKeyRate,
          })
        : undefined;
    try {
      await this.produce(hotKeyRate, random);
    } finally {
      hot?.remove();
    }
  }

  private async produce(hotKeyRate: number, random: () => number): Promise<void> {
    const { scenario, events, ledger, elapsedMillis } = this.options;
    const settlements: Promise<void>[] = [];
    while (!this.stopped) {
      const elapsed = elapsedMillis();
      const due = eventsDueBy(scenario, Math.min(elapsed, scenario.producingEndsMillis));
      while (ledger.handedOver < due && !this.stopped) {
        // The draw only happens with a hot key, so a run without one replays as before.
        const event = events.next(hotKeyRate > 0 && random() < hotKeyRate ? HOT_KEY : undefined);
        const entry = ledger.add(event);
        // send() waits while the buffer is full: the backpressure slows this loop, not memory.
        const accepted = await this.producer.send({ partitionKey: event.partitionKey, data: event.data });
        settlements.push(
          accepted.delivered.then(
            (delivered) => ledger.stored(entry, delivered),
            (error: unknown) => ledger.failed(entry, error instanceof Error ? error.message : String(error)),
          ),
        );
      }
      if (elapsed >= scenario.producingEndsMillis) break;
      await new Promise((resolve) => setTimeout(resolve, TICK_MILLIS));
    }
    await this.producer.close();
    await Promise.all(settlements);
  }
}
