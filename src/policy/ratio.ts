/**
 * Ratio triggers (bad events of all events, a step at a time) judged as counts (pure).
 *
 * Relative limits (`max_increase: 20%`): given the events of one step, each bad event is the
 * candidate's with a probability fixed by the traffic split when the candidate is exactly at the
 * tolerance: pi0 = n_c(1+tol) / (n_c(1+tol) + n_s). Counting whose bad events they are is the
 * conditional binomial test of two Poisson rates (Przyborowski and Wilenski 1940; Lehmann and Romano,
 * ch. 4.6), made sequential by the e-detector. A shared incident raises both sides in the same
 * step and cancels; traffic that differs between the sides is in pi0.
 *
 * Absolute limits (`max: 5%`): each request is bad with probability at most `max` under the null, a
 * one-sample sequential binomial test. A step in which the stable breaches the same limit is not
 * the candidate's evidence (a dependency down hits both): it is skipped, and reported as a shared
 * breach while it lasts.
 */
import {
  absoluteFrom,
  count,
  judgeSteps,
  type LimitOutcome,
  type MeasureResult,
  missing,
  pct,
  relativeFrom,
  splitStep,
  type TestSettings,
  testOutcome,
} from './outcome.js';
import type { StepFactors } from './e-detector.js';
import { poissonBounds } from './tails.js';
import { indexAt, judgedSpan, keyed, keysIn, samplesOf } from './steps.js';
import type { JudgementTime, LimitFrom, TriggerObservation, TriggerRule } from './types.js';

export interface RatioRow {
  key: number;
  t: number;
  index: number;
  bad: number;
  total: number;
  stable: { bad: number; total: number } | undefined;
}

/** Candidate steps since the deploy, each with the stable's counts at the same step when it has them. */
export function ratioRows(
  o: TriggerObservation,
  time: JudgementTime,
  stepSec: number,
): { rows: RatioRow[]; noData: string | null } {
  const bad = keyed(samplesOf(o.candidate.bad), stepSec);
  const all = keyed(samplesOf(o.candidate.total), stepSec);
  const keys = keysIn([bad, all], judgedSpan(time, stepSec));
  if (keys.length === 0) {
    const cause =
      bad.values.size === 0
        ? missing(o.candidate.bad, 'bad events')
        : missing(o.candidate.total, 'all events');
    return {
      rows: [],
      noData: bad.values.size && all.values.size ? 'no step since the deploy has both counts' : cause,
    };
  }
  const same = o.baselineKind === 'same_time' && o.baseline;
  const sBad = same ? keyed(samplesOf(o.baseline!.bad), stepSec).values : new Map<number, number>();
  const sAll = same ? keyed(samplesOf(o.baseline!.total), stepSec).values : new Map<number, number>();
  const origin = bad.times.get(keys[0]!)!;
  const rows = keys.map((key): RatioRow => {
    const sb = sBad.get(key);
    const st = sAll.get(key);
    const t = bad.times.get(key)!;
    return {
      key,
      t,
      index: indexAt(t, time, stepSec, origin),
      bad: Math.max(0, bad.values.get(key)!),
      total: Math.max(0, all.values.get(key)!),
      stable:
        sb !== undefined && st !== undefined ? { bad: Math.max(0, sb), total: Math.max(0, st) } : undefined,
    };
  });
  return { rows, noData: null };
}

function sum<T>(list: readonly T[], f: (x: T) => number): number {
  return list.reduce((s, x) => s + f(x), 0);
}

function ratioOf(bad: number, total: number): number | null {
  return total > 0 ? bad / total : null;
}

/** The relative test against the stable at the same steps. */
function relative(rows: readonly RatioRow[], tol: number, up: boolean, s: TestSettings): LimitOutcome {
  const paired = rows.filter((r) => r.stable && r.stable.total > 0 && r.total > 0);
  const scale = up ? 1 + tol : 1 - tol;
  const steps: StepFactors[] = [];
  for (const r of paired) {
    const k = r.bad + r.stable!.bad;
    if (k <= 0) continue;
    const pi0 = (r.total * scale) / (r.total * scale + r.stable!.total);
    steps.push(splitStep(r.index, r.t, r.bad, k, pi0, up));
  }
  const j = judgeSteps(steps, s);
  const cBad = sum(paired, (r) => r.bad);
  const cAll = sum(paired, (r) => r.total);
  const sBad = sum(paired, (r) => r.stable!.bad);
  const sAll = sum(paired, (r) => r.stable!.total);
  const baseline = ratioOf(sBad, sAll);
  const limit = baseline === null ? null : baseline * scale;
  const verdict = j.breached ? 'past the tolerance' : 'within the tolerance so far';
  return testOutcome(
    j,
    s.alpha,
    { up, value: ratioOf(cBad, cAll), baseline, limit, from: relativeFrom(up, tol, baseline, 'stable') },
    `${pct(ratioOf(cBad, cAll))} (${count(cBad)} of ${count(cAll)}) vs the stable's ${pct(baseline)} ` +
      `(${count(sBad)} of ${count(sAll)}) over the same ${paired.length} steps, ${up ? '+' : '-'}${pct(tol)} allowed: ` +
      verdict,
  );
}

