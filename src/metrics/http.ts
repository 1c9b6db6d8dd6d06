/**
 * Generic HTTP JSON provider: calls any JSON API and picks the number(s) out of the answer with a JSONPath
 * expression (RFC 9535, via `jsonpath-rfc9535`: no script evaluation).
 *
 * Templates: `url` (values percent-encoded), `body` (values JSON-escaped: put placeholders inside JSON
 * strings). Besides the common placeholders (see template.ts) these have:
 *   `{{query}}`          the trigger's `query`, itself rendered first (empty when the trigger has none)
 *   `{{trigger}}`        the trigger's name
 *   `{{start}}`, `{{end}}` the range's bounds in unix seconds (start: the query's, else end - window)
 *   `{{window_seconds}}` the window in whole seconds (`{{window}}` renders Prometheus-style, `10m`)
 *   `{{step_seconds}}`   the step in whole seconds (`{{step}}` renders Prometheus-style, `1m`, like
 *                        `{{window}}`, so a PromQL `{{query}}` passed through reads `[{{step}}]`)
 *
 * `select` may match:
 *   - a number or a numeric string: one sample at the window's end;
 *   - an array of numbers (or several matches that are numbers): one sample a minute, the last at the
 *     window's end (as the file provider reads plain numbers);
 *   - an array of `[time, value]` pairs: time in unix seconds (or milliseconds: values past 1e11);
 *   - an array of objects: time and value read from `time_field` (default `time`; seconds, milliseconds or an
 *     ISO 8601 date) and `value_field` (default `value`); without a time field, spread as above.
 * An answer with any value placed rather than timed says `timed: false` (no degraded time is read from it).
 * `null` values are skipped; NaN and infinite values are dropped. Timed samples are kept as the API returns
 * them (not cut to the window: the API was asked for it through `{{start}}`/`{{end}}`).
 *
 * With `groupBy` (a histogram's `le`), `select` must match objects: each object's field named by
 * `groupBy` (a string or number) is its group's key, its time and value are read as above, and objects
 * sharing a key and a time are summed.
 */
import { type JsonValue, query as jsonPathQuery } from 'jsonpath-rfc9535';
import { describeUrl, mergeHeaders, type ProviderHttpOptions, providerClient } from './http-client.js';
import { type Scrub, scrubber, serverSaid } from '../redact.js';
import { providerSecrets, scrubbed } from './credentials.js';
import { checkSelect } from './json-path.js';
import type { MetricQuery, MetricResult, MetricsProvider, Sample } from './provider.js';
import { defaultStepMs, rangeOf, rangeProblem } from './range.js';
import { type RawSeries, snippet, toGroups } from './series.js';
import {
  type HTTP_PLACEHOLDERS,
  prometheusDuration,
  renderQuery,
  secondsDuration,
  templateCause,
  varsOf,
} from './template.js';

export interface HttpJsonConfig {
  type: 'http';
  /** Templated; inserted values are percent-encoded. */
  url: string;
  method?: 'GET' | 'POST' | undefined;
  /** Sent as written (not templated). */
  headers?: Record<string, string> | undefined;
  /** Templated; inserted values are JSON-escaped. Sent as `application/json` unless `headers` say otherwise. */
  body?: string | undefined;
  /** JSONPath (RFC 9535) selecting the value(s), e.g. `$.data.value`. */
  select: string;
  time_field?: string | undefined;
  value_field?: string | undefined;
  timeout_ms?: number | undefined;
  ca?: string | undefined;
  insecure_skip_verify?: boolean | undefined;
}

// Re-exported for test/metrics/http.test.ts until it imports from json-path.js.
export { checkSelect } from './json-path.js';

export interface HttpJsonProvider extends MetricsProvider {
  close(): Promise<void>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isNaN(n) && value.trim() !== 'NaN' ? undefined : n;
  }
  return undefined;
}

function toSeconds(value: unknown): number | undefined {
  if (typeof value === 'string' && !/^\s*[-+]?\d+(\.\d+)?\s*$/.test(value)) {
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : at / 1000;
  }
  const n = toNumber(value);
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return Math.abs(n) > 1e11 ? n / 1000 : n;
}

type Timed = { t: number | undefined; v: number };
type Item = Timed | 'skip' | string;

