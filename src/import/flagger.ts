/**
 * Flagger's MetricTemplate, with the Canary whose `analysis.metrics` reference it, as pinback
 * triggers (pure). The template gives the provider and the query; the Canary's metric its limits
 * (`thresholdRange {min, max}`, as pinback reads `min` and `max`: a value below min or above max
 * fails), its `interval` (the query's `{{ interval }}`) and its `templateVariables`; the analysis'
 * `interval` is the step and its `threshold` the failed checks it takes (`sustained`).
 *
 * The query's variables (scheduler_metrics.go, toMetricModel) become the trigger's args:
 * `{{ namespace }}` is `{{args.namespace}}` with `args: {namespace: <the Canary's>}`, and so are
 * name, target, service, ingress and route; `{{ variables.X }}` is `{{args.X}}`.
 */
import { type Arg, argOf, ArgTable } from './args.js';
import { type Findings, Refusal } from './findings.js';
import type { Manifest } from './manifests.js';
import type { ArgValues, ImportedService, ImportedTrigger, ProviderValue, TriggerValue } from './model.js';
import {
  durationMs,
  envRef,
  fillPlaceholders,
  isRecord,
  literal,
  policyName,
  showDuration,
  Unfilled,
} from './text.js';

const BUILTIN: Record<string, string> = {
  'request-success-rate':
    'a ratio trigger (ratio: {bad, total} of request counts, with max_increase) judges it on counts, better than a percentage',
  'request-duration':
    'a histogram trigger (histogram: {buckets, quantile: 0.99}, with max_increase) judges it on counts',
};

const ANALYSIS_KEYS = ['interval', 'threshold', 'metrics'];
const METRIC_KEYS = ['name', 'templateRef', 'thresholdRange', 'threshold', 'interval', 'templateVariables'];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function namespaceOf(m: Manifest): string | undefined {
  return isRecord(m.value.metadata) ? str(m.value.metadata.namespace) : undefined;
}

/** The values of Flagger's query variables for one Canary metric. */
function variables(canary: Manifest, metric: Record<string, unknown>, given: ArgValues): Map<string, Arg> {
  const spec = isRecord(canary.value.spec) ? canary.value.spec : {};
  const target = isRecord(spec.targetRef) ? str(spec.targetRef.name) : undefined;
  const service = (isRecord(spec.service) ? str(spec.service.name) : undefined) ?? target;
  const ingress = (isRecord(spec.ingressRef) ? str(spec.ingressRef.name) : undefined) ?? target;
  const route = (isRecord(spec.routeRef) ? str(spec.routeRef.name) : undefined) ?? target;
  const out = new Map<string, Arg>();
  const set = (name: string, value: string | undefined, why: string) =>
    out.set(name, value === undefined ? { kind: 'missing', why } : { kind: 'value', text: value });
  set('name', canary.name || undefined, 'the Canary has no metadata.name');
  set('namespace', namespaceOf(canary), 'the Canary has no metadata.namespace');
  set('target', target, 'the Canary has no spec.targetRef.name');
  set('service', service, 'the Canary has no spec.service.name');
  set('ingress', ingress, 'the Canary has no spec.ingressRef.name');
  set('route', route, 'the Canary has no spec.routeRef.name');
  if (isRecord(metric.templateVariables)) {
    for (const [k, v] of Object.entries(metric.templateVariables))
      out.set(k, { kind: 'value', text: String(v) });
  }
  for (const [k, v] of Object.entries(given)) out.set(k, argOf(v));
  return out;
}

