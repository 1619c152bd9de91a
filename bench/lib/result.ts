/** One row of the benchmark output: the same object is printed in the table and in `--json`. */
export type Figure = number | string | null;

export interface ScenarioResult {
  readonly name: string;
  /** The row this one is compared with (measured in the same run), or null for a baseline itself. */
  readonly baseline: string | null;
  /** This row's headline figure divided by the baseline's (higher is better), or null. */
  readonly ratio: number | null;
  readonly [figure: string]: Figure;
}

/** Ratio rounded to 3 decimals; null when either side is missing or zero. */
export function ratioOf(value: number | undefined, baseline: number | undefined): number | null {
  if (value === undefined || baseline === undefined || !Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return null;
  return Math.round((value / baseline) * 1000) / 1000;
}

/** Rounds a figure for output: integers above 100, 2 significant decimals below. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Math.round(value * 100) / 100;
}
