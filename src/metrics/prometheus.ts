/**
 * Prometheus provider: the standard HTTP API (`/api/v1/query_range`, `/api/v1/query`), so Thanos, Mimir,
 * Cortex, VictoriaMetrics and Grafana's Prometheus proxy work too (give their Prometheus-compatible base URL,
 * e.g. `https://mimir.example/prometheus`).
 *
 * `query()` runs a range query over [end - window, end] so the engine gets a series (one sample a step,
 * each the query's value at that instant) for `sustained` and aggregations. Result handling follows Argo
 * Rollouts: exactly one series is the value, none is no data, several need `reduce` on the trigger.
 */
import {
  providerClient,
  jsonOf,
  describeUrl,
  type HttpOutcome,
  mergeHeaders,
  type ProviderHttpOptions,
} from './fetch.js';
import type { MetricQuery, MetricResult, MetricsProvider } from './provider.js';
import { type RawSeries, type Reduce, snippet, toSingleSeries } from './series.js';
import { prometheusDuration, triggerQuery } from './template.js';

export interface PrometheusConfig {
  type: 'prometheus';
  /** Base URL of the Prometheus HTTP API, without `/api/v1` (a path prefix such as `/prometheus` is kept). */
  url: string;
  /** Extra request headers, e.g. `X-Scope-OrgID` for Mimir/Cortex tenants. */
  headers?: Record<string, string> | undefined;
  /** Sent as `Authorization: Basic ...`; takes precedence over an `Authorization` in `headers`. */
  basic_auth?: { username: string; password: string } | undefined;
  /** Sent as `Authorization: Bearer ...`; takes precedence over an `Authorization` in `headers`. */
  bearer_token?: string | undefined;
  /** Per-request timeout (default 10 000). */
  timeout_ms?: number | undefined;
  /** PEM file of the CA to trust instead of the system roots. */
  ca?: string | undefined;
  insecure_skip_verify?: boolean | undefined;
  /** Range-query resolution when the trigger sets none (default: 60 s, coarser for windows over ~8 h). */
  step_ms?: number | undefined;
  /** POST form-encoded (the default, as Grafana does: no URL length limit) or GET (for read-only proxies). */
  method?: 'GET' | 'POST' | undefined;
}

export interface PrometheusQueryOptions {
  reduce?: Reduce | undefined;
  signal?: AbortSignal | undefined;
}

export interface PrometheusProvider extends MetricsProvider {
  /** `/api/v1/query_range` with a PromQL text as is (no templating). */
  rangeQuery(
    promql: string,
    range: { start: Date; end: Date; stepMs: number },
    options?: PrometheusQueryOptions,
  ): Promise<MetricResult>;
  /** `/api/v1/query` at `time`: one sample per series. */
  instantQuery(promql: string, time: Date, options?: PrometheusQueryOptions): Promise<MetricResult>;
  /** Releases pooled connections (only a TLS agent holds any). */
  close(): Promise<void>;
}

/** Most points a default step yields for one query (Prometheus refuses more than 11 000). */
const MAX_DEFAULT_POINTS = 500;
const DEFAULT_STEP_MS = 60_000;

/** The step used when neither the trigger nor the config sets one. */
export function defaultStepMs(windowMs: number): number {
  return Math.max(
    Math.min(DEFAULT_STEP_MS, windowMs),
    Math.ceil(windowMs / MAX_DEFAULT_POINTS / 1000) * 1000,
  );
}

function seconds(ms: number): string {
  return String(ms / 1000);
}

function formatLabels(metric: unknown): string {
  if (typeof metric !== 'object' || metric === null) return '{}';
  const entries = Object.entries(metric as Record<string, unknown>);
  const name = entries.find(([k]) => k === '__name__')?.[1];
  const labels = entries
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}=${JSON.stringify(String(v))}`)
    .join(',');
  return `${typeof name === 'string' ? name : ''}{${labels}}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `[time, "value"]` pair as Prometheus encodes it; `"NaN"`, `"+Inf"` and `"-Inf"` become non-finite. */
function point(pair: unknown): [number, number] | undefined {
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;
  const [t, v] = pair as [unknown, unknown];
  if (typeof t !== 'number') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const value = v === '+Inf' ? Number.POSITIVE_INFINITY : v === '-Inf' ? Number.NEGATIVE_INFINITY : Number(v);
  return [t, value];
}

function points(list: unknown): Array<[number, number]> {
  if (!Array.isArray(list)) return [];
  return list.map(point).filter((p): p is [number, number] => p !== undefined);
}

/** The series of a successful API answer, or a cause when its `data` is not a numeric result. */
function seriesOf(data: unknown): RawSeries[] | string {
  if (!isRecord(data)) return 'response has no data';
  const { resultType, result } = data;
  switch (resultType) {
    case 'matrix':
    case 'vector':
      if (!Array.isArray(result)) return `response data.result is not a list`;
      return result.filter(isRecord).map((r) => ({
        name: formatLabels(r.metric),
        points: resultType === 'matrix' ? points(r.values) : points([r.value]),
      }));
    case 'scalar': {
      return [{ name: 'scalar', points: points([result]) }];
    }
    case 'string':
      return 'query returned a string, not a number';
    default:
      return `response has an unknown resultType ${JSON.stringify(resultType)}`;
  }
}

