/**
 * Argo Rollouts' metric providers as pinback providers (pure): `prometheus`, `datadog` and `web`
 * (pinback's `http`). A field with no counterpart is listed; one the metric cannot do without
 * refuses the metric.
 */
import { httpUrlProblem } from '../config/values.js';
import { checkSelect } from '../metrics/json-path.js';
import type { ArgTable } from './args.js';
import { showPath, type Segment } from './condition.js';
import { type Findings, Refusal } from './findings.js';
import type { Manifest } from './manifests.js';
import type { ProviderValue, TriggerValue } from './model.js';
import { durationMs, envRef, fillPlaceholders, isRecord, showDuration, Unfilled } from './text.js';

export interface ProviderContext {
  m: Manifest;
  /** The path of the provider's settings: `spec.metrics[0].provider.prometheus`. */
  path: PropertyKey[];
  findings: Findings;
  args: ArgTable;
  metric: string;
  /** The value the conditions read (`result[0]`, `result.data.ok`). */
  reads: Segment[];
}

/** How a placeholder is written: kept as `{{args.NAME}}`, written out, or written out where pinback templates. */
type Filler = 'query' | 'setting' | 'template';

export interface ProviderOut {
  provider: ProviderValue;
  query: string;
  /** What the provider says about the trigger (`window`, `aggregate`). */
  trigger: TriggerValue;
}

function fill(ctx: ProviderContext, key: PropertyKey[], text: unknown, how: Filler): string {
  if (typeof text !== 'string' && typeof text !== 'number')
    throw new Refusal([...ctx.path, ...key], `expected text, found ${JSON.stringify(text)}`);
  try {
    return fillPlaceholders(String(text), ctx.args[how]);
  } catch (e) {
    if (e instanceof Unfilled) throw new Refusal([...ctx.path, ...key], e.message);
    throw e;
  }
}

function url(ctx: ProviderContext, key: string, value: unknown, how: Filler): string {
  if (value === undefined) throw new Refusal(ctx.path, `no ${key}: pinback needs the URL to query`);
  const text = fill(ctx, [key], value, how);
  // Checked as the policy loader will check it (`$$` is how a `$` of the source is written).
  const problem = httpUrlProblem(text.split('$$').join('$'), 'http://prometheus:9090');
  if (problem) throw new Refusal([...ctx.path, key], `${JSON.stringify(text)}: ${problem}`);
  return text;
}

/** `headers: [{key, value}]` as a map; values written out (pinback sends headers as written). */
function headersOf(ctx: ProviderContext, value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new Refusal([...ctx.path, 'headers'], 'expected a list of {key, value}');
  const out: Record<string, string> = {};
  value.forEach((h: unknown, i) => {
    if (!isRecord(h) || typeof h.key !== 'string')
      throw new Refusal([...ctx.path, 'headers', i], 'expected {key, value}');
    out[h.key] = fill(ctx, ['headers', i, 'value'], h.value ?? '', 'setting');
  });
  return out;
}

function seconds(ctx: ProviderContext, key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(fill(ctx, [key], value, 'setting')) : value;
  if (typeof n !== 'number' || !(n > 0)) {
    ctx.findings.dropped(
      ctx.m,
      [...ctx.path, key],
      `expected a number of seconds; the provider's default applies`,
    );
    return undefined;
  }
  return `${n}s`;
}

function unknownKeys(ctx: ProviderContext, spec: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(spec)) {
    if (!known.includes(k))
      ctx.findings.dropped(ctx.m, [...ctx.path, k], 'pinback import does not know this setting');
  }
}

function onlyOneValue(ctx: ProviderContext, what: string): void {
  if (ctx.reads.length > 1 || (ctx.reads.length === 1 && ctx.reads[0] !== 0))
    throw new Refusal(
      ctx.path,
      `the condition reads ${showPath(ctx.reads)}: ${what} answers one number (result or result[0])`,
    );
}

