import type { Figure, ScenarioResult } from './result.js';

/** Columns every row may have, in display order; other fields go to the "details" column. */
const COLUMNS: ReadonlyArray<readonly [field: string, title: string]> = [
  ['name', 'scenario'],
  ['recordsPerSec', 'records/s'],
  ['mbPerSec', 'MB/s'],
  ['latencyP50Ms', 'p50 ms'],
  ['latencyP99Ms', 'p99 ms'],
  ['baseline', 'baseline'],
  ['ratio', 'ratio'],
];

function show(value: Figure | undefined): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  return value;
}

/** Renders results as a plain-text table with a trailing details column. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const known = new Set(COLUMNS.map(([field]) => field));
  const rows = results.map((result) => {
    const cells = COLUMNS.map(([field]) => show(result[field]));
    const details = Object.entries(result)
      .filter(([field]) => !known.has(field))
      .map(([field, value]) => `${field}=${show(value)}`)
      .join(' ');
    return [...cells, details];
  });
  const header = [...COLUMNS.map(([, title]) => title), 'details'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 || i >= COLUMNS.length - 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
