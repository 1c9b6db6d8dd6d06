/**
 * The decision for one service (pure): each trigger judged by its kind (threshold for `value`,
 * sequential tests for counts, burn rates for SLOs), then N of M. No I/O, no clock: the judgement
 * time is an argument, so a backtest replays any moment.
 */
import { approvalOf } from './approval.js';
import { judgeBurnRate } from './burn-rate.js';
import { judgeMean } from './mean.js';
import { count, type LimitOutcome, type MeasureResult, type TestSettings } from './outcome.js';
import { judgeHistogram } from './quantile.js';
import { judgeRatio } from './ratio.js';
import { judgeThreshold } from './threshold.js';
import type {
  Decision,
  Evidence,
  JudgementTime,
  Parts,
  ServiceRule,
  TriggerObservation,
  TriggerRule,
} from './types.js';

export const DEFAULT_REASON = 'rollback_required';

/** A time that sees every sample: for a fixed candidate judged on whatever data there is. */
const ANY_TIME: JudgementTime = { now: Number.POSITIVE_INFINITY, deployedAt: undefined };

/**
 * A burn-rate condition's share of the level next to a sequential test's: it only has to tell a
 * 6-14x burn from chance, which takes little of it, so the sequential tests keep nearly all.
 */
const BURN_RATE_WEIGHT = 0.1;

/** A trigger's weight in the split of the service's level: 1 per sequential test, a little per burn-rate condition. */
export function weightOf(rule: TriggerRule): number {
  if (rule.measure.kind === 'value') return 0;
  const limits = [rule.maxIncrease, rule.maxDecrease, rule.max, rule.min].filter((x) => x !== undefined);
  return limits.length + BURN_RATE_WEIGHT * (rule.slo?.windows.length ?? 0);
}

/** The levels of a service's tests, and its guard window. */
export interface Levels {
  /** The level of one sequential test; a burn-rate condition gets BURN_RATE_WEIGHT of it. */
  alpha: number;
  horizonMs: number;
}

/** 1 - confidence split by weight over every test of the service (Bonferroni): the levels add up to it. */
export function levelsOf(rule: ServiceRule): Levels {
  const total = rule.triggers.reduce((n, t) => n + weightOf(t), 0);
  return { alpha: (1 - rule.confidence) / Math.max(1, total), horizonMs: rule.horizonMs };
}

function noDataCause(o: Parts, part: keyof Parts, what: string): string {
  const x = o[part];
  return x?.kind === 'no_data' ? x.cause : `${what} has no finite samples`;
}

function blank(rule: TriggerRule): Evidence {
  return {
    trigger: rule.name,
    value: null,
    baseline: null,
    limit: null,
    comparator: null,
    breached: false,
    sustained: null,
    samples: 0,
    noData: null,
    undecided: null,
    degradedAt: null,
    severity: rule.severity,
    action: rule.action,
    reason: rule.reason ?? DEFAULT_REASON,
    test: null,
    pValue: null,
    alpha: null,
    count: null,
    detail: null,
  };
}

function fromOutcome(e: Evidence, o: LimitOutcome, stepSec: number): Evidence {
  return {
    ...e,
    value: o.value,
    baseline: o.baseline,
    limit: o.limit,
    ...(o.limit !== null && o.from ? { limitFrom: o.from } : {}),
    comparator: o.comparator,
    breached: o.breached,
    degradedAt: o.degradedAt,
    ...(o.degradedAt !== null ? { onset: o.onset ?? { kind: 'step', seconds: stepSec } } : {}),
    test: o.test,
    pValue: o.pValue,
    alpha: o.alpha,
    detail: o.detail,
  };
}

/** The evidence without a time the breach began. */
function notDegraded(e: Evidence): Evidence {
  const { onset: _onset, ...rest } = e;
  return { ...rest, degradedAt: null };
}

/** A count-aware trigger's evidence from its limits' outcomes. */
function countEvidence(rule: TriggerRule, m: MeasureResult, steps: number): Evidence {
  const e: Evidence = {
    ...blank(rule),
    samples: steps,
    count: { candidate: m.candidateCount, stable: m.stableCount, unit: m.unit },
  };
  if (m.noData !== null) return { ...e, noData: m.noData, count: null };
  if (m.outcomes.length === 0)
    return { ...e, noData: `baseline: ${m.baselineMissing ?? 'nothing to compare'}` };
  const shown = m.outcomes.find((o) => o.breached) ?? m.outcomes.find((o) => o.shared) ?? m.outcomes[0]!;
  const judged = fromOutcome(e, shown, rule.stepMs / 1000);
  if (m.candidateCount < rule.minCount) {
    return {
      ...notDegraded(judged),
      breached: false,
      undecided: {
        reason: 'not_enough_traffic',
        detail: `not enough traffic yet (${count(m.candidateCount)} of ${count(rule.minCount)} ${m.unit})`,
      },
    };
  }
  if (!shown.breached && shown.shared) {
    return { ...judged, undecided: { reason: 'shared_breach', detail: shown.shared } };
  }
  return judged;
}

/** Whether a version's answers carry times of their own (not values spread over the window). */
function timed(parts: Parts): boolean {
  return Object.values(parts).every((o) => o === undefined || o.kind === 'no_data' || o.timed !== false);
}

