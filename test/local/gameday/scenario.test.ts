import { EventFactory, eventIdOf, UNDECODABLE_PREFIX } from '../../../local/gameday/events';
import { seededRandom } from '../../../local/gameday/prng';
import { buildScenario, eventsDueBy, phaseAt } from '../../../local/gameday/scenario';

const OPTIONS = { rate: 10, burstFactor: 10, outageSeconds: 5, storeOutageSeconds: 2, durationScale: 1 };

describe('buildScenario', () => {
  it('lays out steady, burst, slow, outage and recovered phases back to back', () => {
    const scenario = buildScenario(OPTIONS);
    expect(
      scenario.phases.map((p) => [p.name, p.startMillis, p.endMillis, p.rate, p.downstream.phase]),
    ).toEqual([
      ['steady', 0, 10_000, 10, 'healthy'],
      ['burst', 10_000, 16_000, 100, 'healthy'],
      ['slow', 16_000, 19_000, 10, 'slow'],
      ['outage', 19_000, 24_000, 10, 'failing'],
      ['recovered', 24_000, 30_000, 10, 'recovered'],
    ]);
    expect(scenario.outage).toEqual({ startMillis: 19_000, endMillis: 24_000 });
    expect(scenario.storeOutage).toEqual({ startMillis: 19_000, endMillis: 21_000 });
    expect(scenario.producingEndsMillis).toBe(30_000);
  });

  it('scales every phase, the outage included, by the duration scale', () => {
    const scenario = buildScenario({ ...OPTIONS, durationScale: 0.5 });
    expect(scenario.outage).toEqual({ startMillis: 9_500, endMillis: 12_000 });
    expect(scenario.producingEndsMillis).toBe(15_000);
  });

  it('puts the stuck-key phase after the steady one, failing one key of the seed only', () => {
    const scenario = buildScenario({ ...OPTIONS, stuckKeySeconds: 8, seed: 3 });
    expect(scenario.phases.map((p) => p.name)).toEqual([
      'steady',
      'stuck',
      'burst',
      'slow',
      'outage',
      'recovered',
    ]);
    const stuck = scenario.phases[1];
    expect([stuck.startMillis, stuck.endMillis, stuck.rate]).toEqual([10_000, 18_000, 10]);
    expect(stuck.downstream).toEqual({ phase: 'healthy', latencyMillis: 0, stuckKey: 'customer-3' });
    expect(scenario.stuckKey).toEqual({ startMillis: 10_000, endMillis: 18_000, key: 'customer-3' });
    expect(buildScenario(OPTIONS).stuckKey).toBeUndefined();
  });

  it('has no outage phase with --outage-seconds 0', () => {
    const scenario = buildScenario({ ...OPTIONS, outageSeconds: 0, storeOutageSeconds: 0 });
    expect(scenario.phases.map((p) => p.name)).toEqual(['steady', 'burst', 'slow', 'recovered']);
    expect(scenario.outage).toBeUndefined();
    expect(scenario.storeOutage).toBeUndefined();
  });

  it('integrates the rates into the events due, and stays in the last phase after the end', () => {
    const scenario = buildScenario(OPTIONS);
    expect(eventsDueBy(scenario, 5_000)).toBe(50);
    expect(eventsDueBy(scenario, 11_000)).toBe(200);
    expect(eventsDueBy(scenario, 30_000)).toBe(100 + 600 + 30 + 50 + 60);
    expect(phaseAt(scenario, 60_000).name).toBe('recovered');
  });
});

describe('EventFactory', () => {
  const take = (seed: number, poisonRate: number, n: number) => {
    const factory = new EventFactory(seededRandom(seed), seed, poisonRate);
    return Array.from({ length: n }, () => factory.next());
  };
  const stable = (events: ReturnType<typeof take>) =>
    events.map(({ eventId, partitionKey, seq, poison }) => ({ eventId, partitionKey, seq, poison }));

  it('replays the same events for the same seed and differs for another seed', () => {
    expect(stable(take(7, 0.2, 50))).toEqual(stable(take(7, 0.2, 50)));
    expect(stable(take(8, 0.2, 50))).not.toEqual(stable(take(7, 0.2, 50)));
  });

  it('numbers good events per key from 1 and mixes in every poison kind at about the poison rate', () => {
    const events = take(3, 0.3, 600);
    const poison = events.filter((e) => e.poison !== undefined);
    expect(poison.length).toBeGreaterThan(120);
    expect(poison.length).toBeLessThan(240);
    expect(new Set(poison.map((e) => e.poison))).toEqual(new Set(['undecodable', 'invalid', 'rejected']));
    const seqs = new Map<string, number[]>();
    for (const e of events.filter((x) => x.seq !== undefined)) {
      seqs.set(e.partitionKey, [...(seqs.get(e.partitionKey) ?? []), e.seq!]);
    }
    for (const list of seqs.values()) expect(list).toEqual(list.map((_, i) => i + 1));
  });

  it('keeps the eventId findable in every kind of record data', () => {
    for (const event of take(5, 1, 30)) expect(eventIdOf(event.data)).toBe(event.eventId);
    expect(take(5, 1, 30).some((e) => e.data.startsWith(UNDECODABLE_PREFIX))).toBe(true);
  });
});

describe('buildScenario with a rejection storm', () => {
  it('puts the storm where the outage would start, the outage right after it', () => {
    const scenario = buildScenario({
      rate: 10,
      burstFactor: 2,
      outageSeconds: 5,
      rejectStormSeconds: 4,
      storeOutageSeconds: 0,
      durationScale: 1,
    });
    const storm = scenario.phases.find((p) => p.name === 'storm')!;
    const outage = scenario.phases.find((p) => p.name === 'outage')!;
    expect(storm.downstream).toEqual({ phase: 'rejecting', latencyMillis: 0 });
    expect(storm.endMillis - storm.startMillis).toBe(4_000);
    expect(outage.startMillis).toBe(storm.endMillis);
    expect(scenario.rejectStorm).toEqual({ startMillis: storm.startMillis, endMillis: storm.endMillis });
  });

  it('has no storm by default', () => {
    const scenario = buildScenario({
      rate: 10,
      burstFactor: 2,
      outageSeconds: 5,
      storeOutageSeconds: 0,
      durationScale: 1,
    });
    expect(scenario.rejectStorm).toBeUndefined();
    expect(scenario.phases.map((p) => p.name)).not.toContain('storm');
  });
});
