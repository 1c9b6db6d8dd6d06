import type { Observation, Sample, SeriesGroup } from '../policy/types.js';

export type { Sample, SeriesGroup };

/**
 * The part of a count-aware trigger a query reads (docs/judgement.md): the bad and all events of a
 * ratio, the sum and count of a mean, the buckets of a histogram. Single-query triggers have none.
 */
export type MeasurePart = 'bad' | 'total' | 'sum' | 'count' | 'buckets';

/** What a trigger asks of a metrics backend for one version of one service. */
export interface MetricQuery {
  service: string;
  stage: string | undefined;
  trigger: string;
  /** The version whose metrics are read (validated before it reaches a query). */
  version: string;
  /** The stable version, for templates that compare inside one query. */
  stableVersion: string | undefined;
  /** The provider-specific query text from the policy, `{{...}}` placeholders not yet filled. */
  query: string | undefined;
  /** The trigger's window in milliseconds (`{{window}}`; the span plain-number arrays cover). */
  windowMs: number;
  /**
   * The start of the range to read; absent means `end - windowMs`. A candidate is read from its
   * deploy, so the sequential judgement sees every step since then.
   */
  start?: Date | undefined;
  end: Date;
  args: Record<string, string>;
  /** How several series are reduced to one; absent means several series are an error. */
  reduce: 'sum' | 'max' | 'mean' | 'min' | undefined;
  /** Range-query resolution in milliseconds (undefined: the provider's default); also `{{step}}`. */
  stepMs: number | undefined;
  /** Which part of a count-aware trigger this is; the file provider looks it up under the trigger. */
  part?: MeasurePart | undefined;
  /** A label to group by instead of reducing (`le` for histogram buckets): the answer is `groups`. */
  groupBy?: string | undefined;
}

/**
 * Samples (oldest first); one series per value of `groupBy` when the query asked for groups; or no
 * data with a cause a person can act on.
 */
export type MetricResult = Observation;

/** The port every metrics backend implements. It never throws for backend trouble: it answers no data with the cause. */
export interface MetricsProvider {
  query(q: MetricQuery, signal?: AbortSignal): Promise<MetricResult>;
}
