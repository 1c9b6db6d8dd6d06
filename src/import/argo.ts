/**
 * Argo Rollouts' AnalysisTemplate and ClusterAnalysisTemplate as pinback triggers (pure).
 *
 * A metric becomes one trigger: its provider (prometheus, datadog, web) a pinback provider, its
 * conditions a max and/or a min (condition.ts), `failureLimit` the breaching samples in a row it
 * takes (`sustained`), `interval` the step. Whatever pinback does otherwise (a count of
 * measurements, an initial delay, error and inconclusive limits) is listed with the reason.
 * A Rollout among the files gives the service its name and the args their values.
 */
import { type Arg, argOf, ArgTable, secretArg } from './args.js';
import { datadogOf, type ProviderContext, type ProviderOut, prometheusOf, webOf } from './argo-providers.js';
import { judgementOf, showPath } from './condition.js';
import { type Findings, Refusal } from './findings.js';
import type { Manifest } from './manifests.js';
import type { ArgValues, ImportedTrigger, TriggerValue } from './model.js';
import { durationMs, fillPlaceholders, isRecord, showDuration, Unfilled } from './text.js';

export const ARGO_TEMPLATE_KINDS = ['AnalysisTemplate', 'ClusterAnalysisTemplate'];

const METRIC_KEYS = [
  'name',
  'interval',
  'initialDelay',
  'count',
  'successCondition',
  'failureCondition',
  'failureLimit',
  'inconclusiveLimit',
  'consecutiveErrorLimit',
  'consecutiveSuccessLimit',
  'provider',
];

const PROVIDERS: Record<string, (ctx: ProviderContext, spec: Record<string, unknown>) => ProviderOut> = {
  prometheus: prometheusOf,
  datadog: datadogOf,
  web: webOf,
};

/** The values a Rollout passes to its analyses (`value:` only; the rest is read from the cluster). */
export function rolloutArgs(m: Manifest, findings: Findings): Map<string, string> {
  const out = new Map<string, string>();
  const spec = isRecord(m.value.spec) ? m.value.spec : {};
  const strategy = isRecord(spec.strategy) ? spec.strategy : {};
  const places: Array<[unknown, PropertyKey[]]> = [];
  const canary = isRecord(strategy.canary) ? strategy.canary : undefined;
  if (canary) {
    places.push([canary.analysis, ['spec', 'strategy', 'canary', 'analysis']]);
    if (Array.isArray(canary.steps)) {
      canary.steps.forEach((step: unknown, i) => {
        if (isRecord(step))
          places.push([step.analysis, ['spec', 'strategy', 'canary', 'steps', i, 'analysis']]);
      });
    }
  }
  const blueGreen = isRecord(strategy.blueGreen) ? strategy.blueGreen : undefined;
  for (const k of ['prePromotionAnalysis', 'postPromotionAnalysis']) {
    if (blueGreen) places.push([blueGreen[k], ['spec', 'strategy', 'blueGreen', k]]);
  }
  for (const [analysis, path] of places) {
    if (!isRecord(analysis) || !Array.isArray(analysis.args)) continue;
    analysis.args.forEach((a: unknown, i) => {
      if (!isRecord(a) || typeof a.name !== 'string') return;
      if (a.value !== undefined) out.set(a.name, String(a.value));
      else if (a.valueFrom !== undefined) {
        findings.dropped(
          m,
          [...path, 'args', i, 'valueFrom'],
          `args.${a.name} is read from the cluster (${Object.keys(isRecord(a.valueFrom) ? a.valueFrom : {}).join(', ')}): ` +
            `pinback has no cluster to read; pass --arg ${a.name}=VALUE, or --arg ${a.name}={{version}} where the ` +
            "metric carries the pin's version",
        );
      }
    });
  }
  return out;
}

function argTable(
  m: Manifest,
  given: ArgValues,
  fromRollout: ReadonlyMap<string, string>,
  findings: Findings,
): ArgTable {
  const table = new Map<string, Arg>();
  const spec = m.value.spec as Record<string, unknown>;
  const declared = Array.isArray(spec.args) ? spec.args : [];
  declared.forEach((a: unknown, i) => {
    if (!isRecord(a) || typeof a.name !== 'string') return;
    const path = ['spec', 'args', i];
    if (a.value !== undefined) table.set(a.name, { kind: 'value', text: String(a.value) });
    else if (isRecord(a.valueFrom) && isRecord(a.valueFrom.secretKeyRef))
      table.set(a.name, secretArg(a.name, a.valueFrom.secretKeyRef, m, [...path, 'valueFrom']));
    else table.set(a.name, { kind: 'missing', why: 'the Rollout passes it' });
  });
  for (const [name, value] of fromRollout) table.set(name, { kind: 'value', text: value });
  for (const [name, value] of Object.entries(given)) table.set(name, argOf(value));
  return new ArgTable(table, findings, 'args.');
}

