/**
 * Prometheus provider: the standard HTTP API (`/api/v1/query_range`, `/api/v1/query`), so Thanos, Mimir,
 * Cortex, VictoriaMetrics and Grafana's Prometheus proxy work too (give their Prometheus-compatible base URL,
 * e.g. `https://mimir.example/prometheus`).
 *
 * `query()` runs a range query over [start, end] (start: the query's, else end - window) so the engine
 * gets a series (one sample a step, each the query's value at that instant) for `sustained`, aggregations
 * and per-step counts (`increase(...[{{step}}])`). Result handling follows Argo Rollouts: exactly one
 * series is the value, none is no data, several need `reduce` on the trigger. With `groupBy` (a
 * histogram's `le`) the answer is one group per value of that label instead.
 */
import {
  providerClient,
  jsonOf,
  describeUrl,
  type HttpOutcome,
  mergeHeaders,
  type ProviderHttpOptions,
} from './http-client.js';
import { type Scrub, scrubber, serverSaid } from '../redact.js';
import { providerSecrets, scrubbed } from './credentials.js';
import type { MetricQuery, MetricResult, MetricsProvider } from './provider.js';
import { defaultStepMs, isoTime, rangeOf, rangeProblem } from './range.js';
import { type RawSeries, type Reduce, snippet, toGroups, toSingleSeries } from './series.js';
import { prometheusDuration, triggerQuery } from './template.js';

export { defaultStepMs } from './range.js';

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
  /** A label to group the series by (`le`); the answer is then `groups` and `reduce` is not used. */
  groupBy?: string | undefined;
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

/**
 * Most points one range query may ask for. Prometheus refuses more than 11 000 with an error that
 * names no trigger; a candidate read from an old deploy at a fine step gets there, so it is refused
 * here first, with the fix in the cause.
 */
const MAX_POINTS = 10_000;

/** Points of a range query: `end` and every step before it back to `start`. */
function pointsOf(startMs: number, endMs: number, stepMs: number): number {
  return Math.floor((endMs - startMs) / stepMs) + 1;
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

function labelsOf(metric: unknown): Record<string, string> {
  if (!isRecord(metric)) return {};
  return Object.fromEntries(Object.entries(metric).map(([k, v]) => [k, String(v)]));
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
        labels: labelsOf(r.metric),
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

/** Why a range query would ask for more points than one query may, or undefined. */
function pointsProblem(startMs: number, endMs: number, stepMs: number, trigger?: string): string | undefined {
  if (!(stepMs > 0)) return `step must be a positive duration, got ${stepMs} ms`;
  const n = pointsOf(startMs, endMs, stepMs);
  if (n <= MAX_POINTS) return undefined;
  const where = trigger === undefined ? 'the step' : `step: on trigger ${trigger} (or on the provider)`;
  const fits = Math.ceil((endMs - startMs) / (MAX_POINTS - 1) / 1000) * 1000;
  return (
    `${isoTime(startMs)} to ${isoTime(endMs)} at a step of ${prometheusDuration(stepMs, 'step')} is ` +
    `${n} points, over the ${MAX_POINTS} one query may ask for (Prometheus refuses 11000): ` +
    `make ${where} at least ${prometheusDuration(fits, 'step')}`
  );
}

function authHint(status: number): string {
  return status === 401 || status === 403 ? ' (check headers, basic_auth or bearer_token)' : '';
}

export function createPrometheusProvider(
  config: PrometheusConfig,
  options: ProviderHttpOptions = {},
): PrometheusProvider {
  const label = `prometheus ${describeUrl(config.url)}`;
  const secrets = providerSecrets(config);
  const scrub: Scrub = scrubber(secrets);
  const http = providerClient(config, label, options, secrets);
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

  function interpret(outcome: HttpOutcome, opts: PrometheusQueryOptions, promql: string): MetricResult {
    if (outcome.kind === 'failure') return { kind: 'no_data', cause: outcome.cause };
    const after = outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : '';
    const json = jsonOf(outcome.body);
    if (isRecord(json) && json.status === 'error') {
      const type = typeof json.errorType === 'string' ? json.errorType : 'unknown';
      const message = typeof json.error === 'string' ? json.error : JSON.stringify(json.error ?? '');
      return {
        kind: 'no_data',
        cause: `${label}: prometheus error ${type} (HTTP ${outcome.status}${after})${serverSaid(message, scrub)}`,
      };
    }
    if (outcome.status < 200 || outcome.status > 299) {
      return {
        kind: 'no_data',
        cause:
          `${label}: HTTP ${outcome.status} ${outcome.statusText}${after}${authHint(outcome.status)}` +
          serverSaid(outcome.body, scrub),
      };
    }
    if (!isRecord(json) || json.status !== 'success') {
      return {
        kind: 'no_data',
        cause: `${label}: the answer is not Prometheus API JSON${serverSaid(outcome.body, scrub)}`,
      };
    }
    const series = seriesOf(json.data);
    if (typeof series === 'string') return { kind: 'no_data', cause: `${label}: ${series}` };
    const result =
      opts.groupBy === undefined ? toSingleSeries(series, opts.reduce) : toGroups(series, opts.groupBy);
    if (result.kind !== 'no_data') return result;
    const warnings = Array.isArray(json.warnings) && json.warnings.length > 0 ? json.warnings.join('; ') : '';
    return {
      kind: 'no_data',
      cause:
        `${label}: ${result.cause}; query: ${snippet(promql, 300)}` +
        (warnings ? serverSaid(`prometheus warnings: ${warnings}`, scrub) : ''),
    };
  }

  async function call(
    path: string,
    params: Record<string, string>,
    promql: string,
    opts: PrometheusQueryOptions,
  ): Promise<MetricResult> {
    const url = endpoint(path);
    // The URL is not quoted: it may carry a password or a token.
    if (url === undefined) return { kind: 'no_data', cause: `${label}: url is not a valid URL` };
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
    return scrubbed(interpret(outcome, opts, promql), scrub);
  }

  const provider: PrometheusProvider = {
    async rangeQuery(promql, range, opts = {}) {
      const tooMany = pointsProblem(range.start.getTime(), range.end.getTime(), range.stepMs);
      if (tooMany !== undefined)
        return { kind: 'no_data', cause: `${label}: range query not sent: ${tooMany}` };
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
      // One step decides both the spacing of the points and `{{step}}`: a count per step is then
      // counted once, never over overlapping windows.
      const stepMs = q.stepMs ?? config.step_ms ?? defaultStepMs(q.windowMs);
      const range = rangeOf(q);
      const problem =
        rangeProblem(range, stepMs) ?? pointsProblem(range.startMs, range.endMs, stepMs, q.trigger);
      if (problem !== undefined) {
        return { kind: 'no_data', cause: `${label}: trigger ${q.trigger}: query not sent: ${problem}` };
      }
      const rendered = triggerQuery(q, label, prometheusDuration, stepMs);
      if (!rendered.ok) return rendered.result;
      // Points land on `end` and every step before it back to the start.
      const start = range.endMs - (pointsOf(range.startMs, range.endMs, stepMs) - 1) * stepMs;
      return provider.rangeQuery(
        rendered.text,
        { start: new Date(start), end: q.end, stepMs },
        { reduce: q.reduce, groupBy: q.groupBy, signal },
      );
    },

    close: () => http.close(),
  };
  return provider;
}