/**
 * Evaluates one trigger at `time`: its value, its limit and whether it breached. Pure. Values
 * without timestamps still judge, but cannot say when a breach began: no `degradedAt` then.
 */
export function evaluateTrigger(
  rule: TriggerRule,
  observed: TriggerObservation,
  time: JudgementTime = ANY_TIME,
  levels: Levels = { alpha: 0.01 / Math.max(1, weightOf(rule)), horizonMs: 7_200_000 },
): Evidence {
  const e = judgeTrigger(rule, observed, time, levels);
  return e.degradedAt === null || timed(observed.candidate) ? e : notDegraded(e);
}

function judgeTrigger(
  rule: TriggerRule,
  observed: TriggerObservation,
  time: JudgementTime,
  levels: Levels,
): Evidence {
  const settings: TestSettings = {
    alpha: levels.alpha,
    sustained: rule.sustained,
    horizon: Math.max(1, Math.round(levels.horizonMs / rule.stepMs)),
  };
  const tests = () => settings;
  const burnTests = () => ({ ...settings, alpha: settings.alpha * BURN_RATE_WEIGHT });
  switch (rule.measure.kind) {
    case 'value': {
      const t = judgeThreshold(rule, observed, time, () =>
        observed.baseline
          ? noDataCause(observed.baseline, 'value', 'the baseline')
          : 'no baseline was queried',
      );
      const e = { ...blank(rule), samples: t.samples };
      if (t.value === null)
        return { ...e, noData: noDataCause(observed.candidate, 'value', 'the candidate') };
      if (t.baselineMissing !== null && rule.max === undefined && rule.min === undefined) {
        return { ...e, value: t.value, noData: `baseline: ${t.baselineMissing}` };
      }
      const judged = { ...fromOutcome(e, t, rule.stepMs / 1000), sustained: t.sustained };
      if (t.samples < rule.minCount) {
        return {
          ...notDegraded(judged),
          breached: false,
          undecided: {
            reason: 'not_enough_traffic',
            detail: `not enough samples yet (${t.samples} of ${rule.minCount})`,
          },
        };
      }
      return t.shared && !t.breached
        ? { ...judged, undecided: { reason: 'shared_breach', detail: t.shared } }
        : judged;
    }
    case 'ratio': {
      const r = judgeRatio(rule, observed, time, tests);
      if (rule.slo && r.noData === null) {
        const now = Number.isFinite(time.now) ? time.now : (r.rows[r.rows.length - 1]?.t ?? 0);
        r.outcomes.push(...judgeBurnRate(r.rows, rule.slo, now, burnTests));
      }
      return countEvidence(rule, r, r.rows.length);
    }
    case 'histogram':
      return countEvidence(rule, judgeHistogram(rule, observed, time, tests), 0);
    case 'mean':
      return countEvidence(rule, judgeMean(rule, observed, time, tests), 0);
  }
}

const NOT_QUERIED: TriggerObservation = {
  candidate: { value: { kind: 'no_data', cause: 'not queried' } },
  baseline: undefined,
  baselineKind: 'same_time',
};

/**
 * The decision for one service. No data never yields stop unless a trigger asks for it
 * (`on_no_data: stop`); missing data, too little traffic and shared breaches yield inconclusive when
 * those triggers could have reached `require`.
 */
export function decide(
  rule: ServiceRule,
  observed: ReadonlyMap<string, TriggerObservation>,
  time: JudgementTime = ANY_TIME,
): Decision {
  const levels = levelsOf(rule);
  const evidence = rule.triggers.map((t) =>
    evaluateTrigger(t, observed.get(t.name) ?? NOT_QUERIED, time, levels),
  );
  // Severity routes who is told; only `action: alert` keeps a breach from counting towards a stop.
  const stops = (e: Evidence) => e.action !== 'alert';
  const counted = evidence.filter(
    (e, i) => stops(e) && (e.breached || (e.noData !== null && rule.triggers[i]!.onNoData === 'stop')),
  );
  const alerts = evidence.filter((e) => e.breached && e.action === 'alert');
  // An alert-only trigger can never count towards a stop, so its missing data cannot leave one open.
  const unknown = evidence.filter(
    (e, i) =>
      stops(e) &&
      !e.breached &&
      (e.undecided !== null || (e.noData !== null && rule.triggers[i]!.onNoData === 'inconclusive')),
  );
  const common = { evidence, breaches: counted.length, require: rule.require, alerts };
  if (counted.length >= rule.require) {
    const first = counted[0]!;
    // Judged a second time at the clear-cut levels (approve_below): the same data, time and level.
    const approval = approvalOf(
      rule.triggers.flatMap((t, i) =>
        counted.includes(evidence[i]!) ? [{ rule: t, evidence: evidence[i]! }] : [],
      ),
      (t) => evaluateTrigger(t, observed.get(t.name) ?? NOT_QUERIED, time, levels),
    );
    return {
      decision: 'stop',
      reason: first.noData !== null && !first.breached ? 'no_data' : first.reason,
      ...common,
      ...(approval ? { approval } : {}),
    };
  }
  if (counted.length + unknown.length >= rule.require && unknown.length > 0) {
    const u = unknown[0]!;
    return { decision: 'inconclusive', reason: u.undecided?.reason ?? 'no_data', ...common };
  }
  return {
    decision: 'allow',
    reason: alerts.length ? 'alert_only' : 'within_limits',
    ...common,
  };
}
