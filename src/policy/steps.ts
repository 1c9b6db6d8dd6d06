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
 * Whether a sample is seen at `now`. Half a step of slack: a backend's clock a little ahead of the
 * runner's is not the future, and a replay's next step (a whole step later) still is.
 */
export function seen(t: number, now: number, stepSec: number): boolean {
  return t <= now + stepSec / 2;
}

/** A series as values by step key: finite samples up to `now` (a later sample is not seen yet). */
export function keyed(samples: readonly Sample[], stepSec: number, now: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (!Number.isFinite(s.v) || !seen(s.t, now, stepSec)) continue;
    const key = stepKey(s.t, stepSec);
    // Two samples in one step (a backend's own resolution): the later one stands, as Prometheus' would.
    out.set(key, s.v);
  }
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

/** Keys present in every map, ascending, from `from` on. */
export function commonKeys(maps: ReadonlyArray<ReadonlyMap<number, unknown>>, from: number): number[] {
  if (maps.length === 0) return [];
  const [first, ...rest] = maps;
  return [...first!.keys()].filter((k) => k >= from && rest.every((m) => m.has(k))).sort((a, b) => a - b);
}
