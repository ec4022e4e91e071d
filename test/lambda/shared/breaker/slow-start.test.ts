import {
  keysAtShare,
  rampStartShare,
  SLOW_START_MIN_SHARE,
  slowStartShare,
} from '../../../../lambda/shared/breaker/slow-start';

const RAMP = { slowStartMillis: 60_000 };
const CLOSED_AT = 1_000_000;
const recovered = { state: 'CLOSED' as const, reason: 'probe-succeeded' as const, changedAt: CLOSED_AT };

describe('slowStartShare', () => {
  it('starts a recovery close at the minimum share and grows linearly to all of it over the ramp', () => {
    expect(slowStartShare(recovered, RAMP, CLOSED_AT)).toBe(SLOW_START_MIN_SHARE);
    expect(slowStartShare(recovered, RAMP, CLOSED_AT + 30_000)).toBeCloseTo(0.55);
    expect(slowStartShare(recovered, RAMP, CLOSED_AT + 60_000)).toBe(1);
    expect(slowStartShare(recovered, RAMP, CLOSED_AT + 600_000)).toBe(1);
  });

  it('ramps after a manual close too (an operator closing after a fix)', () => {
    expect(slowStartShare({ ...recovered, reason: 'manual-close' }, RAMP, CLOSED_AT)).toBe(
      SLOW_START_MIN_SHARE,
    );
  });

  it.each([
    ['a breaker never written', undefined],
    ['a breaker created CLOSED', { ...recovered, reason: 'created' as const }],
    ['a breaker reset', { ...recovered, reason: 'manual-reset' as const }],
  ])('is all of it for %s', (_label, item) => {
    expect(slowStartShare(item, RAMP, CLOSED_AT)).toBe(1);
  });

  it.each([
    ['OPEN', { ...recovered, state: 'OPEN' as const }],
    ['HALF_OPEN', { ...recovered, state: 'HALF_OPEN' as const }],
  ])(
    "is the ramp's start while %s, so that a batch held through the outage does not resume with all of it",
    (_label, item) => {
      expect(slowStartShare(item, RAMP, CLOSED_AT + 600_000)).toBe(SLOW_START_MIN_SHARE);
      expect(slowStartShare(item, { slowStartMillis: 0 }, CLOSED_AT)).toBe(1);
    },
  );

  it('starts a ramp at the minimum share, or at all of it when slow start is off', () => {
    expect(rampStartShare(RAMP)).toBe(SLOW_START_MIN_SHARE);
    expect(rampStartShare({ slowStartMillis: 0 })).toBe(1);
  });

  it('is all of it when slow start is off (0)', () => {
    expect(slowStartShare(recovered, { slowStartMillis: 0 }, CLOSED_AT)).toBe(1);
  });

  it('treats a clock behind the writer as the start of the ramp, never more', () => {
    expect(slowStartShare(recovered, RAMP, CLOSED_AT - 10_000)).toBe(SLOW_START_MIN_SHARE);
  });
});

describe('keysAtShare', () => {
  it.each([
    [32, 0.1, 4],
    [32, 0.55, 18],
    [32, 1, 32],
    [8, 0.1, 1],
    [1, 0.1, 1],
  ])('%i keys at share %f run %i at once', (keys, share, expected) => {
    expect(keysAtShare(keys, share)).toBe(expected);
  });
});
