/**
 * Datadog provider: `GET /api/v1/query?from=&to=&query=` (Query timeseries points) with the
 * `DD-API-KEY` and `DD-APPLICATION-KEY` headers.
 *
 * Answer shapes, from Datadog's published API client (DataDog/datadog-api-client-typescript,
 * packages/datadog-api-client-v1/models/MetricsQueryResponse.ts, MetricsQueryMetadata.ts,
 * APIErrorResponse.ts):
 *   200 `{status: "ok"|"error", error?, res_type, series: [{pointlist: [[ms, value|null], ...], scope,
 *        metric, expression, tag_set, ...}], from_date, to_date, query}`
 *   4xx `{errors: ["..."]}`
 *   429 with `X-RateLimit-Limit`, `-Remaining`, `-Reset` (seconds until the window resets) and `-Period`.
 *
 * `{{window}}` and `{{step}}` render in whole seconds (`600`), as `.rollup(avg, 600)` wants; per-step
 * counts read as `sum:requests.errors{...}.as_count().rollup(sum, {{step}})`. The range read is
 * [start, end] (start: the query's, else end - window).
 *
 * With `groupBy` (a histogram's `le`, queried `... by {le}`) each series is keyed by its tag
 * `le:VALUE`, found in `tag_set` (the group-by tags) or else in `scope`.
 */
import {
  providerClient,
  jsonOf,
  describeUrl,
  type HttpOutcome,
  type ProviderHttpOptions,
} from './http-client.js';
import { type Scrub, scrubber, serverSaid } from '../redact.js';
import { providerSecrets, scrubbed } from './credentials.js';
import type { MetricQuery, MetricResult, MetricsProvider } from './provider.js';
import { defaultStepMs, rangeOf, rangeProblem } from './range.js';
import { type RawSeries, snippet, toGroups, toSingleSeries } from './series.js';
import { secondsDuration, triggerQuery } from './template.js';

/** Datadog returns at most about 1500 points a series; a finer rollup is silently coarsened. */
const MAX_POINTS = 1500;

/**
 * The step `{{step}}` holds when the trigger sets none: Prometheus' default for the window, made
 * coarser when the range would hold more points than Datadog returns, so `{{step}}` matches the
 * spacing of the points Datadog actually answers with.
 */
export function datadogDefaultStepMs(windowMs: number, rangeMs: number): number {
  return Math.max(defaultStepMs(windowMs), Math.ceil(rangeMs / MAX_POINTS / 1000) * 1000);
}

export interface DatadogConfig {
  type: 'datadog';
  /** Datadog site: `datadoghq.com` (default), `us3.datadoghq.com`, `us5.datadoghq.com`, `datadoghq.eu`, `ap1.datadoghq.com`, `ddog-gov.com`. */
  site?: string | undefined;
  api_key: string;
  app_key: string;
  /** Replaces `https://api.<site>` (a proxy, or a fake server in tests). */
  base_url?: string | undefined;
  timeout_ms?: number | undefined;
  ca?: string | undefined;
  insecure_skip_verify?: boolean | undefined;
}

export interface DatadogProvider extends MetricsProvider {
  close(): Promise<void>;
}

