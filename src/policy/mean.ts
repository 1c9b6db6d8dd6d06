/**
 * Mean triggers (the sum and count of per-event values a step: quality scores) judged sequentially
 * (pure).
 *
 * Each step gives the difference D = m_c - (1 + tol) m_s of the two sides' means at the same time
 * (for `max_decrease`, (1 - tol) m_s - m_c), standardized by its standard error
 * sqrt(v_c / n_c + (1 + tol)^2 v_s / n_s). Each side's per-event variance v is estimated from that
 * side's steps BEFORE this one only (the spread of its step means around their pooled mean, weighted
 * by counts), so it is predictable; it is inflated for its degrees of freedom, and with `bounds` it
 * starts from the largest variance values within them can have, worth two steps, so a run of
 * identical scores cannot make it vanish. Each step's z is clipped at Z_MAX, which only lowers a
 * factor, against the heavier tails of a variance learnt from few steps. The mixture of Gaussian factors exp(l z - l^2/2) is then a test
 * supermartingale as the step means become normal: an asymptotic confidence sequence (Waudby-Smith,
 * Arnold, Wu, Wang and Ramdas 2024). Its level at small counts, with skewed and unequal spreads, is
 * checked by simulation in test/policy/sequential.property.test.ts.
 */
import type { StepFactors } from './e-detector.js';
import {
  absoluteFrom,
  count,
  judgeSteps,
  type LimitOutcome,
  type MeasureResult,
  missing,
  relativeFrom,
  shiftStep,
  short,
  type TestSettings,
  testOutcome,
} from './outcome.js';
import { indexAt, judgedSpan, keyed, keysAll, keysIn, samplesOf } from './steps.js';
import { normalQuantile } from './tails.js';
import type { JudgementTime, LimitFrom, TriggerObservation, TriggerRule } from './types.js';

interface Side {
  m: number;
  n: number;
}

interface Row {
  t: number;
  index: number;
  c: Side;
  s: Side | undefined;
}

type Which = 'relative_up' | 'relative_down' | 'max' | 'min';
type Bounds = readonly [number, number] | undefined;

/** Steps a side needs before its own spread estimates its variance: more without bounds. */
const MIN_DF = { bounded: 4, unbounded: 8 };
/**
 * What the bounds' largest variance is worth, in steps: enough that a run of identical scores
 * cannot make the variance vanish, little enough that a real spread soon outweighs it.
 */
const PRIOR_STEPS = 0.25;
/**
 * A step's standardized difference counts at most this much: with a variance learnt from a few
 * steps it has heavier tails than a normal, and a clipped z only ever lowers a factor.
 */
const Z_MAX = 4;

/** Running count-weighted spread of one side's step means: sum n m, sum n m^2, sum n, steps. */
class Spread {
  private sn = 0;
  private snm = 0;
  private snm2 = 0;
  private steps = 0;

  add(x: Side): void {
    this.sn += x.n;
    this.snm += x.n * x.m;
    this.snm2 += x.n * x.m * x.m;
    this.steps++;
  }

  get mean(): number {
    return this.sn > 0 ? this.snm / this.sn : Number.NaN;
  }

  get n(): number {
    return this.sn;
  }

  /** The per-event variance, or undefined while there is too little to tell. */
  variance(bounds: Bounds): number | undefined {
    const df = Math.max(0, this.steps - 1);
    const ss = this.sn > 0 ? Math.max(0, this.snm2 - (this.snm * this.snm) / this.sn) : 0;
    // The largest variance values within the bounds can have (Popoviciu): never an underestimate.
    const prior = bounds ? (bounds[1] - bounds[0]) ** 2 / 4 : undefined;
    const k = prior === undefined ? 0 : PRIOR_STEPS;
    const dof = df + k;
    if (df < (prior === undefined ? MIN_DF.unbounded : MIN_DF.bounded) || dof <= 2) return undefined;
    const v = (ss + k * (prior ?? 0)) / dof;
    return v > 0 ? v * (dof / (dof - 2)) : undefined;
  }
}

function sideOf(sum: number | undefined, n: number | undefined): Side | undefined {
  return sum !== undefined && n !== undefined && n > 0 ? { m: sum / n, n } : undefined;
}

function pooledMean(list: readonly Side[]): number | null {
  const n = list.reduce((a, x) => a + x.n, 0);
  return n > 0 ? list.reduce((a, x) => a + x.m * x.n, 0) / n : null;
}

