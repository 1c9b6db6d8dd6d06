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

export const aggregation = z.enum(['last', 'mean', 'max', 'min', 'p50', 'p90', 'p95', 'p99']);
export const noData = z.enum(['inconclusive', 'allow', 'stop']);
const severity = z.enum(['critical', 'high', 'medium']);
const reason = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { message: 'a reason is snake_case, e.g. error_spike or sla_breach' });

/** The queries of a count-aware trigger are optional only for the file provider (it reads by trigger name). */
const ratioMeasure = z.strictObject({
  bad: z.string().min(1).optional(),
  total: z.string().min(1).optional(),
});
const meanMeasure = z.strictObject({
  sum: z.string().min(1).optional(),
  count: z.string().min(1).optional(),
  bounds: z
    .tuple([z.number(), z.number()])
    .refine(([lo, hi]) => lo < hi, {
      message: 'bounds are [lowest, highest] of one observation, lowest first',
    })
    .optional(),
});
const histogramMeasure = z.strictObject({
  buckets: z.string().min(1).optional(),
  quantile: fraction('quantile').default(0.95),
});

const burnWindow = z.strictObject({
  long: positiveDuration,
  short: positiveDuration,
  burn_rate: z.number().positive(),
});
const slo = z.strictObject({
  objective: fraction('objective'),
  windows: z.array(burnWindow).min(1).optional(),
});

export const trigger = z
  .strictObject({
    query: z.string().optional(),
    ratio: ratioMeasure.optional(),
    mean: meanMeasure.optional(),
    histogram: histogramMeasure.optional(),
    provider: z.string().optional(),
    max: z.number().optional(),
    min: z.number().optional(),
    max_increase: ratio.optional(),
    max_decrease: ratio.optional(),
    slo: slo.optional(),
    min_count: z.number().nonnegative().optional(),
    aggregate: aggregation.optional(),
    sustained: z.int().min(1).optional(),
    on_no_data: noData.optional(),
    reason: reason.optional(),
    severity: severity.optional(),
    reduce: z.enum(['sum', 'max', 'mean', 'min']).optional(),
    args: z.record(z.string(), z.string()).optional(),
    window: positiveDuration.optional(),
    step: positiveDuration.optional(),
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
