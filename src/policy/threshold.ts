/**
 * `value` triggers (one query, one number a step, no count): limits are thresholds, as in Argo
 * Rollouts' analysis and Flagger's metric checks (pure).
 *
 * The candidate is compared with the stable at the same steps: each candidate sample's relative
 * limit comes from the stable's sample of that step, and the aggregated value from the stable's
 * samples of the paired steps only. A candidate sample over an absolute limit that the stable's
 * same-step sample breaches too is a shared breach (a dependency down, a surge), not the candidate's.
 * These limits carry no statistical guarantee: a value has no count (see docs/judgement.md).
 */
import type { Sample } from './types.js';
import { aggregate } from './aggregate.js';
import type { LimitOutcome } from './outcome.js';
import { judged as inSpan, judgedSpan, keyed, samplesOf, stepKey } from './steps.js';
import type { JudgementTime, LimitFrom, LimitOrigin, TriggerObservation, TriggerRule } from './types.js';

export interface Bounds {
  upper: number | undefined;
  lower: number | undefined;
}

function tightest(upper: number[], lower: number[]): Bounds {
  return {
    upper: upper.length ? Math.min(...upper) : undefined,
    lower: lower.length ? Math.max(...lower) : undefined,
  };
}

function absolute(rule: TriggerRule): Bounds {
  return tightest(rule.max === undefined ? [] : [rule.max], rule.min === undefined ? [] : [rule.min]);
}

/** Relative bounds from a baseline value; none from a baseline of zero or less (no scale). */
function relative(rule: TriggerRule, baseline: number | undefined): Bounds {
  const ok = baseline !== undefined && baseline > 0;
  return tightest(
    ok && rule.maxIncrease !== undefined ? [baseline * (1 + rule.maxIncrease)] : [],
    ok && rule.maxDecrease !== undefined ? [baseline * (1 - rule.maxDecrease)] : [],
  );
}

function both(a: Bounds, b: Bounds): Bounds {
  return tightest(
    [a.upper, b.upper].filter((x): x is number => x !== undefined),
    [a.lower, b.lower].filter((x): x is number => x !== undefined),
  );
}

/**
 * Where the shown limit of one side comes from: the tighter of the absolute and the relative bound
 * (the absolute on a tie), with the other as the looser one when both apply.
 */
function limitFrom(
  upper: boolean,
  abs: Bounds,
  rel: Bounds,
  relOf: { rule: TriggerRule; baseline: number; of: 'stable' | 'before_deploy' } | undefined,
): LimitFrom | undefined {
  const a = upper ? abs.upper : abs.lower;
  const r = upper ? rel.upper : rel.lower;
  const change = upper ? relOf?.rule.maxIncrease : relOf?.rule.maxDecrease;
  const absolute: LimitOrigin = { kind: 'absolute', bound: upper ? 'max' : 'min' };
  const relative: LimitOrigin | undefined =
    relOf && r !== undefined && change !== undefined
      ? {
          kind: 'relative',
          bound: upper ? 'max_increase' : 'max_decrease',
          of: relOf.of,
          baseline: relOf.baseline,
          change,
        }
      : undefined;
  if (relative === undefined || r === undefined) return a === undefined ? undefined : absolute;
  if (a === undefined) return relative;
  const relBinds = upper ? r < a : r > a;
  return relBinds
    ? { ...relative, looser: { limit: a, from: absolute } }
    : { ...absolute, looser: { limit: r, from: relative } };
}

export function breaches(v: number, l: Bounds): boolean {
  return (l.upper !== undefined && v > l.upper) || (l.lower !== undefined && v < l.lower);
}

export function needsBaseline(rule: TriggerRule): boolean {
  return rule.maxIncrease !== undefined || rule.maxDecrease !== undefined;
}

export interface ThresholdResult extends LimitOutcome {
  samples: number;
  sustained: { observed: number; required: number } | null;
  /** Why the relative limits have nothing to compare with, when they do not. */
  baselineMissing: string | null;
}

/** One judged sample: its value, its bounds, and whether the stable breached the absolute ones too. */
interface Judged {
  s: Sample;
  rel: Bounds;
  shared: boolean;
}

/**
 * Judges a `value` trigger over its window ending at `now`. `baselineCause` says why a missing
 * baseline is missing (for the report).
 */