/** The standardized evidence of one step: D (positive = towards a breach) over its standard error. */
type Step = (r: Row, vc: number, vs: number | undefined) => number | null;

function sequential(rows: readonly Row[], step: Step, s: TestSettings, bounds: Bounds, paired: boolean) {
  const c = new Spread();
  const st = new Spread();
  const steps: StepFactors[] = [];
  for (const r of rows) {
    const vc = c.variance(bounds);
    const vs = paired ? st.variance(bounds) : undefined;
    if (vc !== undefined && (!paired || vs !== undefined)) {
      const z = step(r, vc, vs);
      if (z !== null && Number.isFinite(z)) steps.push(shiftStep(r.index, r.t, Math.min(Z_MAX, z)));
    }
    c.add(r.c);
    if (r.s) st.add(r.s);
  }
  return judgeSteps(steps, s);
}

function outcome(
  j: ReturnType<typeof judgeSteps>,
  alpha: number,
  up: boolean,
  value: number | null,
  baseline: number | null,
  limit: number | null,
  from: LimitFrom | undefined,
  what: string,
): LimitOutcome {
  return testOutcome(
    j,
    alpha,
    { up, value, baseline, limit, from },
    `${what}: ${j.breached ? 'past the limit' : 'not shown past it'}`,
  );
}

function relativeSameTime(
  rows: readonly Row[],
  tol: number,
  up: boolean,
  s: TestSettings,
  bounds: Bounds,
): LimitOutcome {
  const paired = rows.filter((r) => r.s);
  const scale = up ? 1 + tol : 1 - tol;
  const sign = up ? 1 : -1;
  const j = sequential(
    paired,
    (r, vc, vs) => (sign * (r.c.m - scale * r.s!.m)) / Math.sqrt(vc / r.c.n + (scale * scale * vs!) / r.s!.n),
    s,
    bounds,
    true,
  );
  const cm = pooledMean(paired.map((r) => r.c));
  const sm = pooledMean(paired.map((r) => r.s!));
  const n = count(paired.reduce((a, r) => a + r.c.n, 0));
  return outcome(
    j,
    s.alpha,
    up,
    cm,
    sm,
    sm === null ? null : sm * scale,
    relativeFrom(up, tol, sm, 'stable'),
    `${short(cm)} vs the stable's ${short(sm)} over the same ${paired.length} steps (${n} observations), ${up ? '+' : '-'}${Math.round(tol * 100)}% allowed`,
  );
}

/**
 * Against the window before the deploy: its mean is itself an estimate, so the limit is taken from
 * its confidence bound (half the level), and the sequential test gets the other half.
 */
function relativeBefore(
  rows: readonly Row[],
  ref: { mean: number; n: number; variance: number },
  tol: number,
  up: boolean,
  s: TestSettings,
  bounds: Bounds,
  value: number | null,
): LimitOutcome {
  const margin = normalQuantile(1 - s.alpha / 2) * Math.sqrt(ref.variance / ref.n);
  const at = up ? ref.mean + margin : ref.mean - margin;
  const limit = at * (up ? 1 + tol : 1 - tol);
  const sign = up ? 1 : -1;
  const half = { ...s, alpha: s.alpha / 2 };
  const j = sequential(
    rows,
    (r, vc) => (sign * (r.c.m - limit)) / Math.sqrt(vc / r.c.n),
    half,
    bounds,
    false,
  );
  return outcome(
    j,
    s.alpha,
    up,
    value,
    ref.mean,
    limit,
    relativeFrom(up, tol, at, 'before_deploy_bound'),
    `${short(value)} vs ${short(ref.mean)} before the deploy, ${up ? '+' : '-'}${Math.round(tol * 100)}% allowed beyond its confidence bound`,
  );
}