function authHint(status: number): string {
  return status === 401 || status === 403 ? ' (check headers, basic_auth or bearer_token)' : '';
}

export function createPrometheusProvider(
  config: PrometheusConfig,
  options: ProviderHttpOptions = {},
): PrometheusProvider {
  const label = `prometheus ${describeUrl(config.url)}`;
  const http = providerClient(config, label, options);
  const method = config.method ?? 'POST';

  const auth: Record<string, string> = {};
  if (config.bearer_token !== undefined) auth.authorization = `Bearer ${config.bearer_token}`;
  if (config.basic_auth !== undefined) {
    const { username, password } = config.basic_auth;
    auth.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  const headers = mergeHeaders(config.headers, auth);

  function endpoint(path: string): string | undefined {
    try {
      const u = new URL(config.url);
      u.pathname = `${u.pathname.replace(/\/+$/, '')}${path}`;
      u.search = '';
      return u.toString();
    } catch {
      return undefined;
    }
  }

  function interpret(outcome: HttpOutcome, reduce: Reduce | undefined, promql: string): MetricResult {
    if (outcome.kind === 'failure') return { kind: 'no_data', cause: outcome.cause };
    const after = outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : '';
    const json = jsonOf(outcome.body);
    if (isRecord(json) && json.status === 'error') {
      const type = typeof json.errorType === 'string' ? json.errorType : 'unknown';
      const message = typeof json.error === 'string' ? json.error : JSON.stringify(json.error);
      return {
        kind: 'no_data',
        cause: `${label}: prometheus error ${type}: ${message} (HTTP ${outcome.status}${after})`,
      };
    }
    if (outcome.status < 200 || outcome.status > 299) {
      return {
        kind: 'no_data',
        cause:
          `${label}: HTTP ${outcome.status} ${outcome.statusText}${after}${authHint(outcome.status)}: ` +
          snippet(outcome.body),
      };
    }
    if (!isRecord(json) || json.status !== 'success') {
      return {
        kind: 'no_data',
        cause: `${label}: the answer is not Prometheus API JSON: ${snippet(outcome.body)}`,
      };
    }
    const series = seriesOf(json.data);
    if (typeof series === 'string') return { kind: 'no_data', cause: `${label}: ${series}` };
    const result = toSingleSeries(series, reduce);
    if (result.kind === 'samples') return result;
    const warnings = Array.isArray(json.warnings) && json.warnings.length > 0 ? json.warnings.join('; ') : '';
    return {
      kind: 'no_data',
      cause:
        `${label}: ${result.cause}; query: ${snippet(promql, 300)}` +
        (warnings ? ` (prometheus warnings: ${warnings})` : ''),
    };
  }

  async function call(
    path: string,
    params: Record<string, string>,
    promql: string,
    opts: PrometheusQueryOptions,
  ): Promise<MetricResult> {
    const url = endpoint(path);
    if (url === undefined)
      return { kind: 'no_data', cause: `${label}: url ${JSON.stringify(config.url)} is invalid` };
    const form = new URLSearchParams({ query: promql, ...params }).toString();
    const outcome =
      method === 'POST'
        ? await http.request(
            {
              url,
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
              body: form,
            },
            opts.signal,
          )
        : await http.request({ url: `${url}?${form}`, method: 'GET', headers }, opts.signal);
    return interpret(outcome, opts.reduce, promql);
  }

  const provider: PrometheusProvider = {
    rangeQuery(promql, range, opts = {}) {
      return call(
        '/api/v1/query_range',
        {
          start: seconds(range.start.getTime()),
          end: seconds(range.end.getTime()),
          step: seconds(range.stepMs),
        },
        promql,
        opts,
      );
    },

    instantQuery(promql, time, opts = {}) {
      return call('/api/v1/query', { time: seconds(time.getTime()) }, promql, opts);
    },

    async query(q: MetricQuery, signal?: AbortSignal): Promise<MetricResult> {
      const rendered = triggerQuery(q, label, prometheusDuration);
      if (!rendered.ok) return rendered.result;
      const promql = rendered.text;
      const stepMs = q.stepMs ?? config.step_ms ?? defaultStepMs(q.windowMs);
      // Points land on `end` and every step before it that fits in the window.
      const end = q.end.getTime();
      const start = end - Math.floor(q.windowMs / stepMs) * stepMs;
      return provider.rangeQuery(
        promql,
        { start: new Date(start), end: q.end, stepMs },
        { reduce: q.reduce, signal },
      );
    },

    close: () => http.close(),
  };
  return provider;
}
