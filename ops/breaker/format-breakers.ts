import type { BreakerItem } from '../../lambda/shared';
import { failureRate, stormHolds } from '../../lambda/shared';
import { formatDuration, formatTable } from '../cli';

/** One row per breaker: those in the table, and those the stage config names but nobody wrote yet. */
export function formatBreakers(
  items: readonly BreakerItem[],
  configured: readonly string[],
  now: number,
): string {
  const byName = new Map(items.map((item) => [item.name, item]));
  const names = [...new Set([...configured, ...byName.keys()])].sort();
  const rows = names.map((name) => {
    const item = byName.get(name);
    if (!item) return [name, 'CLOSED', '-', '-', '0', '-', 'never written', '-'];
    const calls = item.successes + item.failures;
    return [
      name,
      item.state,
      calls === 0 ? '-' : `${(failureRate(item) * 100).toFixed(1)}%`,
      `${item.successes} ok${rejected(item)} / ${item.failures} failed, since ${formatDuration(now - item.windowStart)}`,
      String(item.trips),
      item.state === 'OPEN' ? openUntil(item.openUntil, now) : '-',
      stormHolds(item) ? `${item.reason} (rejection storm)` : item.reason,
      `${formatDuration(now - item.changedAt)} ago`,
    ];
  });
  return formatTable([
    ['BREAKER', 'STATE', 'FAILURE RATE', 'WINDOW', 'TRIPS', 'OPEN UNTIL', 'LAST CHANGE', 'CHANGED'],
    ...rows,
  ]);
}

function openUntil(openUntilMillis: number, now: number): string {
  const at = new Date(openUntilMillis).toISOString();
  return openUntilMillis > now
    ? `${at} (in ${formatDuration(openUntilMillis - now)})`
    : `${at} (due for HALF_OPEN)`;
}

/** Rejections are counted among the successes; shown only when there are some. */
function rejected(item: BreakerItem): string {
  const rejections = item.rejections ?? 0;
  return rejections > 0 ? ` (${rejections} rejected)` : '';
}
