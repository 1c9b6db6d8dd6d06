/**
 * What judging one limit of a trigger yields (pure), and the pieces every count-aware test shares:
 * the alternatives' grids and the turn of detector output into an outcome with a sentence for people.
 */
import { detect, type StepFactors } from './e-detector.js';
import type { Evidence, LimitFrom, TestKind } from './types.js';

export interface LimitOutcome {
  test: TestKind;
  comparator: '>' | '<';
  value: number | null;
  baseline: number | null;
  limit: number | null;
  /** Where the limit comes from (the policy's number, the baseline moved by a relative bound). */
  from: LimitFrom | undefined;
  breached: boolean;
  /** Unix seconds the breach began, when breached. */
  degradedAt: number | null;
  /** What `degradedAt` marks, when not the end of the first breaching step (a burn-rate window). */
  onset?: Evidence['onset'];
  pValue: number | null;
  alpha: number | null;
  /** The stable breaches the same absolute limit at the same time (a detail for people), or null. */
  shared: string | null;
  /** One sentence: what was compared and the verdict. */
  detail: string;
}

/** Everything a count-aware test needs besides its data. */
export interface TestSettings {
  alpha: number;
  sustained: number;
  /** Steps in the guard window. */
  horizon: number;
}

/**
 * Odds ratios the mixture considers, beyond the tolerance: from half as bad again (x1.5) to a tenfold
 * failure, each about twice the one before, so any effect in range is within a factor 1.4 of one.
 * Four alternatives cost ln 4 of evidence against knowing the effect in advance.
 */
export const ODDS_UP: readonly number[] = [1.5, 2.5, 5, 10];
export const ODDS_DOWN: readonly number[] = ODDS_UP.map((x) => 1 / x);
/** Standardized shifts a mean's step may show (in standard errors of that step). */
export const SHIFTS: readonly number[] = [0.35, 0.7, 1.4, 2.8];

/**
 * Likelihood ratio of `y` events of `k` belonging to the candidate when the odds are `theta` times
 * the null's (`pi0`). Conditional on the total, each event is the candidate's with probability at most
 * pi0 under the null, so for theta > 1 its expectation is at most 1 (for theta < 1 when at least pi0).
 */
export function oddsFactor(y: number, k: number, pi0: number, theta: number): number {
  const p = Math.min(1 - 1e-12, Math.max(1e-12, pi0));
  const o0 = p / (1 - p);
  return Math.exp(y * Math.log(theta) + k * (Math.log1p(o0) - Math.log1p(theta * o0)));
}

/** One step of split evidence: `y` of `k` events are the candidate's, `pi0` their null share. */
export function splitStep(
  index: number,
  t: number,
  y: number,
  k: number,
  pi0: number,
  up: boolean,
): StepFactors {
  const grid = up ? ODDS_UP : ODDS_DOWN;
  return { index, t, factors: grid.map((theta) => oddsFactor(y, k, pi0, theta)) };
}

/** One step of a standardized mean shift `z` (positive = towards the alternative). */
export function shiftStep(index: number, t: number, z: number): StepFactors {
  return { index, t, factors: SHIFTS.map((l) => Math.exp(l * z - (l * l) / 2)) };
}

export function formatP(p: number): string {
  if (p >= 0.1) return p.toFixed(2);
  return p < 1e-6 ? '<0.000001' : String(Number(p.toPrecision(2)));
}

/**
 * A relative limit's origin: `baseline` moved by `tol` up or down (none without a finite baseline).
 * `of` says what the baseline is: the stable at the same steps, or the window before the deploy.
 */
export function relativeFrom(
  up: boolean,
  tol: number,
  baseline: number | null,
  of: 'stable' | 'before_deploy' | 'before_deploy_bound',
): LimitFrom | undefined {
  if (baseline === null || !Number.isFinite(baseline)) return undefined;
  return { kind: 'relative', bound: up ? 'max_increase' : 'max_decrease', of, baseline, change: tol };
}

/** An absolute limit's origin: the policy's `max` or `min`. */
export function absoluteFrom(up: boolean): LimitFrom {
  return { kind: 'absolute', bound: up ? 'max' : 'min' };
}

/** Runs the detector and reports when (if ever) the candidate was shown past the limit. */
export function judgeSteps(
  steps: readonly StepFactors[],
  s: TestSettings,
): { breached: boolean; degradedAt: number | null; pValue: number; crossedAt: number | null } {
  const d = detect(steps, { alpha: s.alpha, sustained: s.sustained, horizon: s.horizon });
  return {
    breached: d.crossedAt !== null,
    degradedAt: d.crossedAt !== null ? d.since : null,
    pValue: Math.min(1, 1 / d.maxE),
    crossedAt: d.crossedAt,
  };
}

/**
 * A sequential test's outcome: its numbers, the detector's verdict, and a sentence that ends with
 * the anytime p-value and the level it is held to.
 */
export function testOutcome(
  j: ReturnType<typeof judgeSteps>,
  alpha: number,
  shown: {
    up: boolean;
    value: number | null;
    baseline: number | null;
    limit: number | null;
    from: LimitFrom | undefined;
  },
  sentence: string,
): LimitOutcome {
  return {
    test: 'sequential',
    comparator: shown.up ? '>' : '<',
    value: shown.value,
    baseline: shown.baseline,
    limit: shown.limit,
    from: shown.limit === null ? undefined : shown.from,
    breached: j.breached,
    degradedAt: j.degradedAt,
    pValue: j.pValue,
    alpha,
    shared: null,
    detail: `${sentence} (anytime p=${formatP(j.pValue)}, level ${formatP(alpha)})`,
  };
}

export function pct(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '-';
  const v = x * 100;
  return `${Number(v.toPrecision(v >= 10 ? 3 : 2))}%`;
}

/** `1,930` for counts; fractions (Prometheus' extrapolated increases) to one decimal. */
export function count(n: number): string {
  const r = Math.abs(n - Math.round(n)) < 0.05 ? Math.round(n) : Math.round(n * 10) / 10;
  return r.toLocaleString('en-US');
}

export function short(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** A count-aware trigger judged: its limits' outcomes and the evidence behind them. */
export interface MeasureResult {
  /** Why the candidate has no data, when it has none. */
  noData: string | null;
  /** Why relative limits could not be judged (no stable, no baseline data), when they could not. */
  baselineMissing: string | null;
  candidateCount: number;
  stableCount: number | null;
  /** What is counted: requests, observations. */
  unit: string;
  outcomes: LimitOutcome[];
}

/** Why an observation gives nothing, for a cause. */
export function missing(o: { kind: string; cause?: string } | undefined, what: string): string {
  if (o === undefined) return `${what} was not queried`;
  if (o.kind === 'no_data' && o.cause !== undefined) return o.cause;
  return `${what} has no finite samples`;
}