function providerOf(
  template: Manifest,
  findings: Findings,
): { provider: ProviderValue } | { refused: string; path: PropertyKey[] } {
  const spec = isRecord(template.value.spec) ? template.value.spec : {};
  const p = isRecord(spec.provider) ? spec.provider : {};
  const path = ['spec', 'provider'];
  const type = str(p.type) ?? 'prometheus';
  const address = str(p.address);
  let provider: ProviderValue;
  if (type === 'prometheus') {
    if (address) provider = { type, url: literal(address) };
    else {
      findings.needs({
        name: 'PROMETHEUS_URL',
        what: 'the Prometheus URL',
        example: 'http://prometheus:9090',
      });
      findings.changedOnce(
        template,
        path,
        'no address: Flagger queries its own metrics server (-metrics-server); the policy reads the URL from PROMETHEUS_URL',
      );
      provider = { type, url: envRef('PROMETHEUS_URL') };
    }
    if (p.secretRef !== undefined) {
      findings.dropped(
        template,
        [...path, 'secretRef'],
        'pinback reads no Kubernetes secret: add the credentials to the provider, basic_auth: {username: ${PROM_USER}, ' +
          'password: ${PROM_PASSWORD}} or bearer_token: ${PROM_TOKEN}',
      );
    }
  } else if (type === 'datadog') {
    findings.needs({ name: 'DD_API_KEY', what: 'the Datadog API key', example: 'dd-api-key' });
    findings.needs({ name: 'DD_APP_KEY', what: 'the Datadog application key', example: 'dd-app-key' });
    findings.changedOnce(
      template,
      p.secretRef === undefined ? path : [...path, 'secretRef'],
      "the Datadog keys are read from the environment variables DD_API_KEY and DD_APP_KEY (the secret's " +
        'datadog_api_key and datadog_application_key)',
    );
    provider = { type, api_key: envRef('DD_API_KEY'), app_key: envRef('DD_APP_KEY') };
    if (address) {
      const site = address
        .replace(/^https?:\/\//i, '')
        .replace(/\/.*$/, '')
        .replace(/^(api|app)\./, '');
      if (site !== 'datadoghq.com') provider.site = literal(site);
    }
  } else {
    return {
      refused:
        `pinback has no ${type} provider (it reads Prometheus, Datadog and HTTP JSON APIs): ` +
        'write this check as a query of one of them',
      path: [...path, 'type'],
    };
  }
  if (p.insecureSkipVerify === true) provider.insecure_skip_verify = true;
  return { provider };
}

interface CanaryContext {
  canary: Manifest;
  templates: readonly Manifest[];
  findings: Findings;
  args: ArgValues;
  used: Set<Manifest>;
  /** The analysis' interval (the step) and threshold (failed checks before a rollback). */
  step: number | undefined;
  sustained: number;
}

function templateFor(ref: Record<string, unknown>, c: CanaryContext): Manifest | undefined {
  const name = str(ref.name);
  const ns = str(ref.namespace) ?? namespaceOf(c.canary);
  const named = c.templates.filter((t) => t.name === name);
  // A template without a namespace in its file is taken to be in the namespace asked for.
  return (
    named.find((t) => namespaceOf(t) === ns) ?? named.find((t) => namespaceOf(t) === undefined) ?? named[0]
  );
}

function metricTrigger(
  metric: Record<string, unknown>,
  path: PropertyKey[],
  c: CanaryContext,
): ImportedTrigger {
  const { canary, findings } = c;
  for (const k of Object.keys(metric)) {
    if (!METRIC_KEYS.includes(k))
      findings.dropped(canary, [...path, k], 'pinback import does not know this field');
  }
  const name = str(metric.name) ?? `metric-${String(path.at(-1))}`;
  const ref = metric.templateRef;
  if (!isRecord(ref)) {
    const hint = BUILTIN[name];
    throw new Refusal(
      path,
      hint
        ? `${name} is built into Flagger (its query depends on the mesh): write it as a pinback trigger; ${hint}`
        : 'no templateRef: pinback import translates metrics that reference a MetricTemplate',
    );
  }
  const template = templateFor(ref, c);
  if (!template)
    throw new Refusal(
      [...path, 'templateRef'],
      `MetricTemplate ${String(ref.name)} is not among the files given: pass its file too`,
    );
  c.used.add(template);
  const trigger: TriggerValue = {};
  const range = metric.thresholdRange;
  if (isRecord(range) && (typeof range.max === 'number' || typeof range.min === 'number')) {
    if (typeof range.max === 'number') trigger.max = range.max;
    if (typeof range.min === 'number') trigger.min = range.min;
  } else if (typeof metric.threshold === 'number') trigger.max = metric.threshold;
  else throw new Refusal(path, 'no thresholdRange (min or max): a pinback trigger needs a limit');

  const p = providerOf(template, findings);
  if ('refused' in p) throw new Refusal(p.path, p.refused);
  const spec = isRecord(template.value.spec) ? template.value.spec : {};
  if (typeof spec.query !== 'string')
    throw new Refusal(['spec'], `MetricTemplate ${template.name} has no query`);
  const interval = metric.interval;
  const table = new ArgTable(variables(canary, metric, c.args), findings, '');
  let query: string;
  try {
    query = fillPlaceholders(spec.query, (placeholder) => {
      // Flagger writes the metric's interval into the query as it is written (`1m`): a range, not pinback's window.
      if (placeholder === 'interval') {
        if (typeof interval !== 'string')
          throw new Unfilled(`{{ interval }} needs the metric's interval in the Canary`);
        return literal(interval);
      }
      return table.query(
        placeholder.startsWith('variables.') ? placeholder.slice('variables.'.length) : placeholder,
      );
    });
  } catch (e) {
    if (e instanceof Unfilled)
      throw new Refusal(['spec', 'query'], `${e.message} (MetricTemplate ${template.name})`);
    throw e;
  }
  trigger.query = query;
  if (c.sustained > 1) {
    trigger.sustained = c.sustained;
    // The samples `sustained` reads, a step apart, must fit in the window.
    trigger.window = showDuration((c.step ?? 60_000) * c.sustained);
  }
  if (c.step !== undefined) trigger.step = showDuration(c.step);
  if (Object.keys(table.used).length) trigger.args = { ...table.used };
  return {
    name,
    source: `Canary ${canary.name}`,
    origin: `${canary.file}:${canary.at(path).line} Canary ${canary.name}, metric ${name} (MetricTemplate ${template.name}, ${p.provider.type})`,
    was: [`thresholdRange: ${JSON.stringify(range ?? { max: metric.threshold })}`],
    provider: p.provider,
    value: { query: trigger.query, ...trigger },
    versionBlind: !/\{\{\s*(version|stable_version)\s*\}\}/.test(query),
  };
}

function canaryService(
  canary: Manifest,
  c: Omit<CanaryContext, 'canary' | 'step' | 'sustained'>,
  name: string,
) {
  const { findings } = c;
  const spec = isRecord(canary.value.spec) ? canary.value.spec : {};
  const key = isRecord(spec.analysis) ? 'analysis' : 'canaryAnalysis';
  const analysis = isRecord(spec[key]) ? spec[key] : {};
  const at: PropertyKey[] = ['spec', key];
  const step = analysis.interval === undefined ? undefined : durationMs(analysis.interval);
  if (analysis.interval !== undefined && step === undefined)
    findings.dropped(
      canary,
      [...at, 'interval'],
      'not a duration (such as 1m); the step is the provider default',
    );
  const threshold = typeof analysis.threshold === 'number' ? analysis.threshold : 1;
  if (threshold > 1) {
    findings.changed(
      canary,
      [...at, 'threshold'],
      `threshold ${threshold} rolls back after ${threshold} failed checks in all; pinback's sustained: ${threshold} needs ` +
        `the newest ${threshold} samples to breach in a row (a metric that flaps may pass here)`,
    );
  }
  for (const k of Object.keys(analysis)) {
    if (!ANALYSIS_KEYS.includes(k)) {
      findings.dropped(
        canary,
        [...at, k],
        'pinback judges a release that is already deployed (Argo CD or Flux deploys the pin); it ' +
          'shifts no traffic and calls no webhooks',
      );
    }
  }
  const ctx: CanaryContext = { ...c, canary, step, sustained: threshold };
  const triggers: ImportedTrigger[] = [];
  const metrics = Array.isArray(analysis.metrics) ? analysis.metrics : [];
  metrics.forEach((metric: unknown, i) => {
    if (!isRecord(metric)) return;
    const path = [...at, 'metrics', i];
    try {
      triggers.push(metricTrigger(metric, path, ctx));
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      // A refusal inside the MetricTemplate is reported there; the Canary's metric names it.
      const inTemplate = e.path[0] === 'spec' && e.path[1] !== key;
      const template = isRecord(metric.templateRef) ? templateFor(metric.templateRef, ctx) : undefined;
      const where = inTemplate && template ? template : canary;
      findings.dropped(
        where,
        e.path,
        `metric ${String(metric.name)} of Canary ${canary.name} not translated: ${e.message}`,
      );
    }
  });
  if (triggers.length) {
    findings.changed(
      canary,
      [...at, 'metrics'],
      'Flagger halts when a query finds no values; pinback never rolls back for missing data (on_no_data: ' +
        'inconclusive): set on_no_data: stop on a trigger for that',
    );
  }
  return {
    name,
    origin: `${canary.file}:${canary.at([]).line} Canary ${canary.name}`,
    triggers,
  };
}

export interface FlaggerInput {
  templates: readonly Manifest[];
  canaries: readonly Manifest[];
  args: ArgValues;
  /** The service's name when there is one Canary (else each Canary's own name). */
  service?: string | undefined;
}

/** One service per Canary; a MetricTemplate no Canary uses has no limits to translate. */
export function flaggerServices(input: FlaggerInput, findings: Findings): ImportedService[] {
  const used = new Set<Manifest>();
  const single = input.canaries.length === 1 ? input.service : undefined;
  const services = input.canaries.map((canary) =>
    canaryService(
      canary,
      { templates: input.templates, findings, args: input.args, used },
      single ?? policyName(canary.name, 'canary'),
    ),
  );
  for (const t of input.templates) {
    if (!used.has(t)) {
      findings.dropped(
        t,
        [],
        `MetricTemplate ${t.name} not translated: its limits (thresholdRange) are in a Canary's analysis.metrics, ` +
          'and no Canary among the files given references it: pass the Canary too',
      );
    }
  }
  return services;
}
