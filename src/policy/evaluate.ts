import type { Sample } from '../metrics/provider.js';
import { aggregate, finite } from './aggregate.js';
import type {
  Decision,
  Evidence,
  Observation,
  ServiceRule,
  TriggerObservation,
  TriggerRule,
} from './types.js';

export const DEFAULT_REASON = 'rollback_required';

interface Limits {
  upper: number | undefined;
  lower: number | undefined;
}

function values(o: Observation | undefined): number[] {
  return o?.kind === 'samples' ? finite(o.samples.map((s) => s.v)) : [];
}

function finiteSamples(o: Observation): Sample[] {
  return o.kind === 'samples' ? o.samples.filter((s) => Number.isFinite(s.v)) : [];
}

/** The newest run of breaching samples: its length and when it began (degraded-at). */
function trailingRun(samples: readonly Sample[], l: Limits): { length: number; since: number | null } {
  let i = samples.length - 1;
  while (i >= 0 && breaches(samples[i]!.v, l)) i--;
  const length = samples.length - 1 - i;
  return { length, since: length > 0 ? samples[i + 1]!.t : null };
}

/** The tightest bounds from the absolute limits and, when a baseline exists, the relative ones. */
function limits(rule: TriggerRule, baseline: number | null): Limits {
  const upper: number[] = rule.max === undefined ? [] : [rule.max];
  const lower: number[] = rule.min === undefined ? [] : [rule.min];
  // A baseline of zero (or less) gives no scale: "50% more than nothing" would make any value a breach.
  if (baseline !== null && baseline > 0) {
    if (rule.maxIncrease !== undefined) upper.push(baseline * (1 + rule.maxIncrease));
    if (rule.maxDecrease !== undefined) lower.push(baseline * (1 - rule.maxDecrease));
  }
  return {
    upper: upper.length ? Math.min(...upper) : undefined,
    lower: lower.length ? Math.max(...lower) : undefined,
  };
}

function breaches(v: number, l: Limits): boolean {
  return (l.upper !== undefined && v > l.upper) || (l.lower !== undefined && v < l.lower);
}

function needsBaseline(rule: TriggerRule): boolean {
  return rule.maxIncrease !== undefined || rule.maxDecrease !== undefined;
}

function hasAbsolute(rule: TriggerRule): boolean {
  return rule.max !== undefined || rule.min !== undefined;
}

function noDataCause(o: Observation, what: string): string {
  return o.kind === 'no_data' ? o.cause : `${what} has no finite samples`;
}

/** Evaluates one trigger: its value, its limit and whether it breached. Pure. */
export function evaluateTrigger(rule: TriggerRule, observed: TriggerObservation): Evidence {
  const reason = rule.reason ?? DEFAULT_REASON;
  const series = values(observed.candidate);
  const baseSeries = values(observed.baseline);
  const baseline = baseSeries.length ? aggregate(baseSeries, rule.aggregate) : null;
  const base: Evidence = {
    trigger: rule.name,
    value: null,
    baseline,
    limit: null,
    comparator: null,
    breached: false,
    sustained: null,
    samples: series.length,
    noData: null,
    degradedAt: null,
    severity: rule.severity,
    reason,
  };
  if (series.length === 0) return { ...base, noData: noDataCause(observed.candidate, 'the candidate') };
  if (needsBaseline(rule) && (baseline === null || baseline <= 0) && !hasAbsolute(rule)) {
    const cause =
      baseline !== null
        ? `is ${baseline}, which gives a relative limit no scale (add an absolute max or min)`
        : observed.baseline
          ? noDataCause(observed.baseline, 'the baseline')
          : 'no baseline was queried';
    return { ...base, value: aggregate(series, rule.aggregate), noData: `baseline: ${cause}` };
  }
  const l = limits(rule, baseline);
  const value = aggregate(series, rule.aggregate);
  const lowerBreached = l.lower !== undefined && value < l.lower;
  const shown =
    lowerBreached || l.upper === undefined
      ? { limit: l.lower ?? null, comparator: '<' as const }
      : { limit: l.upper, comparator: '>' as const };
  const run = trailingRun(finiteSamples(observed.candidate), l);
  if (rule.sustained <= 1) {
    const breached = breaches(value, l);
    const first = finiteSamples(observed.candidate).find((x) => breaches(x.v, l));
    return {
      ...base,
      value,
      ...shown,
      breached,
      degradedAt: breached ? (run.since ?? first?.t ?? null) : null,
    };
  }
  // Sustained: the newest N raw samples must each breach, like Argo Rollouts' consecutive failures.
  const breached = run.length >= rule.sustained;
  return {
    ...base,
    value,
    ...shown,
    breached,
    degradedAt: breached ? run.since : null,
    sustained: { observed: run.length, required: rule.sustained },
  };
}

/**
 * The decision for one service. No data never yields stop unless a trigger asks for it
 * (`on_no_data: stop`); it yields inconclusive when the missing triggers could have reached `require`.
 */
export function decide(rule: ServiceRule, observed: ReadonlyMap<string, TriggerObservation>): Decision {
  const evidence = rule.triggers.map((t) =>
    evaluateTrigger(
      t,
      observed.get(t.name) ?? { candidate: { kind: 'no_data', cause: 'not queried' }, baseline: undefined },
    ),
  );
  // Medium severity opens an incident and notifies, but never rolls back (the seeds' severity table).
  const counted = evidence.filter(
    (e, i) =>
      (e.breached && e.severity !== 'medium') ||
      (e.noData !== null && rule.triggers[i]!.onNoData === 'stop' && e.severity !== 'medium'),
  );
  const alerts = evidence.filter((e) => e.breached && e.severity === 'medium');
  // A medium trigger can never count towards a stop, so its missing data cannot leave one open.
  const unknown = evidence.filter(
    (e, i) => e.noData !== null && rule.triggers[i]!.onNoData === 'inconclusive' && e.severity !== 'medium',
  );
  const common = { evidence, breaches: counted.length, require: rule.require, alerts };
  if (counted.length >= rule.require) {
    const first = counted[0]!;
    return {
      decision: 'stop',
      reason: first.noData !== null && !first.breached ? 'no_data' : first.reason,
      ...common,
    };
  }
  if (counted.length + unknown.length >= rule.require && unknown.length > 0) {
    return { decision: 'inconclusive', reason: 'no_data', ...common };
  }
  return {
    decision: 'allow',
    reason: alerts.length ? 'below_rollback_severity' : 'within_limits',
    ...common,
  };
}
