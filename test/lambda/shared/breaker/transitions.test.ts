import { freshItem, STORM_KEYS_CAP, type BreakerItem } from '../../../../lambda/shared/breaker/item';
import {
  coolDownFor,
  failureRate,
  leaseExpired,
  leaseFree,
  probeFailed,
  probeSucceeded,
  recordOutcomes,
  shouldTrip,
  trip,
  withStormKey,
} from '../../../../lambda/shared/breaker/transitions';
import { breakerSettings } from '../../../helpers/breaker-settings';

const NOW = 1_000_000;
const settings = breakerSettings({ minimumCalls: 10, failureRateThreshold: 0.5, windowMillis: 60_000 });

function item(overrides: Partial<BreakerItem> = {}): BreakerItem {
  return { ...freshItem('orders', NOW), ...overrides };
}

describe('coolDownFor', () => {
  it.each([
    [1, 30_000],
    [2, 60_000],
    [3, 100_000], // 120 000 capped at maxCoolDownMillis
    [10, 100_000],
  ])('trip %i cools down for %i ms', (trips, expected) => {
    expect(coolDownFor(trips, breakerSettings())).toBe(expected);
  });

  it('uses the base cool-down when the multiplier is 1', () => {
    expect(coolDownFor(5, breakerSettings({ coolDownBackoffMultiplier: 1 }))).toBe(30_000);
  });
});

describe('shouldTrip', () => {
  it('trips at the threshold once the window holds minimumCalls', () => {
    expect(shouldTrip(item({ successes: 5, failures: 5 }), settings, NOW)).toBe(true);
  });

  it('does not trip below minimumCalls, even at a 100% failure rate', () => {
    expect(shouldTrip(item({ successes: 0, failures: 9 }), settings, NOW)).toBe(false);
  });

  it('does not trip below the failure rate threshold', () => {
    expect(shouldTrip(item({ successes: 6, failures: 4 }), settings, NOW)).toBe(false);
  });

  it('does not trip on the counts of an expired window', () => {
    expect(shouldTrip(item({ successes: 0, failures: 50 }), settings, NOW + 60_000)).toBe(false);
  });

  it.each(['OPEN', 'HALF_OPEN'] as const)('does not trip a breaker that is %s', (state) => {
    expect(shouldTrip(item({ state, failures: 50 }), settings, NOW)).toBe(false);
  });
});

describe('failureRate', () => {
  it('is 0 for an empty window', () => {
    expect(failureRate({ successes: 0, failures: 0 })).toBe(0);
  });

  it('is failures over calls', () => {
    expect(failureRate({ successes: 3, failures: 1 })).toBe(0.25);
  });
});

describe('leaseFree', () => {
  it('is free only when never taken: an expired lease is not handed on', () => {
    expect(leaseFree(item())).toBe(true);
    expect(leaseFree(item({ probeLeaseId: 'a', probeLeaseUntil: NOW }))).toBe(false);
  });
});

describe('leaseExpired', () => {
  it('is expired from its end on, and never when not taken', () => {
    expect(leaseExpired(item(), NOW)).toBe(false);
    expect(leaseExpired(item({ probeLeaseId: 'a', probeLeaseUntil: NOW }), NOW)).toBe(true);
    expect(leaseExpired(item({ probeLeaseId: 'a', probeLeaseUntil: NOW + 1 }), NOW)).toBe(false);
  });
});

describe('recordOutcomes', () => {
  const counts = { successes: 2, failures: 3 };

  it('creates the item when the breaker was never written', () => {
    const write = recordOutcomes(undefined, counts, NOW, settings);
    expect(write.condition).toEqual({ kind: 'itemExists', exists: false });
    expect(write.update.set).toMatchObject({ state: 'CLOSED', version: 0, windowStart: NOW, ...counts });
  });

  it('adds to the current window, conditioned on it', () => {
    const write = recordOutcomes(item({ windowStart: NOW - 1_000 }), counts, NOW, settings);
    expect(write.update.add).toEqual(counts);
    expect(write.condition).toEqual({
      kind: 'all',
      of: [
        { kind: 'itemExists', exists: true },
        { kind: 'equals', attribute: 'windowStart', value: NOW - 1_000 },
      ],
    });
  });

  it('starts a new window holding the counts when the seen one expired', () => {
    const write = recordOutcomes(item({ windowStart: NOW - 60_000 }), counts, NOW, settings);
    expect(write.update.add).toBeUndefined();
    expect(write.update.set).toMatchObject({ windowStart: NOW, ...counts });
  });

  it('refreshes the TTL attribute in epoch seconds', () => {
    const write = recordOutcomes(item(), counts, NOW, settings);
    expect(write.update.set?.expiresAt).toBe(Math.floor(NOW / 1000) + 14 * 24 * 3600);
  });
});

describe('trip', () => {
  it('opens for the cool-down of the next consecutive trip, conditioned on state and version', () => {
    const write = trip(item({ version: 7, trips: 1 }), NOW, settings);
    expect(write.update.set).toMatchObject({ state: 'OPEN', version: 8, trips: 2, openUntil: NOW + 60_000 });
    expect(write.condition).toEqual({
      kind: 'all',
      of: [
        { kind: 'equals', attribute: 'state', value: 'CLOSED' },
        { kind: 'equals', attribute: 'version', value: 7 },
      ],
    });
  });
});

describe('stormKeys (keys rejected under a storm, docs/architecture.md "Storm keys")', () => {
  it('are replaced by the outcome write of a new window while the breaker is CLOSED (no storm holds)', () => {
    const old = item({ windowStart: NOW - 120_000, stormKeys: ['a', 'stale'] });
    const write = recordOutcomes(old, { successes: 1, failures: 0, stormKeys: ['a', 'b'] }, NOW, settings);
    expect(write.update.set).toMatchObject({ stormKeys: ['a', 'b'] });
    expect(write.update.addMembers).toBeUndefined();
    const none = recordOutcomes(old, { successes: 1, failures: 0 }, NOW, settings);
    expect(none.update.remove).toContain('stormKeys');
  });

  it('are added by the outcome write of a new window and kept through the roll while a storm holds, below the cap', () => {
    const old = item({ state: 'HALF_OPEN', windowStart: NOW - 120_000, stormKeys: ['a'] });
    const write = recordOutcomes(old, { successes: 1, failures: 0, stormKeys: ['a', 'b'] }, NOW, settings);
    expect(write.update.addMembers).toEqual({ stormKeys: ['b'] });
    expect(write.update.remove ?? []).not.toContain('stormKeys');
    expect(JSON.stringify(write.condition)).toContain(`"attribute":"stormKeys","value":${STORM_KEYS_CAP}`);
  });

  it('are not added once the set holds the cap', () => {
    const full = item({ stormKeys: Array.from({ length: STORM_KEYS_CAP }, (_, i) => `d${i}`) });
    const write = recordOutcomes(full, { successes: 1, failures: 0, stormKeys: ['new'] }, NOW, settings);
    expect(write.update.addMembers).toBeUndefined();
  });

  it('are removed by a close, and a failed probe adds its key', () => {
    const halfOpen = item({ state: 'HALF_OPEN', probeLeaseId: 'lease', stormKeys: ['a'] });
    expect(probeSucceeded(halfOpen, 'lease', NOW).update.remove).toContain('stormKeys');
    const failed = withStormKey(probeFailed(halfOpen, 'lease', NOW, settings), halfOpen, 'b');
    expect(failed.update.addMembers).toEqual({ stormKeys: ['b'] });
  });
});
