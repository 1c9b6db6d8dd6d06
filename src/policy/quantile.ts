/**
 * Histogram triggers (a latency histogram's buckets a step, judged at a quantile) as counts (pure).
 *
 * "The candidate's p95 is at most 1.2 x the stable's" is judged through the events beyond a
 * reference: with q_ref the stable's p95 over the steps before this one, at most as large a share of
 * the candidate's requests lies above 1.2 q_ref as of the stable's above q_ref. Both counts are read
 * from the buckets with histogram_quantile's own interpolation, so the test speaks of the numbers a
 * dashboard shows; which of those events are the candidate's is then the conditional binomial test
 * of ratio.ts with pi0 = n_c / (n_c + n_s). q_ref is fixed before the step is seen, so it is
 * a valid (predictable) choice however it moves with the time of day.
 *
 * An absolute `max: 1.8` (the quantile at most 1.8) is "at most 5% of requests above 1.8": the
 * one-sample binomial test at pi0 = 1 - quantile.
 */
import type { StepFactors } from './e-detector.js';
import { type Buckets, bucketsBySteps, countAbove, countBelow, pool, quantile, total } from './histogram.js';
import {
  absoluteFrom,
  count,
  judgeSteps,
  type LimitOutcome,
  type MeasureResult,
  missing,
  relativeFrom,
  short,
  splitStep,
  type TestSettings,
  testOutcome,
} from './outcome.js';
import { groupsOf, indexAt, judged, judgedSpan } from './steps.js';
import { normalQuantile } from './tails.js';
import type { JudgementTime, TriggerObservation, TriggerRule } from './types.js';

interface Row {
  t: number;
  index: number;
  c: Buckets;
  s: Buckets | undefined;
}

type Which = 'relative_up' | 'relative_down' | 'max' | 'min';

/** Requests the stable's tail must hold before its quantile is a reference. */
const TAIL_EVENTS = 20;

function sum<T>(list: readonly T[], f: (x: T) => number): number {
  return list.reduce((a, x) => a + f(x), 0);
}

function relative(
  rows: readonly Row[],
  q: number,
  tol: number,
  up: boolean,
  s: TestSettings,
  ref?: number,
  shown?: number,
): LimitOutcome {
  const paired = ref === undefined ? rows.filter((r) => r.s && total(r.s) > 0 && total(r.c) > 0) : rows;
  const scale = up ? 1 + tol : 1 - tol;
  const steps: StepFactors[] = [];
  // The stable's buckets pooled over the steps before this one, kept as a running sum.
  let seen: Buckets | undefined;
  for (const r of paired) {
    // The stable's own quantile is used once its tail holds enough requests to pin it down: a
    // reference drawn from a handful would make the share comparison say little about the quantile.
    const precise = seen !== undefined && total(seen) * (up ? 1 - q : q) >= TAIL_EVENTS;
    const reference = ref ?? (precise ? quantile(seen!, q) : Number.NaN);
    if (r.s) seen = seen ? pool([seen, r.s]) : r.s;
    if (!Number.isFinite(reference) || total(r.c) <= 0) continue;
    const beyond = (b: Buckets, x: number) => (up ? countAbove(b, x) : countBelow(b, x));
    if (ref !== undefined) {
      // Before the deploy: the reference's share beyond its own quantile is 1 - q (or q) by construction.
      const n = total(r.c);
      steps.push(splitStep(r.index, r.t, beyond(r.c, reference * scale), n, up ? 1 - q : q, true));
      continue;
    }
    const yc = beyond(r.c, reference * scale);
    const ys = beyond(r.s!, reference);
    if (yc + ys <= 0) continue;
    steps.push(splitStep(r.index, r.t, yc, yc + ys, total(r.c) / (total(r.c) + total(r.s!)), true));
  }
  const j = judgeSteps(steps, s);
  const value = paired.length ? quantile(pool(paired.map((r) => r.c))!, q) : Number.NaN;
  const baseline = shown ?? ref ?? (paired.length ? quantile(pool(paired.map((r) => r.s!))!, q) : Number.NaN);
  const n = (x: number) => (Number.isFinite(x) ? x : null);
  const p = `p${Number((q * 100).toPrecision(3))}`;
  return testOutcome(
    j,
    s.alpha,
    {
      up,
      value: n(value),
      baseline: n(baseline),
      limit: n((ref ?? baseline) * scale),
      from: relativeFrom(up, tol, n(ref ?? baseline), ref === undefined ? 'stable' : 'before_deploy_bound'),
    },
    `${p} ${short(n(value))} vs the ${ref === undefined ? "stable's" : 'pre-deploy'} ${short(n(baseline))} over ` +
      `${paired.length} steps (${count(sum(paired, (r) => total(r.c)))} requests), ${up ? '+' : '-'}${Math.round(tol * 100)}% allowed: ` +
      `${j.breached ? 'past the tolerance' : 'within the tolerance so far'}`,
  );
}

