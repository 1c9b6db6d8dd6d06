/**
 * The file provider: the metrics file's format (plain values and the parts of count-aware triggers),
 * the range it reads, the causes it gives, and when it reads the file again.
 */
import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { fileProvider } from '../../src/metrics/file.js';
import type { MetricQuery, MetricResult } from '../../src/metrics/provider.js';
import { metricQuery } from './helpers.js';

const END = new Date('2026-01-01T12:00:00Z');
const END_S = END.getTime() / 1000;

const dir = mkdtempSync(join(tmpdir(), 'pinback-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A new metrics file holding `triggers` for support-agent 2.4.0 (or `content` as written). */
function metricsFile(triggers: Record<string, unknown>, content?: string): string {
  const path = join(dir, `metrics-${++files}.json`);
  writeFileSync(path, content ?? JSON.stringify({ 'support-agent': { '2.4.0': triggers } }));
  return path;
}

function ask(path: string, overrides: Partial<MetricQuery> = {}): Promise<MetricResult> {
  return fileProvider(path).query(metricQuery({ end: END, windowMs: 600_000, ...overrides }));
}

function causeOf(result: MetricResult): string {
  if (result.kind !== 'no_data') throw new Error(`expected no data, got ${JSON.stringify(result)}`);
  return result.cause;
}

describe('file provider: plain values', () => {
  // Values without times of their own say so (`timed: false`): their times say nothing of when.
  const untimed = { timed: false } as const;
  it.each<[string, unknown, Partial<MetricQuery>, Array<{ t: number; v: number }>, { timed?: false }]>([
    ['a number is one sample at the end', 0.05, {}, [{ t: END_S, v: 0.05 }], untimed],
    [
      'an array of numbers is spread over the window, the last at the end',
      [1, 2, 3],
      {},
      [
        { t: END_S - 400, v: 1 },
        { t: END_S - 200, v: 2 },
        { t: END_S, v: 3 },
      ],
      untimed,
    ],
    [
      'an array of numbers keeps that meaning whatever the start',
      [1, 2],
      { start: new Date(END.getTime() - 60_000) },
      [
        { t: END_S - 300, v: 1 },
        { t: END_S, v: 2 },
      ],
      untimed,
    ],
    [
      '[t, v] pairs are kept when end - window < t <= end, oldest first',
      [
        [END_S + 60, 9],
        [END_S, 3],
        [END_S - 600, 1],
        [END_S - 540, 2],
      ],
      {},
      [
        { t: END_S - 540, v: 2 },
        { t: END_S, v: 3 },
      ],
      {},
    ],
    [
      '[t, v] pairs are kept when start < t <= end, a start before the window included',
      [
        [END_S - 1800, 1],
        [END_S - 1740, 2],
        [END_S, 3],
      ],
      { start: new Date(END.getTime() - 1_800_000) },
      [
        { t: END_S - 1740, v: 2 },
        { t: END_S, v: 3 },
      ],
      {},
    ],
  ])('%s', async (_name, value, query, samples, timing) => {
    expect(await ask(metricsFile({ error_rate: value }), query)).toStrictEqual({
      kind: 'samples',
      samples,
      ...timing,
    });
  });

  it('reads NaN and Infinity written as bare tokens; the engine decides what they mean', async () => {
    const path = metricsFile({}, '{"support-agent": {"2.4.0": {"error_rate": [NaN, -Infinity, 1]}}}');
    const result = await ask(path);
    expect(result.kind === 'samples' && result.samples.map((s) => s.v)).toEqual([
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      1,
    ]);
  });

  it('names the file, service, version and trigger when the value is missing', async () => {
    const path = metricsFile({ latency: 1 });
    expect(causeOf(await ask(path))).toBe(
      `metrics file ${path} has no value for support-agent 2.4.0 error_rate`,
    );
  });

  it('names the range when no timed sample falls in it', async () => {
    const path = metricsFile({ error_rate: [[END_S - 3600, 1]] });
    expect(causeOf(await ask(path))).toBe(
      `metrics file ${path}: support-agent 2.4.0 error_rate: no sample between 2026-01-01T11:50:00Z and ` +
        '2026-01-01T12:00:00Z ([unix_seconds, number] pairs outside it are left out)',
    );
  });
});

describe('file provider: parts of count-aware triggers', () => {
  const counts = {
    errors: { bad: [1, 2], total: [100, 200] },
    latency_mean: { sum: [[END_S, 12.5]], count: [[END_S, 50]] },
  };

  it.each<[string, MetricQuery['part'], number[]]>([
    ['errors', 'bad', [1, 2]],
    ['errors', 'total', [100, 200]],
    ['latency_mean', 'sum', [12.5]],
    ['latency_mean', 'count', [50]],
  ])('answers %s part %s with its samples', async (trigger, part, values) => {
    const result = await ask(metricsFile(counts), { trigger, part });
    expect(result.kind === 'samples' && result.samples.map((s) => s.v)).toEqual(values);
  });

  it('spaces plain numbers of a part one step apart, the newest at the end (counts are per step)', async () => {
    const result = await ask(metricsFile(counts), { trigger: 'errors', part: 'bad', stepMs: 60_000 });
    expect(result.kind === 'samples' && result.samples.map((s) => s.t)).toEqual([END_S - 60, END_S]);
  });

  it.each<[string, unknown, MetricQuery['part'], boolean]>([
    ['plain numbers of a part', { bad: [1, 2], total: [100, 200] }, 'bad', false],
    ['[t, v] pairs of a part', { bad: [[END_S, 1]], total: [[END_S, 100]] }, 'bad', true],
    ['buckets of plain numbers', { buckets: { '0.5': [1, 2], '+Inf': [3, 4] } }, 'buckets', false],
    ['buckets of [t, v] pairs', { buckets: { '0.5': [[END_S, 1]], '+Inf': [[END_S, 3]] } }, 'buckets', true],
    ['buckets, one of plain numbers', { buckets: { '0.5': [[END_S, 1]], '+Inf': [3] } }, 'buckets', false],
  ])('says whether %s carry their own times (timed: false when not)', async (_name, value, part, timed) => {
    const groupBy = part === 'buckets' ? 'le' : undefined;
    const result = await ask(metricsFile({ t: value }), { trigger: 't', part, groupBy });
    expect(result.kind).toBe(part === 'buckets' ? 'groups' : 'samples');
    if (result.kind === 'no_data') return;
    if (timed) expect(result).not.toHaveProperty('timed');
    else expect(result.timed).toBe(false);
  });

  it('answers the buckets part as one group per bucket, keyed as written, each cut to the range', async () => {
    const path = metricsFile({
      latency: {
        buckets: {
          '0.25': [
            [END_S - 900, 4],
            [END_S - 60, 5],
            [END_S, 6],
          ],
          '0.5': [[END_S - 900, 1]],
          '+Inf': [
            [END_S - 60, 9],
            [END_S, 10],
          ],
        },
      },
    });
    const result = await ask(path, { trigger: 'latency', part: 'buckets', groupBy: 'le' });
    expect(result).toEqual({
      kind: 'groups',
      groups: [
        {
          key: '0.25',
          samples: [
            { t: END_S - 60, v: 5 },
            { t: END_S, v: 6 },
          ],
        },
        {
          key: '+Inf',
          samples: [
            { t: END_S - 60, v: 9 },
            { t: END_S, v: 10 },
          ],
        },
      ],
    });
  });

  it.each<[string, unknown, Partial<MetricQuery>, string]>([
    [
      'parts, but the query asks for one value',
      { bad: [1], total: [2] },
      {},
      'holds parts (bad, total) but the trigger reads one value: write a number or an array of numbers, ' +
        'or give the trigger a measure that reads parts',
    ],
    [
      'one value, but the query asks for a part',
      [0.05],
      { part: 'bad' },
      'is one value but the trigger reads its "bad" part: write {"bad": [...], "total": [...]}',
    ],
    [
      'other parts than the one asked for',
      { sum: [1], count: [2] },
      { part: 'total' },
      'has no "total" part (it has sum, count): write {"bad": [...], "total": [...]}',
    ],
    [
      'no buckets when buckets are asked for',
      { bad: [1], total: [2] },
      { part: 'buckets', groupBy: 'le' },
      'has no "buckets" part (it has bad, total): write {"buckets": {"0.1": [...], "+Inf": [...]}}',
    ],
  ])(
    'answers no data for %s, naming file, service, version and trigger',
    async (_name, value, query, cause) => {
      const path = metricsFile({ error_rate: value });
      expect(causeOf(await ask(path, query))).toBe(
        `metrics file ${path}: support-agent 2.4.0 error_rate ${cause}`,
      );
    },
  );

  it('names the part when no sample of it falls in the range', async () => {
    const path = metricsFile({ error_rate: { bad: [[END_S - 3600, 1]], total: [[END_S, 1]] } });
    expect(causeOf(await ask(path, { part: 'bad' }))).toContain(
      'support-agent 2.4.0 error_rate "bad": no sample between',
    );
  });
});

describe('file provider: validation', () => {
  it.each<[string, string, string]>([
    ['not JSON', '{"support-agent": ', 'is not JSON'],
    ['not an object', '[1, 2]', 'at .: expected an object of services'],
    [
      'a version that is not an object',
      '{"support-agent": {"2.4.0": 1}}',
      'at ."support-agent"."2.4.0": expected an object of triggers',
    ],
    [
      'a string value',
      '{"support-agent": {"2.4.0": {"error_rate": "high"}}}',
      'at ."support-agent"."2.4.0".error_rate: expected a number, an array of numbers, or an array of [unix_seconds, number] pairs',
    ],
    [
      'a string inside an array',
      '{"support-agent": {"2.4.0": {"error_rate": [1, "x"]}}}',
      'at ."support-agent"."2.4.0".error_rate[1]: expected a number',
    ],
    [
      'a pair of three',
      '{"support-agent": {"2.4.0": {"error_rate": [[1, 2], [3, 4, 5]]}}}',
      'at ."support-agent"."2.4.0".error_rate[1]: expected a [unix_seconds, number] pair',
    ],
    [
      'a string in a part',
      '{"support-agent": {"2.4.0": {"error_rate": {"bad": [1, "x"], "total": [1, 2]}}}}',
      'at ."support-agent"."2.4.0".error_rate.bad[1]: expected a number',
    ],
    [
      'an unknown part',
      '{"support-agent": {"2.4.0": {"error_rate": {"bad": [1], "all": [2]}}}}',
      'at ."support-agent"."2.4.0".error_rate: unknown part "all": a trigger\'s parts are {"bad", "total"}, {"sum", "count"} or {"buckets"}',
    ],
    [
      'parts of two measures',
      '{"support-agent": {"2.4.0": {"error_rate": {"bad": [1], "count": [2]}}}}',
      'at ."support-agent"."2.4.0".error_rate: holds parts "bad", "count": a trigger\'s parts are',
    ],
    [
      'half a ratio',
      '{"support-agent": {"2.4.0": {"error_rate": {"bad": [1]}}}}',
      'at ."support-agent"."2.4.0".error_rate: holds parts "bad": a trigger\'s parts are',
    ],
    [
      'a bucket bound that is not a number',
      '{"support-agent": {"2.4.0": {"latency": {"buckets": {"0,25": [1], "+Inf": [2]}}}}}',
      'at ."support-agent"."2.4.0".latency.buckets."0,25": bucket bound "0,25" is not a number or "+Inf"',
    ],
    [
      'buckets that are not an object',
      '{"support-agent": {"2.4.0": {"latency": {"buckets": [1, 2]}}}}',
      'at ."support-agent"."2.4.0".latency.buckets: expected an object of buckets',
    ],
    [
      'no bucket at all',
      '{"support-agent": {"2.4.0": {"latency": {"buckets": {}}}}}',
      'at ."support-agent"."2.4.0".latency.buckets: has no bucket',
    ],
  ])('refuses %s, pointing into the file as jq would', async (_name, content, cause) => {
    const path = metricsFile({}, content);
    const trigger = /\.latency/.test(cause) ? 'latency' : 'error_rate';
    expect(causeOf(await ask(path, { trigger }))).toContain(`metrics file ${path} ${cause}`);
  });

  it('names each malformed entry on its own', async () => {
    const path = metricsFile({ a: 'x', b: 'y', c: [1, 'z'] });
    expect(causeOf(await ask(path, { trigger: 'a' }))).toMatch(/\.a: expected /);
    expect(causeOf(await ask(path, { trigger: 'c' }))).toMatch(/\.c\[1\]: expected a number/);
  });

  it('counts the problems after the first where the file itself has the wrong shape', async () => {
    const path = metricsFile({}, '{"support-agent": 1, "web": 2, "api": [3]}');
    expect(causeOf(await ask(path))).toMatch(/expected an object of versions.* \(and 2 more problems\)$/);
  });

  it('judges the well-formed entries when one entry is malformed, naming the bad one', async () => {
    const path = metricsFile(
      {},
      '{"support-agent": {"2.4.0": {"error_rate": 0.02, "latency": {"buckets": {"0,25": [1]}}}}, "web": {"1.0.0": {"error_rate": [1, "x"]}}}',
    );
    expect(await ask(path)).toMatchObject({ kind: 'samples', samples: [{ v: 0.02 }] });
    expect(causeOf(await ask(path, { trigger: 'latency' }))).toContain(
      'at ."support-agent"."2.4.0".latency.buckets."0,25"',
    );
    expect(causeOf(await ask(path, { service: 'web', version: '1.0.0' }))).toContain(
      'at .web."1.0.0".error_rate[1]: expected a number',
    );
  });
});

describe('file provider: reading the file again', () => {
  const MTIME = new Date('2026-01-01T00:00:00Z');

  /** Rewrites `path` in place (same inode) and sets its modification time. */
  function rewrite(path: string, value: number, mtime: Date): void {
    writeFileSync(path, JSON.stringify({ 'support-agent': { '2.4.0': { error_rate: value } } }));
    utimesSync(path, mtime, mtime);
  }

  const valueOf = async (path: string): Promise<number | undefined> => {
    const result = await ask(path);
    return result.kind === 'samples' ? result.samples[0]?.v : undefined;
  };

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('sees the file change: a new modification time is read again', async () => {
    const path = metricsFile({ error_rate: 1 });
    rewrite(path, 1, MTIME);
    expect(await valueOf(path)).toBe(1);
    rewrite(path, 2, new Date(MTIME.getTime() + 1000));
    expect(await valueOf(path)).toBe(2);
  });

  it('sees a file replaced by a rename (a new inode) even with the same size and time', async () => {
    const path = metricsFile({ error_rate: 1 });
    rewrite(path, 1, MTIME);
    expect(await valueOf(path)).toBe(1);
    const next = join(dir, 'replacement.json');
    rewrite(next, 2, MTIME);
    renameSync(next, path);
    expect(await valueOf(path)).toBe(2);
  });

  it('keeps the parsed content while inode, size and modification time are unchanged', async () => {
    const path = metricsFile({ error_rate: 1 });
    rewrite(path, 1, MTIME);
    expect(await valueOf(path)).toBe(1);
    // Same inode, size and time: the file is taken as unchanged (a real edit moves the time).
    rewrite(path, 2, MTIME);
    expect(await valueOf(path)).toBe(1);
  });

  it('parses the file once for many queries that arrive together', async () => {
    const path = metricsFile({ error_rate: 1 });
    const parse = vi.spyOn(JSON, 'parse');
    const provider = fileProvider(path);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => provider.query(metricQuery({ end: END }))),
    );
    expect(results.every((r) => r.kind === 'samples')).toBe(true);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('keeps an invalid file invalid without parsing it again, and reads the fix', async () => {
    const path = metricsFile({ error_rate: 'x' });
    utimesSync(path, MTIME, MTIME);
    const parse = vi.spyOn(JSON, 'parse');
    expect(causeOf(await ask(path))).toContain('error_rate: expected a number');
    expect(causeOf(await ask(path))).toContain('error_rate: expected a number');
    expect(parse).toHaveBeenCalledTimes(1);
    rewrite(path, 3, new Date(MTIME.getTime() + 1000));
    expect(await valueOf(path)).toBe(3);
  });

  it('answers no data for a missing file, and reads it once it exists', async () => {
    const path = join(dir, 'appears-later.json');
    expect(causeOf(await ask(path))).toMatch(/^cannot read metrics file .*appears-later\.json: ENOENT/);
    rewrite(path, 4, MTIME);
    expect(await valueOf(path)).toBe(4);
  });
});
