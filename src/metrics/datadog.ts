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
 * `{{window}}` renders in whole seconds (`600`), as `.rollup(avg, 600)` wants.
 */
import { providerClient, jsonOf, describeUrl, type HttpOutcome, type ProviderHttpOptions } from './fetch.js';
import type { MetricQuery, MetricResult, MetricsProvider } from './provider.js';
import { type RawSeries, snippet, toSingleSeries } from './series.js';
import { secondsDuration, triggerQuery } from './template.js';

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
  const http = providerClient(config, label, options);

  function interpret(outcome: HttpOutcome, q: MetricQuery, query: string): MetricResult {
    if (outcome.kind === 'failure') return { kind: 'no_data', cause: outcome.cause };
    const after = outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : '';
    const json = jsonOf(outcome.body);
    if (outcome.status < 200 || outcome.status > 299) {
      const errors =
        isRecord(json) && Array.isArray(json.errors)
          ? `datadog errors: ${json.errors.map(String).join('; ')}`
          : '';
      const hint =
        outcome.status === 401 || outcome.status === 403 ? ' (check api_key, app_key and site)' : '';
      return {
        kind: 'no_data',
        cause: `${label}: HTTP ${outcome.status} ${outcome.statusText}${after}${hint}: ${errors || snippet(outcome.body)}`,
      };
    }
    if (!isRecord(json)) {
      return { kind: 'no_data', cause: `${label}: the answer is not JSON: ${snippet(outcome.body)}` };
    }
    if (json.status === 'error' || (typeof json.error === 'string' && json.error !== '')) {
      return { kind: 'no_data', cause: `${label}: datadog error: ${String(json.error ?? 'status error')}` };
    }
    if (!Array.isArray(json.series)) {
      return { kind: 'no_data', cause: `${label}: the answer has no series list: ${snippet(outcome.body)}` };
    }
    const series: RawSeries[] = json.series
      .filter(isRecord)
      .map((s, i) => ({ name: seriesName(s, i), points: pointsOf(s.pointlist) }));
    const result = toSingleSeries(series, q.reduce);
    if (result.kind === 'samples') return result;
    return { kind: 'no_data', cause: `${label}: ${result.cause}; query: ${snippet(query, 300)}` };
  }

  return {
    async query(q: MetricQuery, signal?: AbortSignal): Promise<MetricResult> {
      const rendered = triggerQuery(q, label, secondsDuration);
      if (!rendered.ok) return rendered.result;
      const query = rendered.text;
      const to = Math.ceil(q.end.getTime() / 1000);
      const from = Math.floor((q.end.getTime() - q.windowMs) / 1000);
      const params = new URLSearchParams({ from: String(from), to: String(to), query });
      const outcome = await http.request(
        {
          url: `${base}/api/v1/query?${params.toString()}`,
          method: 'GET',
          headers: { 'DD-API-KEY': config.api_key, 'DD-APPLICATION-KEY': config.app_key },
        },
        signal,
      );
      return interpret(outcome, q, query);
    },
    close: () => http.close(),
  };
}
