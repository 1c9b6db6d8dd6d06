/**
 * Samples become steps (pure). A sample at `t` measures the step that ends at `t` (`increase(x[1m])`
 * at t counts the events in (t - 1m, t]). Samples are paired across series by the step they end on
 * a grid shared by every series, so the candidate and the stable are compared at the same times and
 * a step either side lacks is skipped, never guessed. Which steps are judged is decided by the
 * samples' own times: after the deploy, and not after now.
 */
import type { JudgementTime, Observation, Sample, SeriesGroup } from './types.js';

/** The step a sample at `t` (unix seconds) belongs to, on a grid shared by every series. */
export function stepKey(t: number, stepSec: number): number {
  return Math.round(t / stepSec);
}

/** A series keyed by step: its values, and the time of the sample behind each. */
export interface Keyed {
  values: ReadonlyMap<number, number>;
  times: ReadonlyMap<number, number>;
}

// A backtest judges the same series at every step: key each series once.
const keyedCache = new WeakMap<readonly Sample[], Map<number, Keyed>>();

/** Every finite sample by step key (two in one step: the later one stands, as Prometheus' would). */
export function keyed(samples: readonly Sample[], stepSec: number): Keyed {
  let bySteps = keyedCache.get(samples);
  if (!bySteps) keyedCache.set(samples, (bySteps = new Map()));
  const hit = bySteps.get(stepSec);
  if (hit) return hit;
  const values = new Map<number, number>();
  const times = new Map<number, number>();
  for (const s of samples) {
    if (!Number.isFinite(s.v)) continue;
    const k = stepKey(s.t, stepSec);
    values.set(k, s.v);
    times.set(k, s.t);
  }
  const out = { values, times };
  bySteps.set(stepSec, out);
  return out;
}

/**
 * The judged span at `time`: samples measured after the deploy (a sample at the deploy measures
 * the minute before it) and not after now. A few seconds of slack for a backend whose clock runs a
 * little ahead; never enough to let a replay see its next step.
 */
export function judgedSpan(time: JudgementTime, stepSec: number): { after: number; upTo: number } {
  return {
    after: time.deployedAt ?? Number.NEGATIVE_INFINITY,
    upTo: time.now + Math.min(5, stepSec / 2),
  };
}

/** Whether a sample at `t` is in the judged span. */
export function judged(t: number, span: { after: number; upTo: number }): boolean {
  return t > span.after && t <= span.upTo;
}

/** Keys every series has, whose first series' sample lies in the span, ascending. */
export function keysIn(series: readonly Keyed[], span: { after: number; upTo: number }): number[] {
  if (series.length === 0) return [];
  const [first, ...rest] = series;
  const out: number[] = [];
  for (const [k, t] of first!.times) {
    if (judged(t, span) && rest.every((s) => s.values.has(k))) out.push(k);
  }
  return out.sort((a, b) => a - b);
}

/** Keys every series has, over all time (a reference window), ascending. */
export function keysAll(series: readonly Keyed[]): number[] {
  return keysIn(series, { after: Number.NEGATIVE_INFINITY, upTo: Number.POSITIVE_INFINITY });
}

/**
 * The index of the step a sample at `t` measures, counted from the deploy (0 = the first step after
 * it); without a deploy time, from `originT`, the first sample judged.
 */
export function indexAt(t: number, time: JudgementTime, stepSec: number, originT: number): number {
  if (time.deployedAt === undefined) return Math.max(0, Math.round((t - originT) / stepSec));
  return Math.max(0, Math.ceil((t - time.deployedAt) / stepSec - 1e-9) - 1);
}

export function samplesOf(o: Observation | undefined): Sample[] {
  return o?.kind === 'samples' ? o.samples : [];
}

export function groupsOf(o: Observation | undefined): SeriesGroup[] {
  return o?.kind === 'groups' ? o.groups : [];
}
