/** One trigger of the policy file normalized: its rule (limits, pure judgement) and its queries. */
import type { Measure, Slo, TriggerRule } from '../policy/types.js';
import { clearCutLevels } from './normalize-approval.js';
import { parseDuration } from './duration.js';
import { placeholderProblems } from './placeholders.js';
import { BUILT_IN_DEFAULTS, type PartQuery, type TriggerQuery } from './policy.js';
import type { ServiceInput, TriggerInput } from './schema.js';

/** The SRE Workbook's defaults for a page: fast burn (2% of a 30-day budget in 1 h), slow burn (5% in 6 h). */
export const DEFAULT_BURN_WINDOWS: Slo['windows'] = [
  { longMs: 3_600_000, shortMs: 300_000, factor: 14.4 },
  { longMs: 21_600_000, shortMs: 1_800_000, factor: 6 },
];

type Shared = Pick<
  ServiceInput,
  'window' | 'sustained' | 'on_no_data' | 'aggregate' | 'step' | 'approve_below'
>;

export interface TriggerContext {
  name: string;
  provider: string;
  providerType: string;
  /** The provider's own step setting (Prometheus `step`), for aligning `value` samples. */
  providerStepMs: number | undefined;
  service: Shared;
  defaults: Shared;
}

function measureOf(t: TriggerInput): Measure {
  if (t.ratio) return { kind: 'ratio' };
  if (t.mean) return { kind: 'mean', bounds: t.mean.bounds };
  if (t.histogram) return { kind: 'histogram', quantile: t.histogram.quantile };
  return { kind: 'value' };
}

function partsOf(t: TriggerInput): PartQuery[] {
  const p = (part: PartQuery['part'], query: string | undefined, groupBy?: string): PartQuery => ({
    part,
    query,
    groupBy,
  });
  if (t.ratio) return [p('bad', t.ratio.bad), p('total', t.ratio.total)];
  if (t.mean) return [p('sum', t.mean.sum), p('count', t.mean.count)];
  if (t.histogram) return [p('buckets', t.histogram.buckets, 'le')];
  return [p('value', t.query)];
}

/**
 * A PromQL range selector longer than the step (`increase(x[5m])` read every minute), or undefined.
 * Brackets that hold no duration (a regex class in a label matcher) are not ranges.
 */
function overlappingRange(query: string | undefined, stepMs: number): string | undefined {
  for (const [, inner] of (query ?? '').matchAll(/\[([^[\]]+)\]/g)) {
    const range = inner!.split(':')[0]!.trim();
    if (/^\{\{\s*step\s*\}\}$/.test(range)) continue;
    const ms = parseDuration(range);
    if (ms !== undefined && ms > stepMs) return range;
  }
  return undefined;
}

function overlapFactor(range: string, stepMs: number): number {
  return Math.round(parseDuration(range)! / stepMs);
}

/** The rule and the queries of one trigger, and what is wrong with it that the schema cannot see. */
export function normalizeTrigger(
  t: TriggerInput,
  c: TriggerContext,
): { rule: TriggerRule; query: TriggerQuery; issues: Array<{ path: string[]; message: string }> } {
  const measure = measureOf(t);
  const counted = measure.kind !== 'value';
  const s = c.service;
  const d = c.defaults;
  const windowMs = t.window ?? s.window ?? d.window ?? BUILT_IN_DEFAULTS.window;
  const askedStep = t.step ?? s.step ?? d.step;
  const stepMs =
    askedStep ?? (counted ? BUILT_IN_DEFAULTS.step : (c.providerStepMs ?? BUILT_IN_DEFAULTS.step));
  const parts = partsOf(t);
  const issues: Array<{ path: string[]; message: string }> = [];
  if (c.providerType !== 'file') {
    for (const p of parts) {
      if (p.query === undefined || p.query.trim() === '') {
        const where = measure.kind === 'value' ? 'query' : `${measure.kind}.${p.part}`;
        issues.push({ path: [], message: `a ${c.providerType} trigger needs ${where}: the query to send` });
      }
    }
  }
  const args = Object.keys(t.args ?? {});
  for (const p of parts) {
    if (p.query === undefined) continue;
    for (const message of placeholderProblems(p.query, { extra: [], args })) {
      issues.push({ path: measure.kind === 'value' ? ['query'] : [measure.kind, p.part], message });
    }
  }
  if (counted && c.providerType === 'prometheus') {
    for (const p of parts) {
      const overlap = overlappingRange(p.query, stepMs);
      if (overlap) {
        issues.push({
          path: [measure.kind, p.part],
          message:
            `counts over [${overlap}] read every ${stepMs / 1000}s overlap: each event would be counted ` +
            `${overlapFactor(overlap, stepMs)} times; use [{{step}}] (e.g. increase(x[{{step}}]))`,
        });
      }
    }
  }
  if (counted && stepMs > windowMs) {
    issues.push({
      path: ['step'],
      message: `step ${stepMs / 1000}s is longer than the window ${windowMs / 1000}s`,
    });
  }
  const rule: TriggerRule = {
    name: c.name,
    measure,
    max: t.max,
    min: t.min,
    maxIncrease: t.max_increase,
    maxDecrease: t.max_decrease,
    slo: t.slo && {
      objective: t.slo.objective,
      windows:
        t.slo.windows?.map((w) => ({ longMs: w.long, shortMs: w.short, factor: w.burn_rate })) ??
        DEFAULT_BURN_WINDOWS,
    },
    aggregate: t.aggregate ?? s.aggregate ?? d.aggregate ?? BUILT_IN_DEFAULTS.aggregate,
    sustained:
      t.sustained ??
      s.sustained ??
      d.sustained ??
      (counted ? BUILT_IN_DEFAULTS.countSustained : BUILT_IN_DEFAULTS.sustained),
    minCount: t.min_count ?? BUILT_IN_DEFAULTS.minCount[measure.kind],
    onNoData: t.on_no_data ?? s.on_no_data ?? d.on_no_data ?? BUILT_IN_DEFAULTS.onNoData,
    reason: t.reason,
    severity: t.severity ?? 'high',
    action: t.action ?? 'rollback',
    windowMs,
    stepMs,
  };
  const levels = clearCutLevels(t, measure, c);
  issues.push(...levels.issues);
  if (levels.levels) rule.approveBelow = levels.levels;
  const query: TriggerQuery = {
    name: c.name,
    provider: c.provider,
    query: t.query,
    parts,
    windowMs,
    stepMs: counted ? stepMs : t.step,
    reduce: t.reduce,
    args: t.args ?? {},
    needsBaseline: t.max_increase !== undefined || t.max_decrease !== undefined,
    sinceDeploy: counted,
  };
  return { rule, query, issues };
}