export function prometheusOf(ctx: ProviderContext, spec: Record<string, unknown>): ProviderOut {
  unknownKeys(ctx, spec, [
    'address',
    'query',
    'timeout',
    'headers',
    'insecure',
    'authentication',
    'rangeQuery',
  ]);
  onlyOneValue(ctx, 'a Prometheus query');
  if (spec.rangeQuery !== undefined) {
    throw new Refusal(
      [...ctx.path, 'rangeQuery'],
      "pinback reads every query over the trigger's window already: write it as an instant query, with aggregate: max " +
        '(all values below a max) or min',
    );
  }
  if (typeof spec.query !== 'string') throw new Refusal(ctx.path, 'no query');
  const provider: ProviderValue = { type: 'prometheus', url: url(ctx, 'address', spec.address, 'setting') };
  const timeout = seconds(ctx, 'timeout', spec.timeout);
  if (timeout) provider.timeout = timeout;
  const headers = headersOf(ctx, spec.headers);
  if (headers) provider.headers = headers;
  if (spec.insecure === true) provider.insecure_skip_verify = true;
  const auth = spec.authentication;
  if (isRecord(auth)) {
    for (const [kind, value] of Object.entries(auth)) {
      const at = [...ctx.path, 'authentication', kind];
      if (kind === 'basicAuth' && isRecord(value)) {
        provider.basic_auth = {
          username: fill(ctx, ['authentication', kind, 'username'], value.username ?? '', 'setting'),
          password: fill(ctx, ['authentication', kind, 'password'], value.password ?? '', 'setting'),
        };
      } else {
        ctx.findings.dropped(
          ctx.m,
          at,
          `pinback cannot authenticate with ${kind} (it sends headers, basic_auth or a bearer_token): ` +
            'the provider is written without it; put a proxy that signs the requests in front, or a token in headers',
        );
      }
    }
  }
  return { provider, query: fill(ctx, ['query'], spec.query, 'query'), trigger: {} };
}

const DATADOG_AGGREGATES: Record<string, string | undefined> = {
  last: undefined,
  avg: 'mean',
  mean: 'mean',
  min: 'min',
  max: 'max',
};

/** Datadog v2's `queries` and `formula` as one v1 query: each name replaced by its query. */
function datadogQuery(ctx: ProviderContext, spec: Record<string, unknown>): string {
  if (typeof spec.query === 'string') return fill(ctx, ['query'], spec.query, 'query');
  if (!isRecord(spec.queries)) throw new Refusal(ctx.path, 'no query or queries');
  const queries = Object.entries(spec.queries).map(
    ([name, q]) => [name, fill(ctx, ['queries', name], q, 'query')] as const,
  );
  if (spec.formula === undefined) {
    if (queries.length !== 1)
      throw new Refusal([...ctx.path, 'queries'], 'several queries need a formula to become one value');
    return queries[0]![1];
  }
  if (typeof spec.formula !== 'string') throw new Refusal([...ctx.path, 'formula'], 'expected text');
  // Longest names first, whole words only, so a query named `a` does not eat the `a` of `abs(`.
  const byLength = [...queries].sort((x, y) => y[0].length - x[0].length);
  const pattern = new RegExp(
    `\\b(${byLength.map(([n]) => n.replace(/[^A-Za-z0-9_]/g, '\\$&')).join('|')})\\b`,
    'g',
  );
  const named = new Map(queries);
  const formula = fill(ctx, ['formula'], spec.formula, 'query');
  ctx.findings.changed(
    ctx.m,
    [...ctx.path, 'formula'],
    "queries and formula are written as one Datadog query (pinback reads Datadog's /api/v1/query, which computes " +
      "formulas itself): check it in Datadog's query editor",
  );
  return formula.replace(pattern, (name) => named.get(name)!);
}

export function datadogOf(ctx: ProviderContext, spec: Record<string, unknown>): ProviderOut {
  unknownKeys(ctx, spec, [
    'apiVersion',
    'interval',
    'query',
    'queries',
    'formula',
    'aggregator',
    'secretRef',
    'requestTimeout',
  ]);
  onlyOneValue(ctx, 'a Datadog query');
  const query = datadogQuery(ctx, spec);
  ctx.findings.needs({ name: 'DD_API_KEY', what: 'the Datadog API key', example: 'dd-api-key' });
  ctx.findings.needs({ name: 'DD_APP_KEY', what: 'the Datadog application key', example: 'dd-app-key' });
  ctx.findings.changedOnce(
    ctx.m,
    spec.secretRef === undefined ? ctx.path : [...ctx.path, 'secretRef'],
    'the Datadog keys are read from the environment variables DD_API_KEY and DD_APP_KEY (the api-key and app-key ' +
      "of Argo Rollouts' datadog secret); set site: on the provider when its address is not api.datadoghq.com",
  );
  const provider: ProviderValue = {
    type: 'datadog',
    api_key: envRef('DD_API_KEY'),
    app_key: envRef('DD_APP_KEY'),
  };
  if (spec.requestTimeout !== undefined) {
    const ms = durationMs(spec.requestTimeout);
    if (ms) provider.timeout = showDuration(ms);
    else
      ctx.findings.dropped(
        ctx.m,
        [...ctx.path, 'requestTimeout'],
        'not a duration; the default timeout applies',
      );
  }
  // Argo Rollouts queries Datadog over the last `interval` (default 5m): the trigger's window.
  const trigger: TriggerValue = {};
  const window = spec.interval === undefined ? 300_000 : durationMs(spec.interval);
  if (window) trigger.window = showDuration(window);
  else
    ctx.findings.dropped(
      ctx.m,
      [...ctx.path, 'interval'],
      "not a duration; the trigger's window is pinback's default",
    );
  if (typeof spec.aggregator === 'string') {
    const a = spec.aggregator;
    if (a in DATADOG_AGGREGATES) {
      if (DATADOG_AGGREGATES[a]) trigger.aggregate = DATADOG_AGGREGATES[a];
    } else {
      ctx.findings.dropped(
        ctx.m,
        [...ctx.path, 'aggregator'],
        `pinback has no ${a} aggregate (it has last, mean, max, min and p50/p90/p95/p99 of the window): the trigger reads the last point`,
      );
    }
  }
  return { provider, query, trigger };
}