function absolute(
  rows: readonly Row[],
  q: number,
  limit: number,
  up: boolean,
  s: TestSettings,
  recent: number,
): LimitOutcome {
  const steps: StepFactors[] = [];
  let shared: string | null = null;
  const breaches = (b: Buckets) => {
    const x = quantile(b, q);
    return Number.isFinite(x) && (up ? x > limit : x < limit);
  };
  for (const r of rows) {
    const n = total(r.c);
    if (n <= 0) continue;
    if (r.s && total(r.s) > 0 && breaches(r.s)) {
      if (r.t > recent && breaches(r.c)) {
        shared = `the stable breaches it too at the same time (${short(quantile(r.s, q))} at ${new Date(r.t * 1000).toISOString()})`;
      }
      continue;
    }
    const y = up ? countAbove(r.c, limit) : countBelow(r.c, limit);
    steps.push(splitStep(r.index, r.t, y, n, up ? 1 - q : q, true));
  }
  const j = judgeSteps(steps, s);
  const value = rows.length ? quantile(pool(rows.map((r) => r.c))!, q) : Number.NaN;
  const o = testOutcome(
    j,
    s.alpha,
    { up, value: Number.isFinite(value) ? value : null, baseline: null, limit, from: absoluteFrom(up) },
    `p${Number((q * 100).toPrecision(3))} ${short(value)} against ${up ? 'max' : 'min'} ${short(limit)} over ` +
      `${count(sum(rows, (r) => total(r.c)))} requests: ${j.breached ? 'past it' : 'not shown past it'}`,
  );
  return { ...o, shared: j.breached ? null : shared };
}

export function judgeHistogram(
  rule: TriggerRule,
  o: TriggerObservation,
  time: JudgementTime,
  tests: (limit: Which) => TestSettings,
): MeasureResult {
  const q = rule.measure.kind === 'histogram' ? rule.measure.quantile : 0.95;
  const stepSec = rule.stepMs / 1000;
  const cand = bucketsBySteps(groupsOf(o.candidate.buckets), stepSec);
  const span = judgedSpan(time, stepSec);
  const keys = [...cand.steps.keys()].filter((k) => judged(cand.times.get(k)!, span)).sort((a, b) => a - b);
  const result: MeasureResult = {
    noData: null,
    baselineMissing: null,
    candidateCount: 0,
    stableCount: null,
    unit: 'requests',
    outcomes: [],
  };
  if (o.candidate.buckets?.kind !== 'groups') {
    result.noData = missing(o.candidate.buckets, 'the histogram');
    return result;
  }
  if (cand.problem || keys.length === 0) {
    result.noData = cand.problem ?? 'no step since the deploy has every bucket';
    return result;
  }
  const same =
    o.baselineKind === 'same_time' && o.baseline
      ? bucketsBySteps(groupsOf(o.baseline.buckets), stepSec)
      : undefined;
  const origin = cand.times.get(keys[0]!)!;
  const rows: Row[] = keys.map((k) => {
    const t = cand.times.get(k)!;
    return { t, index: indexAt(t, time, stepSec, origin), c: cand.steps.get(k)!, s: same?.steps.get(k) };
  });
  result.candidateCount = sum(rows, (r) => total(r.c));
  if (same) result.stableCount = sum(rows, (r) => (r.s ? total(r.s) : 0));
  const recent = time.now - rule.windowMs / 1000;
  const rel: Array<[number, boolean, Which]> = [];
  if (rule.maxIncrease !== undefined) rel.push([rule.maxIncrease, true, 'relative_up']);
  if (rule.maxDecrease !== undefined) rel.push([rule.maxDecrease, false, 'relative_down']);
  if (rel.length) {
    if (!o.baseline) result.baselineMissing = 'there is no stable version to compare with';
    else if (same) {
      if (same.problem || !rows.some((r) => r.s)) {
        result.baselineMissing = `the stable's histogram: ${same.problem ?? missing(o.baseline.buckets, 'the stable')}`;
      } else for (const [tol, up, w] of rel) result.outcomes.push(relative(rows, q, tol, up, tests(w)));
    } else {
      const before = bucketsBySteps(groupsOf(o.baseline.buckets), stepSec);
      const ref = pool([...before.steps.values()]);
      const refQ = ref ? quantile(ref, q) : Number.NaN;
      if (!ref || !Number.isFinite(refQ) || refQ <= 0) {
        result.baselineMissing = `the window before the deploy gives no ${q} quantile (${before.problem ?? missing(o.baseline.buckets, 'the baseline')})`;
      } else {
        for (const [tol, up, w] of rel) {
          // The pre-deploy quantile is itself an estimate: the test uses its confidence bound (the
          // order statistic's normal approximation) at half the level, and gets the other half.
          const s = tests(w);
          const n = total(ref);
          const z = normalQuantile(1 - s.alpha / 2) * Math.sqrt((q * (1 - q)) / n);
          const bound = quantile(ref, Math.min(1 - 1e-9, Math.max(1e-9, up ? q + z : q - z)));
          result.outcomes.push(relative(rows, q, tol, up, { ...s, alpha: s.alpha / 2 }, bound, refQ));
        }
      }
    }
  }
  if (rule.max !== undefined) result.outcomes.push(absolute(rows, q, rule.max, true, tests('max'), recent));
  if (rule.min !== undefined) result.outcomes.push(absolute(rows, q, rule.min, false, tests('min'), recent));
  return result;
}