/**
 * The one-sample test against a fixed rate: `max`/`min`, or the pre-deploy rate times the tolerance.
 * `sharedWithin`: steps after it count as "the same time" for a shared breach.
 */
function oneSample(
  rows: readonly RatioRow[],
  limit: number,
  up: boolean,
  s: TestSettings,
  sharedWithin: number,
  baseline: number | null,
  from: LimitFrom,
): LimitOutcome {
  const steps: StepFactors[] = [];
  let shared: string | null = null;
  const breaches = (bad: number, total: number) =>
    total > 0 && (up ? bad / total > limit : bad / total < limit);
  for (const r of rows) {
    if (r.total <= 0) continue;
    if (r.stable && breaches(r.stable.bad, r.stable.total)) {
      if (r.t > sharedWithin && breaches(r.bad, r.total)) {
        shared = `the stable breaches it too at the same time (${pct(r.stable.bad / r.stable.total)} at ${new Date(r.t * 1000).toISOString()})`;
      }
      continue;
    }
    steps.push(splitStep(r.index, r.t, r.bad, r.total, limit, up));
  }
  const j = judgeSteps(steps, s);
  const cBad = sum(rows, (r) => r.bad);
  const cAll = sum(rows, (r) => r.total);
  const name = baseline === null ? (up ? 'max' : 'min') : 'limit';
  const o = testOutcome(
    j,
    s.alpha,
    { up, value: ratioOf(cBad, cAll), baseline, limit, from },
    `${pct(ratioOf(cBad, cAll))} (${count(cBad)} of ${count(cAll)}) against ${name} ${pct(limit)}` +
      `${baseline !== null ? ` (the rate before the deploy, ${pct(baseline)}, at its confidence bound, with the tolerance)` : ''}: ` +
      `${j.breached ? 'past it' : 'not shown past it'}`,
  );
  return { ...o, shared: j.breached ? null : shared };
}

/** Judges every count-based limit of a ratio trigger (the burn rate is judged in burn-rate.ts). */
export function judgeRatio(
  rule: TriggerRule,
  o: TriggerObservation,
  time: JudgementTime,
  tests: (limit: 'relative_up' | 'relative_down' | 'max' | 'min') => TestSettings,
): MeasureResult & { rows: RatioRow[] } {
  const stepSec = rule.stepMs / 1000;
  const { rows, noData } = ratioRows(o, time, stepSec);
  const base: MeasureResult & { rows: RatioRow[] } = {
    noData,
    baselineMissing: null,
    candidateCount: sum(rows, (r) => r.total),
    stableCount: o.baselineKind === 'same_time' && o.baseline ? sum(rows, (r) => r.stable?.total ?? 0) : null,
    unit: 'requests',
    outcomes: [],
    rows,
  };
  if (noData) return base;
  const recent = time.now - rule.windowMs / 1000;
  const relativeLimits: Array<[number, boolean, 'relative_up' | 'relative_down']> = [];
  if (rule.maxIncrease !== undefined) relativeLimits.push([rule.maxIncrease, true, 'relative_up']);
  if (rule.maxDecrease !== undefined) relativeLimits.push([rule.maxDecrease, false, 'relative_down']);
  if (relativeLimits.length) {
    if (!o.baseline) {
      base.baselineMissing = 'there is no stable version to compare with';
    } else if (o.baselineKind === 'same_time') {
      if (!rows.some((r) => r.stable)) {
        base.baselineMissing = `the stable has no step in common with the candidate (${missing(o.baseline.total ?? o.baseline.bad, 'the stable')})`;
      } else {
        for (const [tol, up, which] of relativeLimits)
          base.outcomes.push(relative(rows, tol, up, tests(which)));
      }
    } else {
      const refBad = samplesOf(o.baseline.bad).reduce((a, x) => a + (Number.isFinite(x.v) ? x.v : 0), 0);
      const refAll = samplesOf(o.baseline.total).reduce((a, x) => a + (Number.isFinite(x.v) ? x.v : 0), 0);
      const ref = ratioOf(refBad, refAll);
      if (ref === null) {
        base.baselineMissing = `the window before the deploy has no requests (${missing(o.baseline.total, 'the baseline')})`;
      } else {
        for (const [tol, up, which] of relativeLimits) {
          // The pre-deploy rate is itself an estimate: the limit comes from its exact confidence
          // bound at half the level, and the sequential test gets the other half.
          const s = tests(which);
          const bound = poissonBounds(refBad, s.alpha / 2);
          const at = (up ? bound.upper : bound.lower) / refAll;
          const limit = Math.min(1, at * (up ? 1 + tol : 1 - tol));
          const from = relativeFrom(up, tol, at, 'before_deploy_bound')!;
          base.outcomes.push(oneSample(rows, limit, up, { ...s, alpha: s.alpha / 2 }, recent, ref, from));
        }
      }
    }
  }
  if (rule.max !== undefined)
    base.outcomes.push(oneSample(rows, rule.max, true, tests('max'), recent, null, absoluteFrom(true)));
  if (rule.min !== undefined)
    base.outcomes.push(oneSample(rows, rule.min, false, tests('min'), recent, null, absoluteFrom(false)));
  return base;
}
