import { formatDuration, formatTable } from '../../../ops/cli';

test.each([
  [850, '850ms'],
  [45_000, '45s'],
  [750_000, '12m 30s'],
  [4 * 3_600_000 + 5 * 60_000, '4h 05m'],
  [2 * 86_400_000 + 3 * 3_600_000, '2d 3h'],
  [-90_000, '-1m 30s'],
])('formatDuration(%d) is %s', (millis, text) => {
  expect(formatDuration(millis)).toBe(text);
});

test('formatTable pads every column but the last to its widest cell', () => {
  expect(
    formatTable([
      ['NAME', 'STATE', 'NOTE'],
      ['orders', 'OPEN', 'since 5m'],
      ['analytics-long', 'CLOSED', ''],
    ]),
  ).toBe(
    ['NAME            STATE   NOTE', 'orders          OPEN    since 5m', 'analytics-long  CLOSED'].join('\n'),
  );
});
