/**
 * Prometheus-style histograms (pure): cumulative bucket counts by upper bound `le`, the quantile as
 * `histogram_quantile` computes it (linear interpolation inside a bucket), and the counts above or
 * below a value under the same interpolation, so "the quantile is at most x" and "at most 1 - q of the
 * events lie above x" are one statement.
 */
import type { SeriesGroup } from './types.js';
import { keyed } from './steps.js';

/** Cumulative counts by ascending upper bound; the last bound is +Inf (the total). */
export interface Buckets {
  le: readonly number[];
  cum: readonly number[];
}

/** `0.25`, `+Inf`, `1e+03` as Prometheus writes `le`; undefined when it is none of these. */
export function parseLe(key: string): number | undefined {
  const k = key.trim();
  if (k === '+Inf' || k === 'Inf' || k === 'inf' || k === '+inf') return Number.POSITIVE_INFINITY;
  const n = Number(k);
  return k !== '' && !Number.isNaN(n) ? n : undefined;
}

// A backtest judges the same histogram at every step: turn its groups into steps once.
const bucketCache = new WeakMap<readonly SeriesGroup[], Map<number, BucketSteps>>();

export interface BucketSteps {
  steps: Map<number, Buckets>;
  /** The time of each step's samples (those of the `+Inf` bucket). */
  times: Map<number, number>;
  problem: string | undefined;
}

/**
 * Buckets per step key, every step (callers keep the steps in the judged span). A step missing any
 * bucket is left out; counts are made monotonic as Prometheus does.
 */
export function bucketsBySteps(groups: readonly SeriesGroup[], stepSec: number): BucketSteps {
  let bySteps = bucketCache.get(groups);
  if (!bySteps) bucketCache.set(groups, (bySteps = new Map()));
  const hit = bySteps.get(stepSec);
  if (hit) return hit;
  const result = build(groups, stepSec);
  bySteps.set(stepSec, result);
  return result;
}

function build(groups: readonly SeriesGroup[], stepSec: number): BucketSteps {
  const parsed = groups
    .map((g) => ({ le: parseLe(g.key), values: keyed(g.samples, stepSec), key: g.key }))
    .sort((a, b) => (a.le ?? 0) - (b.le ?? 0));
  const bad = parsed.find((g) => g.le === undefined);
  if (bad) {
    return {
      steps: new Map(),
      times: new Map(),
      problem: `bucket le=${JSON.stringify(bad.key)} is not a number`,
    };
  }
  if (parsed.length === 0 || parsed[parsed.length - 1]!.le !== Number.POSITIVE_INFINITY) {
    return {
      steps: new Map(),
      times: new Map(),
      problem: 'the histogram has no le="+Inf" bucket (the total count)',
    };
  }
  const le = parsed.map((g) => g.le!);
  const steps = new Map<number, Buckets>();
  const all = parsed[parsed.length - 1]!.values;
  for (const key of all.values.keys()) {
    const cum: number[] = [];
    let ok = true;
    for (const g of parsed) {
      const v = g.values.values.get(key);
      if (v === undefined) {
        ok = false;
        break;
      }
      cum.push(Math.max(v, cum.length ? cum[cum.length - 1]! : 0));
    }
    if (ok) steps.set(key, { le, cum });
  }
  return { steps, times: new Map(all.times), problem: undefined };
}

export function total(b: Buckets): number {
  return b.cum[b.cum.length - 1] ?? 0;
}

/** Adds buckets with the same bounds (pooling steps). */
export function pool(list: readonly Buckets[]): Buckets | undefined {
  if (list.length === 0) return undefined;
  const le = list[0]!.le;
  const cum = le.map((_, i) => list.reduce((s, b) => s + (b.cum[i] ?? 0), 0));
  return { le, cum };
}

/** `histogram_quantile(q, ...)`: NaN for an empty histogram. */
export function quantile(b: Buckets, q: number): number {
  const n = total(b);
  if (!(n > 0)) return Number.NaN;
  const rank = q * n;
  let i = b.cum.findIndex((c) => c >= rank);
  if (i < 0) i = b.cum.length - 1;
  // The +Inf bucket has no upper bound: Prometheus answers the highest finite bound.
  if (b.le[i] === Number.POSITIVE_INFINITY) return b.le.length > 1 ? b.le[b.le.length - 2]! : Number.NaN;
  const upper = b.le[i]!;
  const lower = i === 0 ? Math.min(0, upper) : b.le[i - 1]!;
  const below = i === 0 ? 0 : b.cum[i - 1]!;
  const inBucket = b.cum[i]! - below;
  if (i === 0 && upper <= 0) return upper;
  return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
}

/** Events at or below `x`, interpolated linearly inside its bucket (the inverse of `quantile`). */
export function countBelow(b: Buckets, x: number): number {
  let lower = 0;
  let below = 0;
  for (let i = 0; i < b.le.length; i++) {
    const upper = b.le[i]!;
    const cum = b.cum[i]!;
    if (x <= upper) {
      if (upper === Number.POSITIVE_INFINITY) return below;
      if (i === 0 && upper <= 0) return x < upper ? 0 : cum;
      const span = upper - lower;
      const share = span > 0 ? Math.min(1, Math.max(0, (x - lower) / span)) : 1;
      return below + (cum - below) * share;
    }
    lower = upper;
    below = cum;
  }
  return below;
}

export function countAbove(b: Buckets, x: number): number {
  return total(b) - countBelow(b, x);
}