/** Kubernetes' `{$.data}` JSONPath, plus what the condition reads of it, as RFC 9535: `$.data.ok`. */
function selectOf(ctx: ProviderContext, jsonPath: unknown): string {
  let base = '$';
  if (jsonPath !== undefined) {
    if (typeof jsonPath !== 'string') throw new Refusal([...ctx.path, 'jsonPath'], 'expected text');
    base = jsonPath
      .trim()
      .replace(/^\{(.*)\}$/s, '$1')
      .trim();
    if (!base.startsWith('$')) base = `$.${base.replace(/^\./, '')}`;
  }
  const tail = ctx.reads
    .map((s) =>
      typeof s === 'number'
        ? `[${s}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s)
          ? `.${s}`
          : `[${JSON.stringify(s)}]`,
    )
    .join('');
  const select = `${base}${tail}`;
  const problem = checkSelect(select);
  if (problem)
    throw new Refusal([...ctx.path, 'jsonPath'], `${problem} (as RFC 9535 JSONPath, which pinback reads)`);
  return select;
}

export function webOf(ctx: ProviderContext, spec: Record<string, unknown>): ProviderOut {
  unknownKeys(ctx, spec, [
    'url',
    'method',
    'headers',
    'body',
    'jsonBody',
    'jsonPath',
    'timeoutSeconds',
    'insecure',
    'authentication',
  ]);
  const method = typeof spec.method === 'string' ? spec.method.toUpperCase() : 'GET';
  if (method !== 'GET' && method !== 'POST')
    throw new Refusal([...ctx.path, 'method'], `pinback's http provider sends GET or POST, not ${method}`);
  const provider: ProviderValue = { type: 'http', url: url(ctx, 'url', spec.url, 'template') };
  if (method === 'POST') provider.method = 'POST';
  const headers = headersOf(ctx, spec.headers);
  if (headers) provider.headers = headers;
  if (spec.body !== undefined) provider.body = fill(ctx, ['body'], spec.body, 'template');
  if (spec.jsonBody !== undefined) {
    // Each string of the JSON body is filled, then the whole is sent as its JSON text.
    const walk = (v: unknown, at: PropertyKey[]): unknown =>
      typeof v === 'string'
        ? fill(ctx, at, v, 'template')
        : Array.isArray(v)
          ? v.map((x, i) => walk(x, [...at, i]))
          : isRecord(v)
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...at, k])]))
            : v;
    provider.body = JSON.stringify(walk(spec.jsonBody, ['jsonBody']));
  }
  provider.select = selectOf(ctx, spec.jsonPath);
  const timeout = seconds(ctx, 'timeoutSeconds', spec.timeoutSeconds);
  if (timeout) provider.timeout = timeout;
  if (spec.insecure === true) provider.insecure_skip_verify = true;
  if (spec.authentication !== undefined) {
    ctx.findings.dropped(
      ctx.m,
      [...ctx.path, 'authentication'],
      'pinback cannot fetch an OAuth2 token: the provider is written without it; put the token in headers (Authorization: Bearer ${TOKEN})',
    );
  }
  // The http provider sends no query of its own unless its url or body says {{query}}; the trigger names the metric.
  return { provider, query: ctx.metric, trigger: {} };
}
