const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `2d 3h`, `4h 05m`, `12m 30s`, `45s`, `850ms`: the two largest units. */
export function formatDuration(millis: number): string {
  const sign = millis < 0 ? '-' : '';
  const value = Math.abs(millis);
  if (value < SECOND) return `${sign}${Math.round(value)}ms`;
  if (value < MINUTE) return `${sign}${Math.floor(value / SECOND)}s`;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (value < HOUR)
    return `${sign}${Math.floor(value / MINUTE)}m ${pad(Math.floor((value % MINUTE) / SECOND))}s`;
  if (value < DAY) return `${sign}${Math.floor(value / HOUR)}h ${pad(Math.floor((value % HOUR) / MINUTE))}m`;
  return `${sign}${Math.floor(value / DAY)}d ${Math.floor((value % DAY) / HOUR)}h`;
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
