/**
 * Samples become steps (pure): each sample is keyed by the step it ends, so the candidate and the
 * stable are compared at the same times, and a step either side lacks is skipped, never guessed.
 */
import type { Sample, SeriesGroup } from './types.js';
import type { JudgementTime, Observation } from './types.js';

/** The step a sample at `t` (unix seconds) belongs to, on a grid shared by every series. */
export function stepKey(t: number, stepSec: number): number {
  return Math.round(t / stepSec);
}

/**
 * The newest step key seen at `now`. Half a step of slack: a backend's clock a little ahead of the
 * runner's is not the future, and a replay's next step (a whole step later) still is.
 */
export function lastKey(now: number, stepSec: number): number {
  return Number.isFinite(now) ? Math.floor(now / stepSec + 0.5) : Number.POSITIVE_INFINITY;
}

/** Whether a sample at `t` is seen at `now` (see lastKey). */
export function seen(t: number, now: number, stepSec: number): boolean {
  return stepKey(t, stepSec) <= lastKey(now, stepSec);
}

// A backtest judges the same series at every step: key each series once.
const keyedCache = new WeakMap<readonly Sample[], Map<number, Map<number, number>>>();

/**
 * A series as values by step key, every finite sample (two samples in one step: the later one
 * stands, as Prometheus' would). Callers bound the keys by `lastKey(now)`.
 */
export function keyed(samples: readonly Sample[], stepSec: number): ReadonlyMap<number, number> {
  let bySteps = keyedCache.get(samples);
  if (!bySteps) keyedCache.set(samples, (bySteps = new Map()));
  let out = bySteps.get(stepSec);
  if (out) return out;
  out = new Map<number, number>();
  for (const s of samples) {
    if (Number.isFinite(s.v)) out.set(stepKey(s.t, stepSec), s.v);
  }
  bySteps.set(stepSec, out);
  return out;
}

export function samplesOf(o: Observation | undefined): Sample[] {
  return o?.kind === 'samples' ? o.samples : [];
}

export function groupsOf(o: Observation | undefined): SeriesGroup[] {
  return o?.kind === 'groups' ? o.groups : [];
}

/**
 * Where the judged steps begin: the first step after the deploy (samples ending at or before the
 * deploy measure the version that ran before it). Without a deploy time, every step is judged.
 */
export function firstKey(time: JudgementTime, stepSec: number): number {
  return time.deployedAt === undefined ? -Infinity : Math.floor(time.deployedAt / stepSec) + 1;
}

/** The index of a step since the deploy (0 = the first step after it); without one, since `origin`. */
export function indexOf(key: number, time: JudgementTime, stepSec: number, origin: number): number {
  const first = time.deployedAt === undefined ? origin : firstKey(time, stepSec);
  return Math.max(0, key - first);
}

/** Keys present in every map, ascending, from `from` to `to`. */
export function commonKeys(
  maps: ReadonlyArray<ReadonlyMap<number, unknown>>,
  from: number,
  to: number,
): number[] {
  if (maps.length === 0) return [];
  const [first, ...rest] = maps;
  return [...first!.keys()]
    .filter((k) => k >= from && k <= to && rest.every((m) => m.has(k)))
    .sort((a, b) => a - b);
}