/** `failureLimit` (IntOrString, maybe an argument) as a number. */
function limitNumber(value: unknown, args: ArgTable): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  try {
    const text = fillPlaceholders(value, args.plain, (t) => t);
    return /^-?\d+$/.test(text.trim()) ? Number(text) : undefined;
  } catch (e) {
    if (e instanceof Unfilled) return undefined;
    throw e;
  }
}

function conditionText(value: unknown, path: PropertyKey[], args: ArgTable): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Refusal(path, 'expected an expression');
  try {
    return fillPlaceholders(value, args.plain, (t) => t);
  } catch (e) {
    if (e instanceof Unfilled) throw new Refusal(path, e.message);
    throw e;
  }
}

interface MetricContext {
  m: Manifest;
  path: PropertyKey[];
  findings: Findings;
  args: ArgTable;
  dryRun: RegExp[];
}

/** One metric as a trigger, or undefined (and the reason noted) when it cannot be one. */
function metricTrigger(metric: Record<string, unknown>, c: MetricContext): ImportedTrigger | undefined {
  const { m, path, findings } = c;
  const name = typeof metric.name === 'string' ? metric.name : `metric-${String(path.at(-1))}`;
  try {
    for (const k of Object.keys(metric)) {
      if (!METRIC_KEYS.includes(k))
        findings.dropped(m, [...path, k], 'pinback import does not know this field');
    }
    const provider = isRecord(metric.provider) ? metric.provider : {};
    const kinds = Object.keys(provider);
    if (kinds.length !== 1) throw new Refusal([...path, 'provider'], 'expected exactly one provider');
    const kind = kinds[0]!;
    const translate = PROVIDERS[kind];
    if (!translate) {
      throw new Refusal(
        [...path, 'provider', kind],
        `pinback has no ${kind} provider (it reads Prometheus, Datadog and HTTP JSON APIs): ` +
          'write this check as a query of one of them',
      );
    }
    const success = conditionText(metric.successCondition, [...path, 'successCondition'], c.args);
    const failure = conditionText(metric.failureCondition, [...path, 'failureCondition'], c.args);
    const judged = judgementOf(success, failure);
    if (!judged.ok)
      throw new Refusal(judged.field === 'metric' ? path : [...path, judged.field], judged.reason);
    const j = judged.judgement;
    const conditionPath = [...path, failure !== undefined ? 'failureCondition' : 'successCondition'];
    for (const text of j.changed) findings.changed(m, conditionPath, text);

    const out = translate(
      {
        m,
        path: [...path, 'provider', kind],
        findings,
        args: c.args,
        metric: name,
        reads: j.path,
      },
      isRecord(provider[kind]) ? provider[kind] : {},
    );

    const trigger: TriggerValue = { query: out.query };
    if (j.max !== undefined) trigger.max = j.max;
    if (j.min !== undefined) trigger.min = j.min;
    const timing = timingOf(metric, c, kind);
    Object.assign(trigger, timing, out.trigger);
    if (j.onNoData) trigger.on_no_data = j.onNoData;
    if (c.dryRun.some((r) => r.test(name))) {
      trigger.action = 'alert';
      findings.changed(
        m,
        ['spec', 'dryRun'],
        `${name} runs in dry-run: the trigger has action: alert (an incident and a notification, never a rollback)`,
      );
    }
    if (Object.keys(c.args.used).length) trigger.args = { ...c.args.used };
    const was = [success && `successCondition: ${success}`, failure && `failureCondition: ${failure}`].filter(
      (x): x is string => typeof x === 'string',
    );
    return {
      name,
      source: `${m.kind} ${m.name}`,
      origin: `${m.file}:${m.at(path).line} ${m.kind} ${m.name}, metric ${name} (${kind}, reads ${showPath(j.path)})`,
      was,
      provider: out.provider,
      value: trigger,
      versionBlind: !/\{\{\s*(version|stable_version)\s*\}\}/.test(
        `${out.query} ${String(out.provider.url ?? '')} ${String(out.provider.body ?? '')}`,
      ),
    };
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    findings.dropped(m, e.path, `metric ${name} not translated: ${e.message}`);
    return undefined;
  }
}

