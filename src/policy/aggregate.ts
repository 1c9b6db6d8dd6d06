import type { Aggregation } from './types.js';

/** NaN and infinities carry no information about the version: they count as missing samples. */
export function finite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

/** Nearest-rank percentile, the definition Prometheus' quantile_over_time approximates for small series. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Reduces a non-empty series of finite values (oldest first) to one number. */
export function aggregate(values: readonly number[], how: Aggregation): number {
  if (values.length === 0) throw new RangeError('aggregate of an empty series');
  switch (how) {
    case 'last':
      return values[values.length - 1]!;
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    default: {
      const sorted = [...values].sort((a, b) => a - b);
      return percentile(sorted, Number(how.slice(1)));
    }
  }
}
