import { type Clock } from '../contracts';
import { withHandlerOutputDiscarded } from './discard-output';
import { okFetch, unavailableFetch } from './noop-fetch';
import { buildOurConsumer } from './our-consumer';
import type { PipelineFixture } from './pipeline-fixture';
import { progress } from './progress';
import { benchmarkBatch } from './records';
import type { RequestCounts } from './request-counter';

/** One way batches arrive, and what the breaker's DynamoDB traffic came to. */
export interface BreakerScenarioResult {
  readonly scenario: string;
  /** Virtual time between the starts of two batches. */
  readonly intervalMillis: number;
  readonly batches: number;
  readonly requestsPerBatch: number;
  /** HTTP attempts per batch (requests plus SDK retries). */
  readonly attemptsPerBatch: number;
  readonly byCommand: Readonly<Record<string, number>>;
}

export interface BreakerCost {
  /** The worst steady-state (CLOSED, healthy downstream) figure over the paces measured. */
  readonly steadyRequestsPerBatch: number;
  /** The downstream-outage figure. */
  readonly outageRequestsPerBatch: number;
  readonly scenarios: readonly BreakerScenarioResult[];
}

/** A wall clock the scenario moves by hand, so that paces of seconds run in milliseconds. */
class VirtualClock implements Clock {
  constructor(private millis: number) {}
  now(): number {
    return this.millis;
  }
  advance(millis: number): void {
    this.millis += millis;
  }
}

const BATCH_SIZE = 100;
/** Batches counted per steady scenario, after the one that creates the breaker item. */
const STEADY_BATCHES = 50;
/** Batches counted in the outage: two minutes of Lambda retrying once a second, several cool-downs. */
const OUTAGE_BATCHES = 120;
const BUSY_INTERVAL_MILLIS = 20;

/**
 * Counts the breaker's DynamoDB requests per batch with SDK middleware on its client, in virtual
 * time: steady state at three paces (back-to-back batches of a busy shard; half the read cache's TTL;
 * one batch per batching window, the pace of a quiet shard), and a downstream outage with Lambda
 * retrying the batch once per second. Each scenario has its own breaker item.
 */
export async function measureBreakerCost(fixture: PipelineFixture): Promise<BreakerCost> {
  const { breaker } = fixture.config;
  const windowMillis = fixture.consumer.maxBatchingWindowSeconds * 1_000;
  const steadyPaces = [
    { scenario: 'steady, busy shard', intervalMillis: BUSY_INTERVAL_MILLIS },
    { scenario: 'steady, half the cache TTL', intervalMillis: Math.round(breaker.cacheTtlMillis / 2) },
    { scenario: 'steady, one batch per batching window', intervalMillis: windowMillis },
  ];
  const scenarios: BreakerScenarioResult[] = [];
  for (const pace of steadyPaces) {
    scenarios.push(await runScenario(fixture, { ...pace, healthy: true, batches: STEADY_BATCHES }));
  }
  const outage = await runScenario(fixture, {
    scenario: 'downstream outage, retried every second',
    intervalMillis: 1_000,
    healthy: false,
    batches: OUTAGE_BATCHES,
  });
  scenarios.push(outage);
  return {
    steadyRequestsPerBatch: Math.max(
      ...scenarios.slice(0, steadyPaces.length).map((s) => s.requestsPerBatch),
    ),
    outageRequestsPerBatch: outage.requestsPerBatch,
    scenarios,
  };
}

interface ScenarioPlan {
  readonly scenario: string;
  readonly intervalMillis: number;
  readonly healthy: boolean;
  readonly batches: number;
}

async function runScenario(fixture: PipelineFixture, plan: ScenarioPlan): Promise<BreakerScenarioResult> {
  const clock = new VirtualClock(Date.now());
  const consumer = buildOurConsumer(fixture, {
    fetch: plan.healthy ? okFetch : unavailableFetch,
    breakerClock: clock,
    breakerName: `bench-cost-${plan.scenario.replace(/[^a-z]+/g, '-')}`,
  });
  const event = benchmarkBatch(BATCH_SIZE);
  let counts: RequestCounts;
  try {
    await withHandlerOutputDiscarded(async () => {
      // The first batch of a healthy run creates the item; a process's first read is not steady state.
      if (plan.healthy) await consumer.handle(event);
      consumer.dynamodb.reset();
      for (let batch = 0; batch < plan.batches; batch++) {
        clock.advance(plan.intervalMillis);
        await consumer.handle(event);
      }
    });
    counts = consumer.dynamodb.counts;
  } finally {
    consumer.close();
  }
  const result = {
    scenario: plan.scenario,
    intervalMillis: plan.intervalMillis,
    batches: plan.batches,
    requestsPerBatch: counts.commands / plan.batches,
    attemptsPerBatch: counts.attempts / plan.batches,
    byCommand: counts.byCommand,
  };
  progress(`breaker cost, ${plan.scenario}: ${result.requestsPerBatch.toFixed(2)} requests/batch`);
  return result;
}
