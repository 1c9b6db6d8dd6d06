/** One timestamped observation: `t` in unix seconds. */
export interface Sample {
  t: number;
  v: number;
}

/** One series of a grouped answer: the value of the grouping label (a histogram bucket's `le`) and its samples. */
export interface SeriesGroup {
  key: string;
  samples: Sample[];
}

export type Aggregation = 'last' | 'mean' | 'max' | 'min' | 'p50' | 'p90' | 'p95' | 'p99';
export type NoDataPolicy = 'inconclusive' | 'allow' | 'stop';
export type Severity = 'critical' | 'high' | 'medium' | 'low';
/** What a breach of a trigger does: count towards a stop, or only alert (incident and notification). */
export type TriggerAction = 'rollback' | 'alert';

/**
 * What one sample of a trigger carries (docs/judgement.md, "What a sample is"):
 * - `value`: one query, one number a step (a ratio, a quantile): no count, so limits are thresholds;
 * - `ratio`: bad and all events a step (errors of requests, toxic of responses);
 * - `mean`: the sum and count of per-event values a step (quality scores), optionally bounded;
 * - `histogram`: a latency histogram's bucket counts a step, judged at `quantile`.
 * The three count-aware kinds know how much evidence each step holds, so their limits are tests.
 */
export type Measure =
  | { kind: 'value' }
  | { kind: 'ratio' }
  | { kind: 'mean'; bounds: readonly [number, number] | undefined }
  | { kind: 'histogram'; quantile: number };

/** One multi-window burn-rate condition (SRE Workbook, ch. 5): both windows burn at `factor` or more. */
export interface BurnRateWindow {
  longMs: number;
  shortMs: number;
  factor: number;
}

/** An availability objective on a ratio trigger (`slo: {objective: 99.9%}`): the bad ratio's budget is 1 - objective. */
export interface Slo {
  objective: number;
  windows: readonly BurnRateWindow[];
}

/** One trigger of a service's policy, with durations and percentages already normalized. */
export interface TriggerRule {
  name: string;
  measure: Measure;
  max: number | undefined;
  min: number | undefined;
  /** Allowed relative increase over the baseline: 0.5 means the value may be at most 1.5 x baseline. */
  maxIncrease: number | undefined;
  /** Allowed relative decrease under the baseline: 0.2 means the value must stay at least 0.8 x baseline. */
  maxDecrease: number | undefined;
  slo: Slo | undefined;
  /** How a `value` series becomes one number (count-aware triggers pool their counts instead). */
  aggregate: Aggregation;
  /**
   * `value`: consecutive breaching samples (newest last) before the trigger counts as breached.
   * Count-aware: the fewest steps that can stop (one step alone brings at most 1/N of the evidence).
   */
  sustained: number;
  /** Least evidence before the trigger may stop: requests (ratio, histogram), observations (mean), samples (value). */
  minCount: number;
  onNoData: NoDataPolicy;
  reason: string | undefined;
  severity: Severity;
  action: TriggerAction;
  /** The trigger's window: the span `value` limits judge, and the "same time" of a shared breach. */
  windowMs: number;
  /** The length of one step of the series (the span one count covers). */
  stepMs: number;
  /**
   * `approve_below`: the clear-cut levels of this trigger's limits, in the limits' own terms. A breach
   * not shown past them waits for a person in `mode: auto` (policy/approval.ts); absent: every breach
   * is clear-cut, as before.
   */
  approveBelow?: ClearCutLevels | undefined;
}

/**
 * The clear-cut level of each limit that has one: `maxIncrease: 4` for `approve_below: 5x` on a
 * `max_increase` (the candidate at 5 x the stable), `max: 0.25` for `approve_below: 0.25` on a `max`.
 * A limit without one keeps its own value in the clear-cut judgement (its breach is clear-cut).
 */
export interface ClearCutLevels {
  max?: number | undefined;
  min?: number | undefined;
  maxIncrease?: number | undefined;
  maxDecrease?: number | undefined;
}

export interface ServiceRule {
  triggers: TriggerRule[];
  /** How many triggers must breach before the decision is stop (N of M). */
  require: number;
  /**
   * A healthy candidate is stopped by the service's tests with probability at most 1 - confidence over
   * its whole guard window, however often it is judged (split evenly over the tests).
   */
  confidence: number;
  /** The guard window: a regression may begin at any step of it. */
  horizonMs: number;
}

/**
 * What one query answered: samples oldest first; one series per value of a grouping label
 * (histogram buckets); or no data with a cause a person can act on. `timed: false`: the values came
 * without timestamps and the provider spread them over the window (plain numbers), so their times
 * say nothing of when a breach began; absent means the samples carry their own times.
 */
export type Observation =
  | { kind: 'samples'; samples: Sample[]; timed?: boolean | undefined }
  | { kind: 'groups'; groups: SeriesGroup[]; timed?: boolean | undefined }
  | { kind: 'no_data'; cause: string };

/** One version's answers for one trigger, by part: `value`, or `bad`/`total`, `sum`/`count`, `buckets`. */
export type Parts = Readonly<Partial<Record<PartName, Observation>>>;
export type PartName = 'value' | 'bad' | 'total' | 'sum' | 'count' | 'buckets';

export interface TriggerObservation {
  candidate: Parts;
  /**
   * The stable version's answer over the same range (paired step by step), or with `baseline:
   * before_deploy` the window before the deploy; absent when nothing needs it.
   */
  baseline: Parts | undefined;
  /** Where the baseline comes from: beside the candidate at the same times, or before the deploy. */
  baselineKind: 'same_time' | 'before_deploy';
}

