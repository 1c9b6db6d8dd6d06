/**
 * The metrics file's format (pure): parsing, validation with causes that point into the file, and the
 * samples of one value.
 *
 *   { "<service>": { "<version>": { "<trigger>": value | parts } } }
 *
 * A value is a number (one sample at the query's end), an array of numbers (spread evenly over the
 * query's window, the last at its end), or `[[unix_seconds, number], ...]`. The answer of a number or
 * an array of numbers says `timed: false`: its times are placed, not read. A count-aware trigger holds
 * its parts instead, each a value of per-step counts: `{ "bad": value, "total": value }` (a ratio),
 * `{ "sum": value, "count": value }` (a mean) or `{ "buckets": { "<le>": value, ..., "+Inf": value } }`
 * (a histogram: each bucket counts the events at or under its bound, as Prometheus' `le` buckets do).
 */
import { z } from 'zod';
import type { MeasurePart, Sample } from './provider.js';

// NaN and Infinity are numbers here: the engine, not the parser, decides they mean no data.
const num = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });
const pair = z.tuple([num, num], { error: 'expected a [unix_seconds, number] pair' });

export type SeriesValue = number | number[] | Array<[number, number]>;

/**
 * Picks the schema by the value's shape before validating it, so a cause points at the element that
 * is wrong (`bad[3]: expected a number`) instead of a union's "invalid input" at the trigger.
 */
function byShape<T>(pick: (value: unknown) => z.ZodType<T> | string): z.ZodType<T> {
  return z.unknown().transform((value, ctx): T => {
    const schema = pick(value);
    if (typeof schema === 'string') {
      ctx.addIssue({ code: 'custom', message: schema });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
    return z.NEVER;
  });
}

const SERIES_SHAPES = 'a number, an array of numbers, or an array of [unix_seconds, number] pairs';

const series: z.ZodType<SeriesValue> = byShape<SeriesValue>((value) => {
  if (typeof value === 'number') return num;
  if (!Array.isArray(value)) return `expected ${SERIES_SHAPES}`;
  // The first element decides: numbers spread over the window, pairs carry their own time.
  return Array.isArray(value[0]) ? z.array(pair) : z.array(num);
});

/** Which parts may sit together under one trigger: one measure's parts, and all of them. */
const PART_SETS: ReadonlyArray<readonly MeasurePart[]> = [['bad', 'total'], ['sum', 'count'], ['buckets']];
const PART_SETS_TEXT = '{"bad", "total"}, {"sum", "count"} or {"buckets"}';

/** A bucket's upper bound as Prometheus writes `le`: a number, or `+Inf` for the bucket of all events. */
function isBucketBound(key: string): boolean {
  return key === '+Inf' || (key.trim() !== '' && Number.isFinite(Number(key)));
}

const buckets = z.record(z.string(), series, { error: 'expected an object of buckets: { "<le>": value }' });

const parts = z
  .strictObject(
    {
      bad: series.optional(),
      total: series.optional(),
      sum: series.optional(),
      count: series.optional(),
      buckets: buckets.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown part ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}: a trigger's parts are ${PART_SETS_TEXT}`
          : undefined,
    },
  )
  .superRefine((value, ctx) => {
    const present = Object.keys(value).filter((k) => value[k as MeasurePart] !== undefined);
    const fits = PART_SETS.some(
      (set) => set.length === present.length && set.every((p) => present.includes(p)),
    );
    if (!fits) {
      ctx.addIssue({
        code: 'custom',
        message: `holds parts ${present.map((p) => JSON.stringify(p)).join(', ') || 'none'}: a trigger's parts are ${PART_SETS_TEXT}`,
      });
    }
    if (value.buckets === undefined) return;
    const bounds = Object.keys(value.buckets);
    if (bounds.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'has no bucket', path: ['buckets'] });
    }
    for (const bound of bounds.filter((b) => !isBucketBound(b))) {
      ctx.addIssue({
        code: 'custom',
        message: `bucket bound ${JSON.stringify(bound)} is not a number or "+Inf"`,
        path: ['buckets', bound],
      });
    }
  });

export type PartsValue = z.output<typeof parts>;
export type TriggerValue = SeriesValue | PartsValue;

const triggerValue: z.ZodType<TriggerValue> = byShape<TriggerValue>((value) => {
  if (typeof value === 'number' || Array.isArray(value)) return series;
  if (typeof value === 'object' && value !== null) return parts;
  return `expected ${SERIES_SHAPES}, or an object of parts (${PART_SETS_TEXT})`;
});

const metricsFile = z.record(
  z.string(),
  z.record(
    z.string(),
    z.record(z.string(), triggerValue, { error: 'expected an object of triggers: { "<trigger>": value }' }),
    { error: 'expected an object of versions: { "<version>": { "<trigger>": value } }' },
  ),
  { error: 'expected an object of services: { "<service>": { "<version>": { "<trigger>": value } } }' },
);

export type MetricsFile = z.output<typeof metricsFile>;

const NAN_TOKENS = /(?<=[:,[\s])(NaN|-?Infinity)(?=[\s,\]}])/g;

/**
 * A path in the file as jq writes it, so a cause can be pasted into `jq '<path>' metrics.json`:
 * `."support-agent"."2.4.0".error_rate.bad[3]`.
 */
