/**
 * The backtest's series file (pure parsing): the deploys to replay and their recorded metrics, in
 * the file provider's format.
 *
 *   { "deploys": [ { "service", "candidate", "stable"?, "at", "until"?, "id"?, "labels"?,
 *                    "metrics"?: { "<version>": { "<trigger>": value } } } ],
 *     "metrics"?: { "<service>": { "<version>": { "<trigger>": value } } } }
 *
 * `at` and `until` are unix seconds or ISO 8601 times. A deploy's own `metrics` hold its two versions'
 * series (so two deploys may reuse version names); without them the shared `metrics` are read.
 */
import { z } from 'zod';
import { jqPath, type MetricsFile, validateMetrics } from '../metrics/file-format.js';
import { isValidVersion } from '../pins/version.js';

const time = z.union([
  z.number().positive(),
  z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected unix seconds or an ISO 8601 time' }),
]);
const version = z.string().refine(isValidVersion, { message: 'not a valid version (a tag or digest)' });

const deploy = z.strictObject({
  id: z.string().min(1).optional(),
  service: z.string().min(1),
  candidate: version,
  stable: version.nullable().optional(),
  at: time,
  until: time.optional(),
  labels: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
});

const seriesFile = z.strictObject({
  version: z.literal(1).optional(),
  deploys: z.array(deploy).min(1, { message: 'at least one deploy to replay' }),
  metrics: z.unknown().optional(),
});

export interface SeriesDeploy {
  id: string;
  service: string;
  candidate: string;
  stable: string | undefined;
  at: number;
  until: number | undefined;
  labels: Record<string, string>;
  /** The metrics this deploy is judged on, in the metrics file's shape (services at the top). */
  metrics: MetricsFile;
}

function seconds(t: number | string): number {
  return typeof t === 'number' ? t : Date.parse(t) / 1000;
}

/** The file's deploys, or why not, with the place in the file (`jq` path) of the first problem. */
export function parseSeriesFile(
  raw: string,
): { ok: true; deploys: SeriesDeploy[] } | { ok: false; cause: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw.replace(/(?<=[:,[\s])(NaN|-?Infinity)(?=[\s,\]}])/g, '"__$1"'), (_k, v: unknown) =>
      typeof v === 'string' && v.startsWith('__') ? Number(v.slice(2)) : v,
    );
  } catch (e) {
    return { ok: false, cause: `is not JSON: ${(e as Error).message}` };
  }
  const parsed = seriesFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, cause: `at ${jqPath(issue.path)}: ${issue.message}` };
  }
  let shared: MetricsFile = {};
  if (parsed.data.metrics !== undefined) {
    const m = validateMetrics(parsed.data.metrics);
    if (!m.ok) return { ok: false, cause: `in .metrics ${m.cause}` };
    shared = m.data;
  }
  const deploys: SeriesDeploy[] = [];
  for (const [i, d] of parsed.data.deploys.entries()) {
    let metrics = shared;
    if (d.metrics !== undefined) {
      const m = validateMetrics({ [d.service]: d.metrics });
      if (!m.ok)
        return { ok: false, cause: `in .deploys[${i}].metrics ${m.cause.replace(/^at \.[^.[]+/, 'at ')}` };
      metrics = m.data;
    }
    const at = seconds(d.at);
    const until = d.until === undefined ? undefined : seconds(d.until);
    if (until !== undefined && until <= at)
      return { ok: false, cause: `at .deploys[${i}].until: must be after at` };
    deploys.push({
      id: d.id ?? `${d.service}@${d.candidate}#${i + 1}`,
      service: d.service,
      candidate: d.candidate,
      stable: d.stable ?? undefined,
      at,
      until,
      labels: Object.fromEntries(Object.entries(d.labels ?? {}).map(([k, v]) => [k, String(v)])),
      metrics,
    });
  }
  return { ok: true, deploys };
}