/** Untimed values are spread one a minute, the newest at the end (as the file provider reads plain numbers). */
function spread(items: readonly Timed[], endS: number): Array<[number, number]> {
  return items.map(({ t, v }, i) => [t ?? endS - (items.length - 1 - i) * 60, v]);
}

/** `{ timed: false }` when spread gave any value its time: the answer's times then say nothing of when. */
function timing(items: readonly Timed[]): { timed?: false } {
  return items.every((item) => item.t !== undefined) ? {} : { timed: false };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value} ${snippet(JSON.stringify(value), 40)}`;
}

export function createHttpJsonProvider(
  config: HttpJsonConfig,
  options: ProviderHttpOptions = {},
): HttpJsonProvider {
  const label = `http ${describeUrl(config.url)}`;
  const secrets = providerSecrets(config);
  const scrub: Scrub = scrubber(secrets);
  const http = providerClient(config, label, options, secrets);
  const method = config.method ?? (config.body === undefined ? 'GET' : 'POST');
  const timeField = config.time_field ?? 'time';
  const valueField = config.value_field ?? 'value';

  function item(node: unknown): Item {
    if (node === null) return 'skip';
    if (Array.isArray(node)) {
      if (node.length !== 2) return `an array of ${node.length} elements (want [time, value])`;
      if (node[1] === null) return 'skip';
      const t = toSeconds(node[0]);
      const v = toNumber(node[1]);
      if (t === undefined || v === undefined)
        return `a pair ${snippet(JSON.stringify(node), 60)} that is not [time, number]`;
      return { t, v };
    }
    if (isRecord(node)) {
      const raw = node[valueField];
      if (raw === null) return 'skip';
      const v = toNumber(raw);
      if (v === undefined) return `an object without a numeric "${valueField}" (set value_field)`;
      if (!(timeField in node)) return { t: undefined, v };
      const t = toSeconds(node[timeField]);
      if (t === undefined) return `an object whose "${timeField}" is not a time`;
      return { t, v };
    }
    const v = toNumber(node);
    if (v === undefined) return describe(node);
    return { t: undefined, v };
  }

  function extract(body: unknown, q: MetricQuery): MetricResult {
    let nodes: unknown[];
    try {
      nodes = jsonPathQuery(body as JsonValue, config.select);
    } catch (error) {
      return {
        kind: 'no_data',
        cause: `${label}: ${checkSelect(config.select) ?? (error instanceof Error ? error.message : String(error))}`,
      };
    }
    if (nodes.length === 0) {
      const keys = isRecord(body) ? ` (top-level keys: ${Object.keys(body).slice(0, 10).join(', ')})` : '';
      return {
        kind: 'no_data',
        cause: `${label}: select ${config.select} matched nothing in the answer${keys}`,
      };
    }
    const list = nodes.length === 1 && Array.isArray(nodes[0]) && !isPair(nodes[0]) ? nodes[0] : nodes;
    if (q.groupBy !== undefined) return extractGroups(list, q, q.groupBy);
    const items: Timed[] = [];
    for (const node of list) {
      const it = item(node);
      if (it === 'skip') continue;
      if (typeof it === 'string') {
        return {
          kind: 'no_data',
          cause: `${label}: select ${config.select} matched ${it}, not a number, [time, value] pairs or objects`,
        };
      }
      items.push(it);
    }
    const samples: Sample[] = spread(items, q.end.getTime() / 1000)
      .map(([t, v]) => ({ t, v }))
      .filter((s) => Number.isFinite(s.v))
      .sort((a, b) => a.t - b.t);
    if (samples.length === 0) {
      return {
        kind: 'no_data',
        cause: `${label}: select ${config.select} matched ${items.length === 0 ? 'only nulls' : 'only NaN or infinite values'}`,
      };
    }
    return { kind: 'samples', samples, ...timing(items) };
  }

  /** Grouped by `groupBy`: every matched node is an object carrying its group's key in that field. */
  function extractGroups(list: readonly unknown[], q: MetricQuery, groupBy: string): MetricResult {
    const byKey = new Map<string, Timed[]>();
    for (const node of list) {
      if (node === null) continue;
      const key = isRecord(node) ? node[groupBy] : undefined;
      if ((typeof key !== 'string' && typeof key !== 'number') || key === '') {
        const found = isRecord(node)
          ? `an object without "${groupBy}": ${snippet(JSON.stringify(node), 80)}`
          : describe(node);
        return {
          kind: 'no_data',
          cause:
            `${label}: select ${config.select} matched ${found}; the trigger is grouped by "${groupBy}", ` +
            `so select must match objects each with a "${groupBy}" field`,
        };
      }
      const it = item(node);
      if (it === 'skip') continue;
      if (typeof it === 'string') {
        return { kind: 'no_data', cause: `${label}: select ${config.select} matched ${it}` };
      }
      const items = byKey.get(String(key));
      if (items) items.push(it);
      else byKey.set(String(key), [it]);
    }
    const endS = q.end.getTime() / 1000;
    const series: RawSeries[] = [...byKey.entries()].map(([key, items]) => ({
      name: `${groupBy}=${key}`,
      labels: { [groupBy]: key },
      points: spread(items, endS),
    }));
    const result = toGroups(series, groupBy);
    if (result.kind !== 'no_data') return { ...result, ...timing([...byKey.values()].flat()) };
    return {
      kind: 'no_data',
      cause: `${label}: select ${config.select} matched ${byKey.size === 0 ? 'only nulls' : 'only NaN or infinite values'}`,
    };
  }

  async function ask(q: MetricQuery, signal?: AbortSignal): Promise<MetricResult> {
    if (method === 'GET' && config.body !== undefined) {
      return {
        kind: 'no_data',
        cause: `${label}: a body needs method: POST (a GET request cannot carry one)`,
      };
    }
    const range = rangeOf(q);
    const stepMs = q.stepMs ?? defaultStepMs(q.windowMs);
    const problem = rangeProblem(range, stepMs);
    if (problem !== undefined) {
      return { kind: 'no_data', cause: `${label}: trigger ${q.trigger}: query not sent: ${problem}` };
    }
    let url: string;
    let body: string | undefined;
    try {
      const base = varsOf(q, stepMs);
      const rendered = q.query === undefined ? '' : renderQuery(q.query, base, prometheusDuration);
      // Typed by the list the policy check reads, so a name added here is known at load too.
      const extra: Record<(typeof HTTP_PLACEHOLDERS)[number], string> = {
        query: rendered,
        trigger: q.trigger,
        start: String(Math.floor(range.startMs / 1000)),
        end: String(Math.ceil(range.endMs / 1000)),
        window_seconds: secondsDuration(q.windowMs),
        step_seconds: secondsDuration(stepMs, 'step'),
      };
      const vars = varsOf(q, stepMs, extra);
      url = renderQuery(config.url, vars, prometheusDuration, { encoding: 'url' });
      body =
        config.body === undefined
          ? undefined
          : renderQuery(config.body, vars, prometheusDuration, { encoding: 'json' });
    } catch (error) {
      return { kind: 'no_data', cause: templateCause(q.trigger, error) };
    }
    const headers = mergeHeaders(
      body === undefined ? {} : { 'content-type': 'application/json' },
      config.headers,
    );
    const outcome = await http.request({ url, method, headers, body }, signal);
    if (outcome.kind === 'failure') return { kind: 'no_data', cause: outcome.cause };
    const after = outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : '';
    if (outcome.status < 200 || outcome.status > 299) {
      return {
        kind: 'no_data',
        cause: `${label}: HTTP ${outcome.status} ${outcome.statusText}${after}${serverSaid(outcome.body, scrub)}`,
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(outcome.body);
    } catch {
      return { kind: 'no_data', cause: `${label}: the answer is not JSON${serverSaid(outcome.body, scrub)}` };
    }
    return extract(json, q);
  }

  return {
    // Every cause scrubbed of the provider's credentials, whichever step wrote it.
    query: async (q, signal) => scrubbed(await ask(q, signal), scrub),
    close: () => http.close(),
  };
}

/**
 * A single `[time, value]` pair rather than a list of two values: two scalars, the first a plausible unix
 * time (after 2001, in seconds or milliseconds). `[0.1, 0.2]` is two values; `[1700000000, "0.5"]` a pair.
 */
function isPair(value: unknown[]): boolean {
  if (value.length !== 2 || value.some((x) => Array.isArray(x) || isRecord(x))) return false;
  const t = toSeconds(value[0]);
  return t !== undefined && t > 1e9;
}
