/**
 * The shape every benchmark section returns, so `bench/run.ts` can print them together.
 * A section measures one thing beside its floor (the bare operation) in the same run.
 */
export interface BenchSection {
  /** Short title, e.g. "Passive authentication". */
  title: string;
  /** Table rows; every row has the same keys (column names). */
  rows: Array<Record<string, string | number>>;
  /** Free-text lines: ratios, machine facts, caveats. */
  notes?: string[];
}

/** Median of a list of numbers (milliseconds, usually). */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Rounds to a fixed number of decimals for printing. */
export function round(value: number, decimals = 2): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