/** `https://api.<site>`, tolerating a site given as `app.datadoghq.eu`, `api.datadoghq.eu` or with a scheme. */
export function datadogBaseUrl(config: Pick<DatadogConfig, 'site' | 'base_url'>): string {
  if (config.base_url) return config.base_url.replace(/\/+$/, '');
  const site = (config.site ?? 'datadoghq.com')
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
    .replace(/^(app|api)\./, '');
  return `https://api.${site}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function seriesName(s: Record<string, unknown>, index: number): string {
  for (const key of ['scope', 'expression', 'metric'] as const) {
    const v = s[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return `series ${index}`;
}

/**
 * A series' tags as labels: `scope` (`service:api,version:2.4.0,le:0.25`) first, then `tag_set` over it
 * (the group-by tags). A tag splits at its first colon (`url:http://x` is `url` = `http://x`); a tag
 * without one (`production`) names no label.
 */
function labelsOf(s: Record<string, unknown>): Record<string, string> {
  const tags: string[] = [];
  if (typeof s.scope === 'string') tags.push(...s.scope.split(','));
  if (Array.isArray(s.tag_set)) tags.push(...s.tag_set.filter((t): t is string => typeof t === 'string'));
  const labels: Record<string, string> = {};
  for (const tag of tags) {
    const colon = tag.indexOf(':');
    if (colon > 0) labels[tag.slice(0, colon).trim()] = tag.slice(colon + 1).trim();
  }
  return labels;
}

/** `[[ms, value|null], ...]` to `[seconds, value]`; null points (no data in that interval) are left out. */
function pointsOf(pointlist: unknown): Array<[number, number]> {
  if (!Array.isArray(pointlist)) return [];
  const out: Array<[number, number]> = [];
  for (const p of pointlist) {
    if (!Array.isArray(p) || p.length < 2) continue;
    const [t, v] = p as [unknown, unknown];
    if (typeof t !== 'number' || typeof v !== 'number') continue;
    out.push([t / 1000, v]);
  }
  return out;
}

export function createDatadogProvider(
  config: DatadogConfig,
  options: ProviderHttpOptions = {},
): DatadogProvider {
  const base = datadogBaseUrl(config);
  const label = `datadog ${describeUrl(base)}`;
  const secrets = providerSecrets(config);
  const scrub: Scrub = scrubber(secrets);
  const http = providerClient(config, label, options, secrets);

  function interpret(outcome: HttpOutcome, q: MetricQuery, query: string): MetricResult {
    if (outcome.kind === 'failure') return { kind: 'no_data', cause: outcome.cause };
    const after = outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : '';
    const json = jsonOf(outcome.body);
    if (outcome.status < 200 || outcome.status > 299) {
      const errors =
        isRecord(json) && Array.isArray(json.errors)
          ? `datadog errors: ${json.errors.map(String).join('; ')}`
          : outcome.body;
      const hint =
        outcome.status === 401 || outcome.status === 403 ? ' (check api_key, app_key and site)' : '';
      return {
        kind: 'no_data',
        cause: `${label}: HTTP ${outcome.status} ${outcome.statusText}${after}${hint}${serverSaid(errors, scrub)}`,
      };
    }
    if (!isRecord(json)) {
      return { kind: 'no_data', cause: `${label}: the answer is not JSON${serverSaid(outcome.body, scrub)}` };
    }
    if (json.status === 'error' || (typeof json.error === 'string' && json.error !== '')) {
      return {
        kind: 'no_data',
        cause: `${label}: datadog error${serverSaid(String(json.error ?? 'status error'), scrub)}`,
      };
    }
    if (!Array.isArray(json.series)) {
      return {
        kind: 'no_data',
        cause: `${label}: the answer has no series list${serverSaid(outcome.body, scrub)}`,
      };
    }
    const series: RawSeries[] = json.series
      .filter(isRecord)
      .map((s, i) => ({ name: seriesName(s, i), labels: labelsOf(s), points: pointsOf(s.pointlist) }));
    const result = q.groupBy === undefined ? toSingleSeries(series, q.reduce) : toGroups(series, q.groupBy);
    if (result.kind !== 'no_data') return result;
    return { kind: 'no_data', cause: `${label}: ${result.cause}; query: ${snippet(query, 300)}` };
  }

  return {
    async query(q: MetricQuery, signal?: AbortSignal): Promise<MetricResult> {
      const range = rangeOf(q);
      const stepMs = q.stepMs ?? datadogDefaultStepMs(q.windowMs, range.endMs - range.startMs);
      const problem = rangeProblem(range, stepMs);
      if (problem !== undefined) {
        return { kind: 'no_data', cause: `${label}: trigger ${q.trigger}: query not sent: ${problem}` };
      }
      const rendered = triggerQuery(q, label, secondsDuration, stepMs);
      if (!rendered.ok) return rendered.result;
      const query = rendered.text;
      const to = Math.ceil(range.endMs / 1000);
      const from = Math.floor(range.startMs / 1000);
      const params = new URLSearchParams({ from: String(from), to: String(to), query });
      const outcome = await http.request(
        {
          url: `${base}/api/v1/query?${params.toString()}`,
          method: 'GET',
          headers: { 'DD-API-KEY': config.api_key, 'DD-APPLICATION-KEY': config.app_key },
        },
        signal,
      );
      return scrubbed(interpret(outcome, q, query), scrub);
    },
    close: () => http.close(),
  };
}
