import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { MetricQuery, MetricResult, MetricsProvider, Sample } from './provider.js';

// NaN and Infinity are numbers here: the engine, not the parser, decides they mean no data.
const num = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });
const value = z.union([num, z.array(num), z.array(z.tuple([num, num]))]);
const metricsFile = z.record(z.string(), z.record(z.string(), z.record(z.string(), value)));

const NAN_TOKENS = /(?<=[:,[\s])(NaN|-?Infinity)(?=[\s,\]}])/g;

/** Plain numbers have no time: an array is the series over the query's window, oldest first, the newest now. */
function toSamples(v: z.output<typeof value>, end: number, windowSeconds: number): Sample[] {
  if (typeof v === 'number') return [{ t: end, v }];
  if (v.length === 0) return [];
  if (typeof v[0] === 'number') {
    const nums = v as number[];
    const step = windowSeconds / nums.length;
    return nums.map((n, i) => ({ t: end - (nums.length - 1 - i) * step, v: n }));
  }
  return (v as [number, number][]).map(([t, n]) => ({ t, v: n }));
}

/**
 * The embedded default provider: `{ service: { version: { trigger: value } } }` from a JSON file,
 * re-read at every query so a watch loop sees the file change. NaN and Infinity may be written
 * as bare tokens; they reach the engine, which treats them as no data.
 */
export function fileProvider(path: string): MetricsProvider {
  return {
    async query(q: MetricQuery): Promise<MetricResult> {
      let raw: string;
      try {
        raw = await readFile(path, 'utf8');
      } catch (e) {
        return { kind: 'no_data', cause: `cannot read metrics file ${path}: ${(e as Error).message}` };
      }
      let json: unknown;
      try {
        json = JSON.parse(
          raw.replace(NAN_TOKENS, (t) => JSON.stringify(`__${t}`)),
          (_k, v) => (typeof v === 'string' && v.startsWith('__') ? Number(v.slice(2)) : v),
        );
      } catch (e) {
        return { kind: 'no_data', cause: `metrics file ${path} is not JSON: ${(e as Error).message}` };
      }
      const parsed = metricsFile.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return { kind: 'no_data', cause: `metrics file ${path}: ${issue.path.join('.')}: ${issue.message}` };
      }
      const v = parsed.data[q.service]?.[q.version]?.[q.trigger];
      if (v === undefined) {
        return {
          kind: 'no_data',
          cause: `metrics file ${path} has no value for ${q.service} ${q.version} ${q.trigger}`,
        };
      }
      const end = q.end.getTime() / 1000;
      const start = end - q.windowMs / 1000;
      const samples = toSamples(v, end, q.windowMs / 1000).filter((s) => s.t > start && s.t <= end);
      if (samples.length === 0) {
        return {
          kind: 'no_data',
          cause: `metrics file ${path} has no sample of ${q.trigger} in the last ${q.windowMs / 1000}s`,
        };
      }
      return { kind: 'samples', samples };
    },
  };
}