export function judgeMean(
  rule: TriggerRule,
  o: TriggerObservation,
  time: JudgementTime,
  tests: (limit: Which) => TestSettings,
): MeasureResult {
  const bounds = rule.measure.kind === 'mean' ? rule.measure.bounds : undefined;
  const stepSec = rule.stepMs / 1000;
  const sums = keyed(samplesOf(o.candidate.sum), stepSec);
  const ns = keyed(samplesOf(o.candidate.count), stepSec);
  const keys = keysIn([sums, ns], judgedSpan(time, stepSec)).filter((k) => ns.values.get(k)! > 0);
  const result: MeasureResult = {
    noData: null,
    baselineMissing: null,
    candidateCount: 0,
    stableCount: null,
    unit: 'observations',
    outcomes: [],
  };
  if (keys.length === 0) {
    result.noData =
      sums.values.size === 0
        ? missing(o.candidate.sum, 'the sum')
        : ns.values.size === 0
          ? missing(o.candidate.count, 'the count')
          : 'no step since the deploy has a sum and a positive count';
    return result;
  }
  const same = o.baselineKind === 'same_time' && o.baseline;
  const sSum = same ? keyed(samplesOf(o.baseline!.sum), stepSec).values : new Map<number, number>();
  const sN = same ? keyed(samplesOf(o.baseline!.count), stepSec).values : new Map<number, number>();
  const origin = sums.times.get(keys[0]!)!;
  const rows: Row[] = keys.map((k) => {
    const t = sums.times.get(k)!;
    return {
      t,
      index: indexAt(t, time, stepSec, origin),
      c: sideOf(sums.values.get(k), ns.values.get(k))!,
      s: sideOf(sSum.get(k), sN.get(k)),
    };
  });
  result.candidateCount = rows.reduce((a, r) => a + r.c.n, 0);
  if (same) result.stableCount = rows.reduce((a, r) => a + (r.s?.n ?? 0), 0);
  const recent = time.now - rule.windowMs / 1000;
  const value = pooledMean(rows.map((r) => r.c));

  const rel: Array<[number, boolean, Which]> = [];
  if (rule.maxIncrease !== undefined) rel.push([rule.maxIncrease, true, 'relative_up']);
  if (rule.maxDecrease !== undefined) rel.push([rule.maxDecrease, false, 'relative_down']);
  if (rel.length && !o.baseline) result.baselineMissing = 'there is no stable version to compare with';
  else if (rel.length && same) {
    if (!rows.some((r) => r.s)) {
      result.baselineMissing = `the stable has no step in common with the candidate (${missing(o.baseline!.count, 'the stable')})`;
    } else
      for (const [tol, up, w] of rel) result.outcomes.push(relativeSameTime(rows, tol, up, tests(w), bounds));
  } else if (rel.length && o.baseline) {
    const rs = keyed(samplesOf(o.baseline.sum), stepSec);
    const rn = keyed(samplesOf(o.baseline.count), stepSec);
    const ref = new Spread();
    for (const k of keysAll([rs, rn])) {
      const side = sideOf(rs.values.get(k), rn.values.get(k));
      if (side) ref.add(side);
    }
    const variance = ref.variance(bounds);
    if (!Number.isFinite(ref.mean) || ref.mean === 0 || variance === undefined) {
      result.baselineMissing = `the window before the deploy gives no mean and spread (${missing(o.baseline.count, 'the baseline')})`;
    } else {
      const r = { mean: ref.mean, n: ref.n, variance };
      for (const [tol, up, w] of rel)
        result.outcomes.push(relativeBefore(rows, r, tol, up, tests(w), bounds, value));
    }
  }
  for (const [limit, up, w] of [
    [rule.max, true, 'max'],
    [rule.min, false, 'min'],
  ] as const) {
    if (limit === undefined) continue;
    const sign = up ? 1 : -1;
    const breaches = (x: Side | undefined) => x !== undefined && sign * (x.m - limit) > 0;
    let shared: string | null = null;
    const own = rows.filter((r) => {
      if (!breaches(r.s)) return true;
      if (r.t > recent && breaches(r.c)) {
        shared = `the stable breaches it too at the same time (${short(r.s!.m)} at ${new Date(r.t * 1000).toISOString()})`;
      }
      return false;
    });
    // The candidate's own spread only: the stable plays no part in an absolute limit.
    const j = sequential(
      own,
      (r, vc) => (sign * (r.c.m - limit)) / Math.sqrt(vc / r.c.n),
      tests(w),
      bounds,
      false,
    );
    const o2 = outcome(
      j,
      tests(w).alpha,
      up,
      value,
      null,
      limit,
      absoluteFrom(up),
      `${short(value)} against ${up ? 'max' : 'min'} ${short(limit)} over ${count(result.candidateCount)} observations`,
    );
    result.outcomes.push({ ...o2, shared: j.breached ? null : shared });
  }
  return result;
}