/** `interval`, `failureLimit` and their neighbours: the trigger's step, sustained and window. */
function timingOf(metric: Record<string, unknown>, c: MetricContext, kind: string): TriggerValue {
  const { m, path, findings } = c;
  const out: TriggerValue = {};
  const step = metric.interval === undefined ? undefined : durationMs(metric.interval);
  if (metric.interval !== undefined && step === undefined)
    findings.dropped(
      m,
      [...path, 'interval'],
      'not a duration (such as 5m); the step is the provider default',
    );
  const limit = metric.failureLimit === undefined ? 0 : limitNumber(metric.failureLimit, c.args);
  if (limit === undefined) throw new Refusal([...path, 'failureLimit'], 'expected a whole number');
  if (limit < 0) {
    throw new Refusal(
      [...path, 'failureLimit'],
      'failureLimit -1 never fails the analysis on failed measurements (it waits for consecutiveSuccessLimit): ' +
        'there is no rollback to translate',
    );
  }
  const sustained = limit + 1;
  if (sustained > 1 && kind === 'web') {
    findings.changed(
      m,
      [...path, 'failureLimit'],
      `an HTTP endpoint answers one value a run, so pinback cannot count ${sustained} failures across runs: ` +
        `this trigger breaches on the first failing answer (Argo Rollouts allowed ${limit})`,
    );
  } else if (sustained > 1) {
    out.sustained = sustained;
    findings.changed(
      m,
      [...path, 'failureLimit'],
      `failureLimit ${limit} fails after ${sustained} failed measurements in all; pinback's sustained: ${sustained} ` +
        `needs the newest ${sustained} samples to breach in a row (a metric that flaps may pass here)`,
    );
  }
  if (step !== undefined) {
    out.step = showDuration(step);
    // The samples `sustained` reads must fit in the window; a Prometheus query is read a step apart.
    if (kind === 'prometheus') out.window = showDuration(step * sustained);
  }
  if (metric.count !== undefined) {
    const count = Number(metric.count);
    const delay = durationMs(metric.initialDelay) ?? 0;
    const total = step !== undefined && count > 0 ? showDuration(delay + count * step) : undefined;
    findings.dropped(
      m,
      [...path, 'count'],
      `pinback counts no measurements: it judges a candidate until the service's guard_window ends (default 2h)` +
        (total
          ? `; set guard_window: ${total} on the service to judge as long as these ${count} measurements`
          : ''),
    );
  }
  if (metric.initialDelay !== undefined) {
    findings.dropped(
      m,
      [...path, 'initialDelay'],
      'pinback has no per-trigger delay: it reads from the deploy on; keep sustained above 1 (or min_count) so ' +
        'that the first samples alone cannot stop',
    );
  }
  if (metric.consecutiveErrorLimit !== undefined) {
    findings.dropped(
      m,
      [...path, 'consecutiveErrorLimit'],
      'pinback counts no errors: a query that fails is no data, which never rolls back (on_no_data: inconclusive) ' +
        'unless the trigger says on_no_data: stop',
    );
  }
  if (metric.inconclusiveLimit !== undefined) {
    findings.dropped(
      m,
      [...path, 'inconclusiveLimit'],
      'pinback has no inconclusive count: inconclusive never rolls back',
    );
  }
  if (metric.consecutiveSuccessLimit !== undefined) {
    findings.dropped(
      m,
      [...path, 'consecutiveSuccessLimit'],
      "pinback needs no successes to finish: a candidate is judged until the service's guard_window ends",
    );
  }
  return out;
}

/** `dryRun: [{metricName}]`: regular expressions over the metric names (Argo Rollouts matches them whole). */
function dryRunOf(m: Manifest, spec: Record<string, unknown>, findings: Findings): RegExp[] {
  if (!Array.isArray(spec.dryRun)) return [];
  const out: RegExp[] = [];
  spec.dryRun.forEach((d: unknown, i) => {
    const pattern = isRecord(d) ? d.metricName : undefined;
    try {
      if (typeof pattern !== 'string') throw new Error('no metricName');
      out.push(new RegExp(`^(?:${pattern})$`));
    } catch (e) {
      findings.dropped(m, ['spec', 'dryRun', i], `a metricName pattern: ${(e as Error).message}`);
    }
  });
  return out;
}

export interface ArgoInput {
  templates: readonly Manifest[];
  rollouts: readonly Manifest[];
  args: ArgValues;
}

/** Every metric of every template, as triggers; the rest as findings. */
export function argoTriggers(input: ArgoInput, findings: Findings): ImportedTrigger[] {
  const fromRollouts = new Map<string, string>();
  for (const r of input.rollouts) for (const [k, v] of rolloutArgs(r, findings)) fromRollouts.set(k, v);
  const names = new Set(input.templates.map((t) => t.name));
  const triggers: ImportedTrigger[] = [];
  for (const m of input.templates) {
    const spec = isRecord(m.value.spec) ? m.value.spec : {};
    m.value.spec = spec;
    const dryRun = dryRunOf(m, spec, findings);
    if (spec.measurementRetention !== undefined) {
      findings.dropped(
        m,
        ['spec', 'measurementRetention'],
        'pinback keeps no measurements: the evidence goes into the commit, the incident and the report',
      );
    }
    if (Array.isArray(spec.templates)) {
      spec.templates.forEach((t: unknown, i) => {
        const ref = isRecord(t) ? t.templateName : undefined;
        if (typeof ref === 'string' && !names.has(ref)) {
          findings.dropped(
            m,
            ['spec', 'templates', i],
            `template ${ref} is not among the files given: pass its file too`,
          );
        }
      });
    }
    const metrics = Array.isArray(spec.metrics) ? spec.metrics : [];
    metrics.forEach((metric: unknown, i) => {
      if (!isRecord(metric)) return;
      // Each metric has the template's args afresh: `used` is what its own query kept.
      const args = argTable(m, input.args, fromRollouts, findings);
      const t = metricTrigger(metric, { m, path: ['spec', 'metrics', i], findings, args, dryRun });
      if (t) triggers.push(t);
    });
  }
  return triggers;
}
