/**
 * A trigger in the policy file: what it measures (one query, or counts: a ratio, a mean, a
 * histogram) and its limits. docs/judgement.md says how each is judged.
 */
import { z } from 'zod';
import { parseDuration, parseRatio } from './duration.js';

const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

const DURATION_MESSAGE = 'expected a duration such as 30s, 10m, 1h or 1h30m';

/** A duration that may be 0 (`cooldown: 0s`: no wait). */
export const duration = z
  .string()
  .regex(DURATION_PATTERN, { message: DURATION_MESSAGE })
  .transform((s) => parseDuration(s)!);

/**
 * A duration that must be longer than 0 (a window, a step, a timeout). A duration is 0 exactly when
 * none of its digits is: a pattern, so editors see the rule in the JSON Schema too.
 */
export const positiveDuration = z
  .string()
  .regex(DURATION_PATTERN, { message: DURATION_MESSAGE, abort: true })
  .regex(/[1-9]/, { message: 'must be longer than 0, e.g. 30s' })
  .transform((s) => parseDuration(s)!);

const RATIO_MESSAGE = 'expected a percentage such as 50% or a ratio such as 0.5';
export const ratio = z
  .union([
    z.number({ error: RATIO_MESSAGE }).nonnegative({ error: RATIO_MESSAGE }),
    z.string({ error: RATIO_MESSAGE }).regex(/^\d+(?:\.\d+)?%$/, { message: RATIO_MESSAGE }),
  ])
  .transform((v) => parseRatio(v)!);

/** A probability strictly between 0 and 1: `99.9%` or `0.999`. */
const fraction = (what: string) =>
  ratio.refine((v) => v > 0 && v < 1, { message: `${what} is a percentage between 0% and 100%, e.g. 99%` });

export const confidence = fraction('confidence').refine((v) => v >= 0.5, {
  message: 'confidence below 50% would stop healthy releases more often than not',
});

const MULTIPLE_MESSAGE = 'expected a multiple of the baseline such as 5x or 0.5x';
/** A multiple of the baseline (`5x`: the candidate at 5 times the stable): a relative limit's clear-cut level. */
export const multiple = z
  .string({ error: MULTIPLE_MESSAGE })
  .regex(/^\d+(?:\.\d+)?x$/, { message: MULTIPLE_MESSAGE })
  .refine((s) => Number(s.slice(0, -1)) > 0, { message: 'a multiple of the baseline is more than 0x' })
  .transform((s) => ({ times: Number(s.slice(0, -1)) }));

/**
 * `approve_below`: the clear-cut level of a trigger's limits (docs/judgement.md, "Two levels"). A
 * multiple (`5x`) for the relative limits, a number (`0.25`) for the absolute ones.
 */
export const approveBelow = z.union([z.number(), multiple], {
  error:
    'expected a multiple of the baseline such as 5x (max_increase, max_decrease) or a number such as 0.25 (max, min)',
});

export const aggregation = z.enum(['last', 'mean', 'max', 'min', 'p50', 'p90', 'p95', 'p99']);
export const noData = z.enum(['inconclusive', 'allow', 'stop']);
/** Who is told and how loudly (notify routes' `min_severity`, the incident's label); never whether it rolls back. */
const severity = z.enum(['critical', 'high', 'medium', 'low']);
/** What a breach does: `rollback` (the default) counts towards a stop; `alert` only opens an incident and notifies. */
const action = z.enum(['rollback', 'alert']);
const reason = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { message: 'a reason is snake_case, e.g. error_spike or sla_breach' });

/** The queries of a count-aware trigger are optional only for the file provider (it reads by trigger name). */
const ratioMeasure = z.strictObject({
  bad: z
    .string()
    .min(1)
    .optional()
    .describe('The query counting bad events in one step, e.g. sum(increase(x{code=~"5.."}[{{step}}])).'),
  total: z.string().min(1).optional().describe('The query counting all events in one step.'),
});
const meanMeasure = z.strictObject({
  sum: z.string().min(1).optional().describe('The query of the sum of the observations in one step.'),
  count: z.string().min(1).optional().describe('The query of the number of observations in one step.'),
  bounds: z
    .tuple([z.number(), z.number()])
    .refine(([lo, hi]) => lo < hi, {
      message: 'bounds are [lowest, highest] of one observation, lowest first',
    })
    .optional()
    .describe('[lowest, highest] value one observation can take, e.g. [0, 1] for a score.'),
});
const histogramMeasure = z.strictObject({
  buckets: z
    .string()
    .min(1)
    .optional()
    .describe("The query of the histogram's cumulative bucket counts in one step, grouped by le."),
  quantile: fraction('quantile').default(0.95).describe('The quantile judged, e.g. 0.95 (default) or 99%.'),
});

const burnWindow = z.strictObject({
  long: positiveDuration.describe('The long window of the pair, e.g. 1h.'),
  short: positiveDuration.describe('The short window of the pair, e.g. 5m: both must burn for a breach.'),
  burn_rate: z
    .number()
    .positive()
    .describe("How many times faster than the budget's even spend counts as a breach, e.g. 14.4."),
});
const slo = z.strictObject({
  objective: fraction('objective').describe('The share of good events promised, e.g. 99.9%.'),
  windows: z
    .array(burnWindow)
    .min(1)
    .optional()
    .describe('Multi-window burn-rate pairs (default 1h/5m at 14.4 and 6h/30m at 6).'),
});

