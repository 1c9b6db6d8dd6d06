import type { Sample } from '../metrics/provider.js';

export type Aggregation = 'last' | 'mean' | 'max' | 'min' | 'p50' | 'p90' | 'p95' | 'p99';
export type NoDataPolicy = 'inconclusive' | 'allow' | 'stop';
export type Severity = 'critical' | 'high' | 'medium';

/** One trigger of a service's policy, with durations and percentages already normalized. */
export interface TriggerRule {
  name: string;
  max: number | undefined;
  min: number | undefined;
  /** Allowed relative increase over the baseline: 0.5 means the value may be at most 1.5 x baseline. */
  maxIncrease: number | undefined;
  /** Allowed relative decrease under the baseline: 0.2 means the value must stay at least 0.8 x baseline. */
  maxDecrease: number | undefined;
  aggregate: Aggregation;
  /** Consecutive breaching samples (newest last) before the trigger counts as breached. */
  sustained: number;
  onNoData: NoDataPolicy;
  reason: string | undefined;
  severity: Severity;
}

export interface ServiceRule {
  triggers: TriggerRule[];
  /** How many triggers must breach before the decision is stop (N of M). */
  require: number;
}

/** What one query answered: samples oldest first, or no data with its cause. */
export type Observation = { kind: 'samples'; samples: Sample[] } | { kind: 'no_data'; cause: string };

export interface TriggerObservation {
  candidate: Observation;
  /** The stable version's (or the pre-deploy window's) answer; absent when no relative limit needs it. */
  baseline: Observation | undefined;
}

export type Verdict = 'allow' | 'stop' | 'inconclusive';

export interface Evidence {
  trigger: string;
  value: number | null;
  baseline: number | null;
  limit: number | null;
  /** `>` when the value must stay at or under the limit, `<` when at or over it. */
  comparator: '>' | '<' | null;
  breached: boolean;
  /** Breaching samples at the end of the series, and how many were required. */
  sustained: { observed: number; required: number } | null;
  samples: number;
  /** Why there is no value, when there is none. */
  noData: string | null;
  /** Unix seconds of the first sample of the breach (the newest breaching run), when breached. */
  degradedAt: number | null;
  severity: Severity;
  reason: string;
}

export interface Decision {
  decision: Verdict;
  reason: string;
  evidence: Evidence[];
  /** How many triggers breached, and how many were required. */
  breaches: number;
  require: number;
  /** Breaches of medium-severity triggers: an incident and a notification, never a rollback. */
  alerts: Evidence[];
}
