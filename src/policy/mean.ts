/**
 * Mean triggers (the sum and count of per-event values a step: quality scores) judged sequentially
 * (pure).
 *
 * Each step gives the difference D = m_c - (1 + tol) m_s of the two sides' means at the same time
 * (for `max_decrease`, (1 - tol) m_s - m_c), standardized by its standard error
 * sigma * sqrt(1/n_c + (1 + tol)^2 / n_s). The per-event variance sigma^2 is estimated from the steps
 * BEFORE this one only (the spread of step means around their pooled mean, weighted by their counts),
 * inflated for its degrees of freedom, and never above the largest variance the bounds allow
 * (Bhatia and Davis 2000), so it is predictable and the mixture of Gaussian factors exp(l z - l^2/2)
 * is a test supermartingale as the step means become normal: an asymptotic confidence sequence
 * (Waudby-Smith, Arnold, Wu, Wang and Ramdas 2024). Its level at small counts is checked by
 * simulation in test/policy/sequential.property.test.ts.
 */
import type { StepFactors } from './e-detector.js';
import {
  count,
  formatP,
  judgeSteps,
  type LimitOutcome,
  type MeasureResult,
  missing,
  shiftStep,
  short,
  type TestSettings,
} from './outcome.js';
import { commonKeys, firstKey, indexOf, keyed, lastKey, samplesOf } from './steps.js';
import type { JudgementTime, TriggerObservation, TriggerRule } from './types.js';

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

/** Steps needed before the spread of step means estimates the variance. */
const MIN_DF = 4;

/** Running count-weighted spread of step means: sum n m, sum n m^2, sum n, steps. */
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

  get df(): number {
    return Math.max(0, this.steps - 1);
  }

  get ss(): number {
    return this.sn > 0 ? Math.max(0, this.snm2 - (this.snm * this.snm) / this.sn) : 0;
  }

  get mean(): number {
    return this.sn > 0 ? this.snm / this.sn : Number.NaN;
  }
}

function pooledVariance(
  sides: readonly Spread[],
  bounds: readonly [number, number] | undefined,
): number | undefined {
  const df = sides.reduce((a, s) => a + s.df, 0);
  if (df < MIN_DF) return undefined;
  const v = (sides.reduce((a, s) => a + s.ss, 0) / df) * (df / (df - 2));
  if (!bounds) return v;
  const mu = sides[0]!.mean;
  const [lo, hi] = bounds;
  const most = Number.isFinite(mu) ? Math.max(0, (hi - mu) * (mu - lo)) : ((hi - lo) * (hi - lo)) / 4;
  return Math.min(v, Math.max(most, 1e-12));
}

function sideOf(sum: number | undefined, n: number | undefined): Side | undefined {
  return sum !== undefined && n !== undefined && n > 0 ? { m: sum / n, n } : undefined;
}

function pooledMean(list: readonly Side[]): number | null {
  const n = list.reduce((a, x) => a + x.n, 0);
  return n > 0 ? list.reduce((a, x) => a + x.m * x.n, 0) / n : null;
}

/**
 * One test: `diff` gives a step's D (positive = towards a breach) and the squared coefficient of
 * sigma^2 in its variance; null skips the step.
 */
