import { heldBackSinceMillis, pausedSeconds } from '../../../lambda/breaker-controller/paused';
import { breakerSettings } from '../../helpers/breaker-settings';

const SETTINGS = breakerSettings({
  coolDownMillis: 30_000,
  coolDownBackoffMultiplier: 2,
  maxCoolDownMillis: 600_000,
});
const NOW = 10_000_000;

describe('heldBackSinceMillis', () => {
  it('is undefined for a CLOSED or missing breaker', () => {
    expect(heldBackSinceMillis({ state: 'CLOSED', trips: 0, changedAt: NOW }, SETTINGS, NOW)).toBeUndefined();
    expect(heldBackSinceMillis(undefined, SETTINGS, NOW)).toBeUndefined();
  });

  it('is the change time of a first trip', () => {
    expect(heldBackSinceMillis({ state: 'OPEN', trips: 1, changedAt: NOW - 5_000 }, SETTINGS, NOW)).toBe(
      NOW - 5_000,
    );
  });

  it('goes back over the cool-downs of the earlier trips of the run (OPEN after the third trip)', () => {
    expect(heldBackSinceMillis({ state: 'OPEN', trips: 3, changedAt: NOW }, SETTINGS, NOW)).toBe(
      NOW - 30_000 - 60_000,
    );
  });

  it('counts the cool-down of the current trip too while HALF_OPEN with a probe in flight', () => {
    const probing = { probeLeaseId: 'lease', probeLeaseUntil: NOW + 1_000 };
    expect(
      heldBackSinceMillis({ state: 'HALF_OPEN', trips: 2, changedAt: NOW, ...probing }, SETTINGS, NOW),
    ).toBe(NOW - 30_000 - 60_000);
  });

  // Issue 22 fault 6: a quiet stream's consumer is not paused by a HALF_OPEN breaker nobody probes.
  it('is undefined while HALF_OPEN with no probe in flight (free or expired lease)', () => {
    const halfOpen = { state: 'HALF_OPEN', trips: 2, changedAt: NOW - 7_200_000 } as const;
    expect(heldBackSinceMillis(halfOpen, SETTINGS, NOW)).toBeUndefined();
    expect(
      heldBackSinceMillis({ ...halfOpen, probeLeaseId: 'gone', probeLeaseUntil: NOW - 1 }, SETTINGS, NOW),
    ).toBeUndefined();
    expect(
      pausedSeconds({
        breaker: halfOpen,
        mapping: { uuid: 'm', action: 'unchanged', observed: { state: 'Enabled', lastModifiedMillis: 0 } },
        settings: SETTINGS,
        nowMillis: NOW,
      }),
    ).toBe(0);
  });
});

describe('pausedSeconds', () => {
  it('is 0 for a CLOSED breaker whose mapping runs', () => {
    expect(
      pausedSeconds({
        breaker: { state: 'CLOSED', trips: 0, changedAt: 0 },
        mapping: { uuid: 'u', action: 'unchanged', observed: { state: 'Enabled', lastModifiedMillis: 0 } },
        settings: SETTINGS,
        nowMillis: NOW,
      }),
    ).toBe(0);
  });

  it('is 0 for a mapping the tick has just enabled', () => {
    expect(
      pausedSeconds({
        breaker: { state: 'CLOSED', trips: 0, changedAt: 0 },
        mapping: { uuid: 'u', action: 'updated', observed: { state: 'Disabled', lastModifiedMillis: 0 } },
        settings: SETTINGS,
        nowMillis: NOW,
      }),
    ).toBe(0);
  });

  it('takes whichever pause started first: the breaker\u2019s or the mapping\u2019s', () => {
    expect(
      pausedSeconds({
        breaker: { state: 'HALF_OPEN', trips: 1, changedAt: NOW - 1_000 },
        mapping: {
          uuid: 'u',
          action: 'deferred',
          observed: { state: 'Disabling', lastModifiedMillis: NOW - 120_000 },
        },
        settings: SETTINGS,
        nowMillis: NOW,
      }),
    ).toBe(120);
  });
});