export const trigger = z
  .strictObject({
    query: z
      .string()
      .optional()
      .describe('Measures one number a step: a query whose value is held against the limits as a threshold.'),
    ratio: ratioMeasure
      .optional()
      .describe('Measures a share of bad events from counts per step (errors, failed tool calls).'),
    mean: meanMeasure.optional().describe('Measures a mean per observation from its sum and count per step.'),
    histogram: histogramMeasure
      .optional()
      .describe("Measures a quantile (latency) from a histogram's bucket counts per step."),
    provider: z
      .string()
      .optional()
      .describe("The provider (a name under providers:) this trigger reads from, instead of the service's."),
    max: z
      .number()
      .optional()
      .describe('Breach above this value; on a ratio, a share of events between 0 and 1 (0.05: 5% bad).'),
    min: z.number().optional().describe('Breach below this value.'),
    max_increase: ratio
      .optional()
      .describe('Breach when worse than the baseline by more than this, e.g. 20% or 0.2.'),
    max_decrease: ratio
      .optional()
      .describe('Breach when lower than the baseline by more than this (under 100%), e.g. 3%.'),
    slo: slo
      .optional()
      .describe('Ratio triggers: the service level objective whose error budget must not burn too fast.'),
    approve_below: approveBelow
      .optional()
      .describe(
        'mode: auto commits a breach at once only past this clear-cut level; a breach past the tolerance but not this level opens a proposal for a person to approve. 5x: the candidate at 5 times the baseline (max_increase; 0.5x for max_decrease); a number for max or min (0.25 beside max: 0.05).',
      ),
    min_count: z
      .number()
      .nonnegative()
      .optional()
      .describe(
        'Evidence before this trigger may stop: events for counts (default 100 requests, 30 observations), samples for a query (default 1).',
      ),
    aggregate: aggregation
      .optional()
      .describe("Single queries: how the window's samples become one value (default last)."),
    sustained: z
      .int()
      .min(1)
      .optional()
      .describe(
        'Single queries: the newest N samples must each breach. Counts: N-1 steps alone never stop (default 2).',
      ),
    on_no_data: noData
      .optional()
      .describe('What no data decides for this trigger: inconclusive (default), allow or stop.'),
    reason: reason
      .optional()
      .describe('Recorded in the commit and the incident, snake_case (default rollback_required).'),
    severity: severity
      .optional()
      .describe(
        "Who is told and how loudly (notify routes' min_severity, the incident's label): critical, high (default), medium or low.",
      ),
    action: action
      .optional()
      .describe(
        'What a breach does: rollback (default) counts towards a stop; alert only opens an incident and notifies.',
      ),
    reduce: z
      .enum(['sum', 'max', 'mean', 'min'])
      .optional()
      .describe('Single queries that return several series: how they become one.'),
    args: z
      .record(z.string(), z.string())
      .optional()
      .describe("Values of {{args.NAME}} in this trigger's queries."),
    window: positiveDuration
      .optional()
      .describe("How far back this trigger's query looks, {{window}} (default: the service's, else 10m)."),
    step: positiveDuration
      .optional()
      .describe("The length of this trigger's step, {{step}} (default: the service's, else 1m)."),
  })
  .superRefine((t, ctx) => {
    const measures = (['query', 'ratio', 'mean', 'histogram'] as const).filter((k) => t[k] !== undefined);
    if (measures.length > 1) {
      ctx.addIssue({
        code: 'custom',
        message: `a trigger measures one thing: query, ratio, mean or histogram (found ${measures.join(' and ')})`,
      });
    }
    if ([t.max, t.min, t.max_increase, t.max_decrease, t.slo].every((v) => v === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'a trigger needs a limit: max, min, max_increase, max_decrease or slo',
      });
    }
    if (t.slo && !t.ratio) {
      ctx.addIssue({
        code: 'custom',
        path: ['slo'],
        message: 'slo needs a ratio trigger (ratio: {bad, total}): the budget is a share of bad events',
      });
    }
    if (t.ratio) {
      for (const k of ['max', 'min'] as const) {
        const v = t[k];
        if (v !== undefined && !(v > 0 && v < 1)) {
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: `a ratio's ${k} is a share of events between 0 and 1, e.g. 0.05`,
          });
        }
      }
    }
    if (t.max_decrease !== undefined && t.max_decrease >= 1) {
      ctx.addIssue({ code: 'custom', path: ['max_decrease'], message: 'max_decrease must be under 100%' });
    }
    // Counts over a window that is longer than the step overlap: each event would be counted many times.
    const counted: Array<[string, string | undefined]> = [
      ['ratio.bad', t.ratio?.bad],
      ['ratio.total', t.ratio?.total],
      ['mean.sum', t.mean?.sum],
      ['mean.count', t.mean?.count],
      ['histogram.buckets', t.histogram?.buckets],
    ];
    for (const [where, text] of counted) {
      if (text !== undefined && /\{\{\s*window\s*\}\}/.test(text)) {
        ctx.addIssue({
          code: 'custom',
          path: where.split('.'),
          message:
            'a count query counts one step: use [{{step}}] (e.g. increase(x[{{step}}])), not [{{window}}], ' +
            'or consecutive samples overlap and every event is counted many times',
        });
      }
    }
    for (const k of ['aggregate', 'reduce'] as const) {
      if (t[k] !== undefined && (t.ratio || t.mean || t.histogram)) {
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `${k} applies to a single query; a ${t.ratio ? 'ratio' : t.mean ? 'mean' : 'histogram'} trigger pools its counts`,
        });
      }
    }
  });

export type TriggerInput = z.output<typeof trigger>;
