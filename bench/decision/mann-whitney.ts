/**
 * The one-sided Mann-Whitney U test (Wilcoxon rank-sum), normal approximation with the tie
 * correction and a continuity correction, as R's `wilcox.test(exact = FALSE)` and SciPy's
 * `mannwhitneyu(method = "asymptotic")` compute it by default.
 *
 * The reference judge looks every minute at samples that only grow, so the test takes both samples
 * already sorted and ranks them in one merge: O(n) a look instead of a sort.
 */
import { phi } from './simulate.js';

export interface MannWhitney {
  /** U of the first sample: pairs (x, y) with x > y, ties counting one half. */
  u: number;
  /** Its standardized distance from n1 n2 / 2, with the corrections; 0 when every value ties. */
  z: number;
  /** One-sided p-value for the alternative `x` tends to be greater (`greater`) or less (`less`) than `y`. */
  p: number;
}

/** Inserts `v` into ascending `sorted` in place, keeping it sorted. */
export function insertSorted(sorted: number[], v: number): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, v);
}

/** The test on two ascending samples (NaN-free). p = 1 when either is empty or every value ties. */
export function mannWhitneySorted(
  x: readonly number[],
  y: readonly number[],
  alternative: 'greater' | 'less',
): MannWhitney {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: Number.NaN, z: 0, p: 1 };
  let i = 0;
  let j = 0;
  let rank = 0;
  let rankSumX = 0;
  let ties = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    let cx = 0;
    let cy = 0;
    while (i < n1 && x[i] === v) {
      i++;
      cx++;
    }
    while (j < n2 && y[j] === v) {
      j++;
      cy++;
    }
    const t = cx + cy;
    // The tied values share the average of the ranks rank+1 .. rank+t.
    rankSumX += cx * (rank + (t + 1) / 2);
    rank += t;
    ties += t * t * t - t;
  }
  const n = n1 + n2;
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, p: 1 };
  const d = u - mean;
  const toward = alternative === 'greater' ? d : -d;
  const z = (toward - 0.5) / Math.sqrt(variance);
  return { u, z, p: 1 - phi(z) };
}

/** The test on unsorted samples. */
export function mannWhitney(
  x: readonly number[],
  y: readonly number[],
  alternative: 'greater' | 'less',
): MannWhitney {
  const asc = (a: number, b: number) => a - b;
  return mannWhitneySorted([...x].sort(asc), [...y].sort(asc), alternative);
}

/** The median of an ascending sample (the mean of the middle two when even); NaN when empty. */
export function medianSorted(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = n >> 1;
  return n % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}