export function judgeThreshold(
  rule: TriggerRule,
  o: TriggerObservation,
  time: JudgementTime,
  baselineCause: () => string,
): ThresholdResult {
  const stepSec = rule.stepMs / 1000;
  const from = time.now - rule.windowMs / 1000;
  // Not after now. The window starts at the deploy at the earliest: a sample from before the
  // candidate was pinned says nothing about it (it would date a breach before the pin).
  const upToNow = { ...judgedSpan(time, stepSec), after: Number.NEGATIVE_INFINITY };
  const all = samplesOf(o.candidate.value).filter((s) => Number.isFinite(s.v) && inSpan(s.t, upToNow));
  // Without a known now (a fixed candidate), the window ends at the newest sample.
  const newest = all.length ? all[all.length - 1]!.t : 0;
  const windowStart = Number.isFinite(from) ? from : newest - rule.windowMs / 1000;
  const start = time.deployedAt === undefined ? windowStart : Math.max(windowStart, time.deployedAt);
  const candidate = all.filter((s) => s.t > start);
  const abs = absolute(rule);
  const same = o.baselineKind === 'same_time' && o.baseline !== undefined;
  const stableAt = same ? keyed(samplesOf(o.baseline!.value), stepSec).values : new Map<number, number>();
  const before = !same && o.baseline ? samplesOf(o.baseline.value).filter((s) => Number.isFinite(s.v)) : [];
  const beforeValue = before.length
    ? aggregate(
        before.map((s) => s.v),
        rule.aggregate,
      )
    : undefined;

  const judged: Judged[] = [];
  for (const s of candidate) {
    const stable = same ? stableAt.get(stepKey(s.t, stepSec)) : beforeValue;
    judged.push({
      s,
      rel: relative(rule, stable),
      shared: stable !== undefined && same && breaches(stable, abs),
    });
  }
  const paired = same ? judged.filter((j) => stableAt.has(stepKey(j.s.t, stepSec))) : judged;
  const stableValues = same
    ? paired.map((j) => stableAt.get(stepKey(j.s.t, stepSec))!)
    : before.map((s) => s.v);
  const baseline = stableValues.length ? aggregate(stableValues, rule.aggregate) : null;
  const value = candidate.length
    ? aggregate(
        candidate.map((s) => s.v),
        rule.aggregate,
      )
    : null;
  const hasRel = needsBaseline(rule);
  let baselineMissing: string | null = null;
  if (hasRel && (baseline === null || baseline <= 0)) {
    baselineMissing =
      baseline !== null
        ? `is ${baseline}, which gives a relative limit no scale (add an absolute max or min)`
        : baselineCause();
  }
  // The aggregated value's bounds; relative ones from the aggregated stable of the same steps.
  const rel = relative(rule, baseline ?? undefined);
  const l = both(abs, rel);
  const lowerBreached = value !== null && l.lower !== undefined && value < l.lower;
  const shown =
    lowerBreached || l.upper === undefined
      ? { limit: l.lower ?? null, comparator: '<' as const }
      : { limit: l.upper, comparator: '>' as const };
  const of = o.baselineKind === 'same_time' ? ('stable' as const) : ('before_deploy' as const);
  const shownFrom =
    shown.limit === null
      ? undefined
      : limitFrom(shown.comparator === '>', abs, rel, baseline === null ? undefined : { rule, baseline, of });
  const base: ThresholdResult = {
    test: 'threshold',
    ...shown,
    from: shownFrom,
    value,
    baseline,
    breached: false,
    degradedAt: null,
    pValue: null,
    alpha: null,
    shared: null,
    detail: '',
    samples: candidate.length,
    sustained: null,
    baselineMissing,
  };
  if (value === null) return base;
  const stableAgg = same && baseline !== null ? baseline : undefined;
  const sharedAgg = stableAgg !== undefined && breaches(stableAgg, abs);
  const sampleBreach = (j: Judged) => breaches(j.s.v, j.rel) || (breaches(j.s.v, abs) && !j.shared);
  const rawBreach = (j: Judged) => breaches(j.s.v, both(abs, j.rel));
  const run = (f: (j: Judged) => boolean) => {
    let i = judged.length - 1;
    while (i >= 0 && f(judged[i]!)) i--;
    const length = judged.length - 1 - i;
    return { length, since: length > 0 ? judged[i + 1]!.s.t : null };
  };
  const sharedText = (v: number | undefined) =>
    `the stable breaches the same absolute limit at the same time${v !== undefined ? ` (${v})` : ''}`;
  if (rule.sustained <= 1) {
    const breached = breaches(value, rel) || (breaches(value, abs) && !sharedAgg);
    const r = run(sampleBreach);
    const first = judged.find(sampleBreach);
    return {
      ...base,
      breached,
      degradedAt: breached ? (r.since ?? first?.s.t ?? null) : null,
      shared: !breached && breaches(value, abs) && sharedAgg ? sharedText(stableAgg) : null,
    };
  }
  // Sustained: the newest N samples must each breach, like Argo Rollouts' consecutive failures.
  const r = run(sampleBreach);
  const breached = r.length >= rule.sustained;
  const raw = run(rawBreach);
  return {
    ...base,
    breached,
    degradedAt: breached ? r.since : null,
    sustained: { observed: r.length, required: rule.sustained },
    shared: !breached && raw.length >= rule.sustained ? sharedText(undefined) : null,
  };
}
