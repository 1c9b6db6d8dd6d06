/** Small statistics for the report: intervals on rates, nearest-rank percentiles. */

/** The Wilson score interval of k successes in n at 95%: honest near 0 and 1, where the Wald interval is not. */
export function wilson(k: number, n: number, z = 1.959964): { lo: number; hi: number } {
  if (n === 0) return { lo: Number.NaN, hi: Number.NaN };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** Nearest-rank percentile, as `pinback backtest` summarizes (src/backtest/replay.ts): null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1]!;
}

/** A share as a percentage: two decimals under 10%, where a false-rollback rate lives. */
export function percent(x: number): string {
  if (!Number.isFinite(x)) return '-';
  const v = 100 * x;
  return `${v === 0 || v === 100 ? v.toFixed(0) : v < 10 ? v.toFixed(2) : v.toFixed(1)}%`;
}

export function pct(k: number, n: number): string {
  return n === 0 ? '-' : percent(k / n);
}

/** Seconds as minutes for people: `2 min`, `2.5 min`; `-` when there is nothing. */
export function minutes(s: number | null): string {
  if (s === null) return '-';
  return `${Number((s / 60).toFixed(1))} min`;
}
