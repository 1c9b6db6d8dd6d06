/** One timestamped observation: `t` in unix seconds. */
export interface Sample {
  t: number;
  v: number;
}

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
  /** Window length in milliseconds, ending at `end`. */
  windowMs: number;
  end: Date;
  args: Record<string, string>;
  /** How several series are reduced to one; absent means several series are an error. */
  reduce: 'sum' | 'max' | 'mean' | 'min' | undefined;
  /** Range-query resolution in milliseconds (undefined: the provider's default). */
  stepMs: number | undefined;
}

/** Samples (oldest first), or no data with a cause a person can act on. */
export type MetricResult = { kind: 'samples'; samples: Sample[] } | { kind: 'no_data'; cause: string };

/** The port every metrics backend implements. It never throws for backend trouble: it answers no data with the cause. */
export interface MetricsProvider {
  query(q: MetricQuery, signal?: AbortSignal): Promise<MetricResult>;
}