export function jqPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '.';
  return path
    .map((p) =>
      typeof p === 'number'
        ? `[${p}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(p))
          ? `.${String(p)}`
          : `.${JSON.stringify(String(p))}`,
    )
    .join('');
}

const shape = z.record(
  z.string(),
  z.record(
    z.string(),
    z.record(z.string(), z.unknown(), { error: 'expected an object of triggers: { "<trigger>": value }' }),
    { error: 'expected an object of versions: { "<version>": { "<trigger>": value } }' },
  ),
  { error: 'expected an object of services: { "<service>": { "<version>": { "<trigger>": value } } }' },
);

/** Where a malformed entry is, as the file provider looks entries up. */
export const entryKey = (service: string, version: string, trigger: string) =>
  `${service}\n${version}\n${trigger}`;

/**
 * Like validateMetrics, but one malformed entry spoils only itself: the well-formed ones are kept,
 * and `bad` says, per entry, what is wrong and where (so the services with good data are judged).
 */
export function validateEntries(
  json: unknown,
): { ok: true; data: MetricsFile; bad: Map<string, string> } | { ok: false; cause: string } {
  const outline = shape.safeParse(json);
  if (!outline.success) return validateMetrics(json) as { ok: false; cause: string };
  const data: MetricsFile = {};
  const bad = new Map<string, string>();
  for (const [service, versions] of Object.entries(outline.data)) {
    for (const [version, triggers] of Object.entries(versions)) {
      for (const [trigger, value] of Object.entries(triggers)) {
        const one = triggerValue.safeParse(value);
        if (one.success) ((data[service] ??= {})[version] ??= {})[trigger] = one.data;
        else {
          const i = one.error.issues[0]!;
          bad.set(
            entryKey(service, version, trigger),
            `at ${jqPath([service, version, trigger, ...i.path])}: ${i.message}`,
          );
        }
      }
    }
  }
  return { ok: true, data, bad };
}

/**
 * The file's content, validated entry by entry, or why not (to follow `metrics file <path>: `).
 * NaN and Infinity may be written as bare tokens; they reach the engine, which treats them as no
 * data.
 */
export function parseMetricsFile(
  raw: string,
): { ok: true; data: MetricsFile; bad: Map<string, string> } | { ok: false; cause: string } {
  let json: unknown;
  try {
    json = JSON.parse(
      raw.replace(NAN_TOKENS, (t) => JSON.stringify(`__${t}`)),
      (_k, v: unknown) => (typeof v === 'string' && v.startsWith('__') ? Number(v.slice(2)) : v),
    );
  } catch (e) {
    return { ok: false, cause: `is not JSON: ${(e as Error).message}` };
  }
  return validateEntries(json);
}

/** Already-parsed JSON (a backtest's series file) validated as the metrics file's content. */
export function validateMetrics(
  json: unknown,
): { ok: true; data: MetricsFile } | { ok: false; cause: string } {
  const parsed = metricsFile.safeParse(json);
  if (parsed.success) return { ok: true, data: parsed.data };
  const [first, ...rest] = parsed.error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  return { ok: false, cause: `at ${jqPath(first!.path)}: ${first!.message}${more}` };
}

/** A trigger's entry holds parts (an object) rather than one value. */
export function isParts(value: TriggerValue): value is PartsValue {
  return typeof value === 'object' && !Array.isArray(value);
}

/** The part names an entry holds, for a cause. */
export function partNames(value: PartsValue): string {
  return Object.keys(value)
    .filter((k) => value[k as MeasurePart] !== undefined)
    .join(', ');
}

/**
 * The samples of one value in the range. Plain numbers have no time: a single query's are spread
 * over the window, the newest at `end`; a part's (`stepS` given) are one a step, the newest at `end`
 * (their result says `timed: false`: see isTimed). Timed samples are kept when `start < t <= end`.
 */
export function samplesOf(
  v: SeriesValue,
  startS: number,
  endS: number,
  windowS: number,
  stepS?: number,
): Sample[] {
  if (typeof v === 'number') return [{ t: endS, v }];
  if (v.length === 0) return [];
  if (typeof v[0] === 'number') {
    const nums = v as number[];
    // Per-step counts (a count-aware trigger's parts) are one a step; a single query's values
    // spread over its window, as they always were.
    const step = stepS ?? windowS / nums.length;
    return nums.map((n, i) => ({ t: endS - (nums.length - 1 - i) * step, v: n }));
  }
  return (v as Array<[number, number]>)
    .map(([t, n]) => ({ t, v: n }))
    .filter((s) => s.t > startS && s.t <= endS)
    .sort((a, b) => a.t - b.t);
}

/**
 * Whether a value carries its own times (`[unix_seconds, number]` pairs). A number or an array of
 * numbers does not: samplesOf places it at the end or spreads it over the window, so its times say
 * nothing of when a breach began, and the answer carries `timed: false`.
 */
function isTimed(v: SeriesValue): boolean {
  return Array.isArray(v) && Array.isArray(v[0]);
}

/** `{ timed: false }` for an answer read from values without times; nothing for timed ones. */
export function timing(values: readonly SeriesValue[]): { timed?: false } {
  return values.every(isTimed) ? {} : { timed: false };
}
