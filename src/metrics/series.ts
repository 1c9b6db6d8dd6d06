/**
 * Turning a backend's series into what the policy engine judges (pure). Without grouping, the way Argo
 * Rollouts reads a query result: exactly one series is the value; none is no data; several need a
 * `reduce`. With a `groupBy` label (a histogram's `le`), one series per value of that label.
 */
import type { MetricResult, Sample, SeriesGroup } from './provider.js';

export type Reduce = 'sum' | 'max' | 'mean' | 'min';

export interface RawSeries {
  /** How a person tells this series from the others, e.g. `{code="500"}` or `version:2.4.0`. */
  name: string;
  /** The series' labels (Prometheus) or tags (Datadog `key:value`), for grouping. */
  labels?: Readonly<Record<string, string>> | undefined;
  /** [unix seconds, value]; values may be NaN or infinite, which are dropped. */
  points: ReadonlyArray<readonly [number, number]>;
}

function reduceValues(values: number[], how: Reduce): number {
  switch (how) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

function finiteSorted(points: ReadonlyArray<readonly [number, number]>): Sample[] {
  return points
    .filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v))
    .map(([t, v]) => ({ t, v }))
    .sort((a, b) => a.t - b.t);
}

/** Lists a few series names for a cause. */
function nameSome(series: readonly RawSeries[]): string {
  const shown = series.slice(0, 3).map((s) => s.name);
  return shown.join(', ') + (series.length > 3 ? `, and ${series.length - 3} more` : '');
}

/**
 * One series of finite samples, oldest first; or no data saying why. With several series and `reduce`
 * set, the series are combined per timestamp (over the series that have a finite value there).
 */
export function toSingleSeries(series: readonly RawSeries[], reduce: Reduce | undefined): MetricResult {
  if (series.length === 0) return { kind: 'no_data', cause: 'query returned no series' };
  if (series.length > 1 && reduce === undefined) {
    return {
      kind: 'no_data',
      cause:
        `query returned ${series.length} series (${nameSome(series)}), expected one: aggregate them in the ` +
        'query, or set reduce: sum|max|mean|min on the trigger',
    };
  }
  let samples: Sample[];
  if (series.length === 1) {
    samples = finiteSorted(series[0]!.points);
  } else {
    const byTime = new Map<number, number[]>();
    for (const s of series) {
      for (const { t, v } of finiteSorted(s.points)) {
        const values = byTime.get(t);
        if (values) values.push(v);
        else byTime.set(t, [v]);
      }
    }
    samples = [...byTime.entries()]
      .sort(([a], [b]) => a - b)
      .map(([t, values]) => ({ t, v: reduceValues(values, reduce!) }));
  }
  if (samples.length === 0) return { kind: 'no_data', cause: noSamplesCause(series) };
  return { kind: 'samples', samples };
}

/** Why series that have no finite sample at all are no data. */
function noSamplesCause(series: readonly RawSeries[]): string {
  const total = series.reduce((n, s) => n + s.points.length, 0);
  return total === 0
    ? 'query returned series without samples'
    : `query returned only NaN or infinite values (${total} samples; a ratio over no traffic?)`;
}

/**
 * One group per value of the label `groupBy`, in the order the backend returned them: series sharing
 * a value are summed per timestamp (several pods' buckets of one `le` are one bucket), non-finite
 * values are dropped, samples come oldest first, and a group left without samples is left out (as
 * Prometheus leaves out a bucket with no points in the range). A series without the label is no data,
 * as is a query without series or without a single finite sample.
 */
export function toGroups(series: readonly RawSeries[], groupBy: string): MetricResult {
  if (series.length === 0) return { kind: 'no_data', cause: 'query returned no series' };
  // An empty value is no value: Prometheus drops empty labels, and an empty key groups nothing.
  const keyOf = (s: RawSeries): string | undefined => s.labels?.[groupBy] || undefined;
  const unlabelled = series.filter((s) => keyOf(s) === undefined);
  if (unlabelled.length > 0) {
    return {
      kind: 'no_data',
      cause:
        `query returned ${unlabelled.length} of ${series.length} series without the label "${groupBy}" ` +
        `it is grouped by (${nameSome(unlabelled)}): keep "${groupBy}" in the query's grouping`,
    };
  }
  const byKey = new Map<string, Map<number, number>>();
  for (const s of series) {
    const key = keyOf(s) ?? '';
    let byTime = byKey.get(key);
    if (byTime === undefined) {
      byTime = new Map();
      byKey.set(key, byTime);
    }
    for (const { t, v } of finiteSorted(s.points)) byTime.set(t, (byTime.get(t) ?? 0) + v);
  }
  const groups: SeriesGroup[] = [...byKey.entries()]
    .filter(([, byTime]) => byTime.size > 0)
    .map(([key, byTime]) => ({
      key,
      samples: [...byTime.entries()].sort(([a], [b]) => a - b).map(([t, v]) => ({ t, v })),
    }));
  if (groups.length === 0) return { kind: 'no_data', cause: noSamplesCause(series) };
  return { kind: 'groups', groups };
}

/** A snippet of a response body for a cause: one line, bounded. */
export function snippet(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}...` : line;
}