/** When the judgement happens: the newest step it may see, and when the candidate was deployed. */
export interface JudgementTime {
  /** Unix seconds; samples after it are not seen (a backtest replays earlier times). */
  now: number;
  /** Unix seconds of the candidate's deploy (its pin commit); unknown for a fixed candidate. */
  deployedAt: number | undefined;
}

export type Verdict = 'allow' | 'stop' | 'inconclusive';

/** Why a trigger with data cannot decide. */
export type Undecided =
  { reason: 'not_enough_traffic'; detail: string } | { reason: 'shared_breach'; detail: string };

/** How a limit was judged: a threshold on values, a sequential test on counts, or a burn rate. */
export type TestKind = 'threshold' | 'sequential' | 'burn_rate';

/**
 * Where one limit comes from: the policy's own number (`max: 1800`), a baseline moved by a
 * relative bound (`max_increase: 50%` on the stable's 1140 gives 1710), or an SLO's burn rate.
 */
export type LimitOrigin =
  | { kind: 'absolute'; bound: 'max' | 'min' }
  | {
      kind: 'relative';
      bound: 'max_increase' | 'max_decrease';
      /**
       * What the change applies to: the stable at the same steps, the window before the deploy, or
       * that window's estimate at its confidence bound (a count's pre-deploy rate, mean or quantile).
       */
      of: 'stable' | 'before_deploy' | 'before_deploy_bound';
      /** The number the change applies to: limit = baseline x (1 + change), or x (1 - change). */
      baseline: number;
      /** The allowed change as the policy wrote it: 0.5 for `max_increase: 50%`. */
      change: number;
    }
  | { kind: 'burn_rate'; factor: number; budget: number; windows: string };

/**
 * The shown limit's origin; `looser`: the other limit on the same side that applied too, when a
 * threshold is held to the tighter of an absolute and a relative one.
 */
export type LimitFrom = LimitOrigin & { looser?: { limit: number; from: LimitOrigin } | undefined };

export interface Evidence {
  trigger: string;
  value: number | null;
  baseline: number | null;
  limit: number | null;
  /** Where the limit comes from (absent with no limit, and in evidence read back from trailers). */
  limitFrom?: LimitFrom | undefined;
  /** `>` when the value must stay at or under the limit, `<` when at or over it. */
  comparator: '>' | '<' | null;
  breached: boolean;
  /** Breaching samples at the end of the series, and how many were required (`value` triggers). */
  sustained: { observed: number; required: number } | null;
  samples: number;
  /** Why there is no value, when there is none. */
  noData: string | null;
  /** Data, but not enough to decide, or a breach the stable shares. */
  undecided: Undecided | null;
  /** Unix seconds of the first sample of the breach (the newest breaching run), when breached. */
  degradedAt: number | null;
  /**
   * What `degradedAt` marks: the end of the first breaching step, which spans `seconds` (the breach
   * began within them), or the start of the burn-rate window that burnt too fast (the burn is at
   * least that old). Absent when `degradedAt` is null, and `degradedAt` is null when the samples
   * carry no timestamps of their own.
   */
  onset?: { kind: 'step' | 'window'; seconds: number } | undefined;
  severity: Severity;
  action: TriggerAction;
  reason: string;
  /** The limit shown: how it was judged. */
  test: TestKind | null;
  /**
   * Anytime-valid p-value of the sequential test (the smallest level at which it would have stopped
   * by now), and the level it is held to; null for thresholds.
   */
  pValue: number | null;
  alpha: number | null;
  /** The evidence behind the numbers: events of the candidate and of the stable (same steps). */
  count: { candidate: number; stable: number | null; unit: string } | null;
  /** One sentence for people: what was compared, on how much evidence, and the verdict. */
  detail: string | null;
  /**
   * The breach as a picture: the candidate's and the baseline's points a step, where the samples
   * carry times of their own (a live run's breached triggers only; see policy/series.ts).
   */
  series?: MetricSeries | undefined;
}

/**
 * One trigger's measure a step, for a chart: the candidate since the deploy (a single query over its
 * window), and its baseline (the stable at the same steps, or the window before the deploy).
 */
export interface MetricSeries {
  /** What one point is: `bad / total`, `mean (sum / count)`, `p95`, `value`. */
  measure: string;
  stepSec: number;
  candidate: Sample[];
  /** Empty when no baseline was read, or its samples had no times of their own. */
  baseline: Sample[];
  baselineKind: 'same_time' | 'before_deploy';
  /** Unix seconds: the candidate's deploy (unknown for a fixed candidate), and the judgement. */
  deployedAt: number | undefined;
  judgedAt: number;
}

export interface Decision {
  decision: Verdict;
  reason: string;
  evidence: Evidence[];
  /** How many triggers breached, and how many were required. */
  breaches: number;
  require: number;
  /** Breaches of `action: alert` triggers: an incident and a notification, never a rollback. */
  alerts: Evidence[];
  /**
   * A stop with clear-cut levels (`approve_below`): whether it is clear-cut, judged a second time at
   * those levels. Absent: no counted breach has one, and the stop is clear-cut as ever.
   */
  approval?: Approval | undefined;
}

/** A stop judged at its clear-cut levels (policy/approval.ts). */
export interface Approval {
  /**
   * true: a counted breach is past its clear-cut level, or has none (commit at once); false: every
   * counted breach is past its tolerance only, and a person decides.
   */
  clearCut: boolean;
  /** The clear-cut judgement of each counted breach with a clear-cut level, in the policy's order. */
  levels: Evidence[];
  /** Why, in words with the evidence's numbers: `error_rate x1.8 the stable (…), above the 1.5x tolerance, …`. */
  why: string;
}
