import { formatBreakers } from '../../../ops/breaker/format-breakers';

const NOW = Date.UTC(2026, 0, 1, 12);
const BASE = {
  name: 'orders',
  version: 3,
  windowStart: NOW - 10_000,
  trips: 2,
  openUntil: NOW + 5_000,
  changedAt: NOW - 1_000,
  updatedAt: NOW - 1_000,
  expiresAt: 0,
} as const;

describe('formatBreakers and the rejection storm', () => {
  test('shows the rejections of the window and names the storm while it holds', () => {
    const table = formatBreakers(
      [
        {
          ...BASE,
          state: 'OPEN',
          successes: 30,
          failures: 1,
          rejections: 28,
          stormSince: NOW - 9_000,
          reason: 'probe-failed',
        },
      ],
      ['orders'],
      NOW,
    );
    expect(table).toContain('30 ok (28 rejected) / 1 failed');
    expect(table).toContain('probe-failed (rejection storm)');
  });

  test('says nothing of a storm for a breaker without rejections', () => {
    const table = formatBreakers(
      [{ ...BASE, state: 'OPEN', successes: 3, failures: 20, reason: 'failure-rate' }],
      ['orders'],
      NOW,
    );
    expect(table).toContain('3 ok / 20 failed');
    expect(table).not.toContain('rejection');
  });
});