function sequential(
  rows: readonly Row[],
  diff: (r: Row) => { d: number; w: number } | null,
  s: TestSettings,
  bounds: readonly [number, number] | undefined,
  prior: Spread | undefined,
): ReturnType<typeof judgeSteps> {
  const c = new Spread();
  const st = new Spread();
  const steps: StepFactors[] = [];
  for (const r of rows) {
    const v = pooledVariance(prior ? [c, st, prior] : [c, st], bounds);
    const x = diff(r);
    if (v !== undefined && x && v > 0) steps.push(shiftStep(r.index, r.t, x.d / Math.sqrt(v * x.w)));
    c.add(r.c);
    if (r.s) st.add(r.s);
  }
  return judgeSteps(steps, s);
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
  const keys = commonKeys([sums, ns], firstKey(time, stepSec), lastKey(time.now, stepSec)).filter(
    (k) => ns.get(k)! > 0,
  );
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
      sums.size === 0
        ? missing(o.candidate.sum, 'the sum')
        : ns.size === 0
          ? missing(o.candidate.count, 'the count')
          : 'no step since the deploy has a sum and a positive count';
    return result;
  }
  const same = o.baselineKind === 'same_time' && o.baseline;
  const sSum = same ? keyed(samplesOf(o.baseline!.sum), stepSec) : new Map<number, number>();
  const sN = same ? keyed(samplesOf(o.baseline!.count), stepSec) : new Map<number, number>();
  const rows: Row[] = keys.map((k) => ({
    t: k * stepSec,
    index: indexOf(k, time, stepSec, keys[0]!),
    c: sideOf(sums.get(k), ns.get(k))!,
    s: sideOf(sSum.get(k), sN.get(k)),
  }));
  result.candidateCount = rows.reduce((a, r) => a + r.c.n, 0);
  if (same) result.stableCount = rows.reduce((a, r) => a + (r.s?.n ?? 0), 0);
  const recent = time.now - rule.windowMs / 1000;
  const value = pooledMean(rows.map((r) => r.c));

  const rel: Array<[number, boolean, Which]> = [];
  if (rule.maxIncrease !== undefined) rel.push([rule.maxIncrease, true, 'relative_up']);
  if (rule.maxDecrease !== undefined) rel.push([rule.maxDecrease, false, 'relative_down']);
  if (rel.length && !o.baseline) result.baselineMissing = 'there is no stable version to compare with';
  else if (rel.length && same) {
    const paired = rows.filter((r) => r.s);
    if (paired.length === 0)
      result.baselineMissing = `the stable has no step in common with the candidate (${missing(o.baseline!.count, 'the stable')})`;
    for (const [tol, up, w] of paired.length ? rel : []) {
      const scale = up ? 1 + tol : 1 - tol;
      const sign = up ? 1 : -1;
      const j = sequential(
        paired,
        (r) => ({ d: sign * (r.c.m - scale * r.s!.m), w: 1 / r.c.n + (scale * scale) / r.s!.n }),
        tests(w),
        bounds,
        undefined,
      );
      const cm = pooledMean(paired.map((r) => r.c));
      const sm = pooledMean(paired.map((r) => r.s!));
      result.outcomes.push(
        outcome(
          j,
          tests(w).alpha,
          up,
          cm,
          sm,
          sm === null ? null : sm * scale,
          `${short(cm)} vs the stable's ${short(sm)} over the same ${paired.length} steps (${count(paired.reduce((a, r) => a + r.c.n, 0))} observations), ${up ? '+' : '-'}${Math.round(tol * 100)}% allowed`,
        ),
      );
    }
  } else if (rel.length && o.baseline) {
    const rs = keyed(samplesOf(o.baseline.sum), stepSec);
    const rn = keyed(samplesOf(o.baseline.count), stepSec);
    const ref = new Spread();
    for (const k of commonKeys([rs, rn], -Infinity, Infinity)) {
      const side = sideOf(rs.get(k), rn.get(k));
      if (side) ref.add(side);
    }
    const m = ref.mean;
    const n = [...rn.values()].reduce((a, x) => a + Math.max(0, x), 0);
    if (!Number.isFinite(m) || m === 0)
      result.baselineMissing = `the window before the deploy has no mean (${missing(o.baseline.count, 'the baseline')})`;
    else {
      for (const [tol, up, w] of rel) {
        const scale = up ? 1 + tol : 1 - tol;
        const sign = up ? 1 : -1;
        const j = sequential(
          rows,
          (r) => ({ d: sign * (r.c.m - scale * m), w: 1 / r.c.n + (scale * scale) / n }),
          tests(w),
          bounds,
          ref,
        );
        result.outcomes.push(
          outcome(
            j,
            tests(w).alpha,
            up,
            value,
            m,
            m * scale,
            `${short(value)} vs ${short(m)} before the deploy, ${up ? '+' : '-'}${Math.round(tol * 100)}% allowed`,
          ),
        );
      }
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
      if (r.t > recent && breaches(r.c))
        shared = `the stable breaches it too at the same time (${short(r.s!.m)} at ${new Date(r.t * 1000).toISOString()})`;
      return false;
    });
    const j = sequential(
      own,
      (r) => ({ d: sign * (r.c.m - limit), w: 1 / r.c.n }),
      tests(w),
      bounds,
      undefined,
    );
    const o2 = outcome(
      j,
      tests(w).alpha,
      up,
      value,
      null,
      limit,
      `${short(value)} against ${up ? 'max' : 'min'} ${short(limit)} over ${count(result.candidateCount)} observations`,
    );
    result.outcomes.push({ ...o2, shared: j.breached ? null : shared });
  }
  return result;
}

function outcome(
  j: ReturnType<typeof judgeSteps>,
  alpha: number,
  up: boolean,
  value: number | null,
  baseline: number | null,
  limit: number | null,
  what: string,
): LimitOutcome {
  return {
    test: 'sequential',
    comparator: up ? '>' : '<',
    value,
    baseline,
    limit,
    breached: j.breached,
    degradedAt: j.degradedAt,
    pValue: j.pValue,
    alpha,
    shared: null,
    detail: `${what}: ${j.breached ? 'past the limit' : 'not shown past it'} (anytime p=${formatP(j.pValue)}, level ${formatP(alpha)})`,
  };
}
