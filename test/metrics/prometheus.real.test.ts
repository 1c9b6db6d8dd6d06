/**
 * The Prometheus provider against a real Prometheus (Debian's `prometheus` package) holding two hours of
 * backfilled counters: the candidate 2.4.0 fails 9% of requests, the stable 2.3.3 1%; and latency
 * histograms: the candidate answers 60% of requests within 100 ms, the stable 80%.
 * Without the binary the suite is skipped locally and fails in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusProvider, type PrometheusProvider } from '../../src/metrics/prometheus.js';
import type { MetricResult } from '../../src/metrics/provider.js';
import {
  findPrometheus,
  LATENCY,
  type RunningPrometheus,
  startPrometheus,
  TRAFFIC,
} from '../support/prometheus.js';
import { instantRetries, metricQuery } from './helpers.js';

const bins = findPrometheus();
const inCi = Boolean(process.env.CI);
if (!bins && !inCi) {
  console.warn(
    'prometheus/promtool not found on PATH: skipping the real-Prometheus tests. Install them with `apt-get install prometheus`.',
  );
}

const ERROR_RATIO =
  'sum(rate(http_requests_total{service="support-agent",version="{{version}}",code=~"5.."}[{{window}}]))' +
  ' / sum(rate(http_requests_total{service="support-agent",version="{{version}}"}[{{window}}]))';

/** Counts per step: each point is the increase over the step before it, never overlapping windows. */
const BAD =
  'sum(increase(http_requests_total{service="support-agent",version="{{version}}",code=~"5.."}[{{step}}]))';
const TOTAL = 'sum(increase(http_requests_total{service="support-agent",version="{{version}}"}[{{step}}]))';
const BUCKETS =
  'sum by (le) (increase(http_request_duration_seconds_bucket{service="support-agent",version="{{version}}"}[{{step}}]))';

function describeResult(result: MetricResult): string {
  return result.kind === 'no_data' ? `no data: ${result.cause}` : `${result.kind}`;
}

function values(result: MetricResult): number[] {
  if (result.kind !== 'samples') throw new Error(`expected samples, got ${describeResult(result)}`);
  return result.samples.map((s) => s.v);
}

/** Requests a minute of `version`, those failing (code 5xx) or all of them. */
function perMinute(version: string, failing: boolean): number {
  return TRAFFIC.filter((t) => t.version === version && (!failing || t.code.startsWith('5'))).reduce(
    (n, t) => n + t.perMinute,
    0,
  );
}

describe.skipIf(!bins && !inCi)('prometheus provider against a real Prometheus', () => {
  let prom: RunningPrometheus;
  let provider: PrometheusProvider;

  beforeAll(async () => {
    if (!bins) {
      throw new Error('CI needs the prometheus and promtool binaries: apt-get install -y prometheus');
    }
    prom = await startPrometheus(bins);
    provider = createPrometheusProvider({ type: 'prometheus', url: prom.url }, instantRetries());
  });

  afterAll(async () => {
    await provider?.close();
    await prom?.stop();
  });

  it('reads the candidate error ratio as about 9% over the window, one sample a minute', async () => {
    const result = await provider.query(
      metricQuery({ query: ERROR_RATIO, version: '2.4.0', end: new Date() }),
    );
    const vs = values(result);
    expect(vs).toHaveLength(11);
    for (const v of vs) expect(v).toBeCloseTo(0.09, 3);
  });

  it('reads the stable error ratio as about 1%', async () => {
    const result = await provider.query(
      metricQuery({ query: ERROR_RATIO, version: '2.3.3', end: new Date() }),
    );
    for (const v of values(result)) expect(v).toBeCloseTo(0.01, 3);
  });

  it('returns samples oldest first, one step apart, the last at the query end', async () => {
    const end = prom.dataEnd;
    const result = await provider.query(metricQuery({ query: ERROR_RATIO, end, stepMs: 120_000 }));
    if (result.kind !== 'samples') throw new Error(describeResult(result));
    const times = result.samples.map((s) => s.t);
    expect(times).toEqual([-10, -8, -6, -4, -2, 0].map((m) => end.getTime() / 1000 + m * 60));
  });

  it('answers an instant query with one sample', async () => {
    const promql = ERROR_RATIO.replaceAll('{{version}}', '2.4.0').replaceAll('{{window}}', '10m');
    const vs = values(await provider.instantQuery(promql, prom.dataEnd));
    expect(vs).toHaveLength(1);
    expect(vs[0]).toBeCloseTo(0.09, 3);
  });

  it('answers no data when the query matches no series', async () => {
    const result = await provider.query(
      metricQuery({ query: ERROR_RATIO, version: '9.9.9', end: prom.dataEnd }),
    );
    expect(result).toEqual({ kind: 'no_data', cause: expect.stringContaining('query returned no series') });
  });

  it("surfaces a PromQL syntax error with Prometheus's own words", async () => {
    const broken = 'sum(rate(http_requests_total[{{window}}])';
    const direct = await fetch(`${prom.url}/api/v1/query_range`, {
      method: 'POST',
      body: new URLSearchParams({
        query: 'sum(rate(http_requests_total[10m])',
        start: '0',
        end: '60',
        step: '60',
      }),
    });
    const { error } = (await direct.json()) as { error: string };
    expect(error).toContain('parse error');

    const result = await provider.query(metricQuery({ query: broken, end: prom.dataEnd }));

    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data')
      expect(result.cause).toContain(`prometheus error bad_data (HTTP 400); the server said: ${error}`);
  });

  it('refuses several series without reduce, naming reduce in the cause', async () => {
    const perCode = 'rate(http_requests_total{service="support-agent",version="{{version}}"}[{{window}}])';
    const result = await provider.query(metricQuery({ query: perCode, end: prom.dataEnd }));
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data') {
      expect(result.cause).toContain('query returned 2 series');
      expect(result.cause).toContain('reduce: sum|max|mean|min');
    }
  });

  it('sums several series per timestamp with reduce: sum', async () => {
    const perCode = 'rate(http_requests_total{service="support-agent",version="{{version}}"}[{{window}}])';
    const result = await provider.query(metricQuery({ query: perCode, end: prom.dataEnd, reduce: 'sum' }));
    for (const v of values(result)) expect(v).toBeCloseTo(1000 / 60, 6);
  });

  it('sends GET as well as POST', async () => {
    const viaGet = createPrometheusProvider({ type: 'prometheus', url: prom.url, method: 'GET' });
    const result = await viaGet.query(metricQuery({ query: ERROR_RATIO, end: prom.dataEnd }));
    expect(values(result)[0]).toBeCloseTo(0.09, 3);
  });

  it.each(['2.4.0', '2.3.3'])(
    'reads the latency buckets of %s grouped by le, one increase per step',
    async (version) => {
      const result = await provider.query(
        metricQuery({
          query: BUCKETS,
          version,
          end: prom.dataEnd,
          stepMs: 120_000,
          part: 'buckets',
          groupBy: 'le',
        }),
      );
      if (result.kind !== 'groups') throw new Error(`expected groups, got ${describeResult(result)}`);
      const expected = LATENCY.find((l) => l.version === version)!.buckets;
      expect(result.groups.map((g) => g.key).sort()).toEqual(expected.map(([le]) => le).sort());
      const endS = prom.dataEnd.getTime() / 1000;
      for (const [le, count] of expected) {
        const group = result.groups.find((g) => g.key === le)!;
        // Ten minutes at a step of 2m: the end and the five steps before it.
        expect(group.samples.map((s) => s.t)).toEqual([-10, -8, -6, -4, -2, 0].map((m) => endS + m * 60));
        for (const s of group.samples) expect(s.v).toBeCloseTo(2 * count, 6);
      }
    },
  );

  it('reads the parts of an error ratio as counts per step from the start, past the window', async () => {
    const end = prom.dataEnd;
    const start = new Date(end.getTime() - 30 * 60_000);
    const ask = (query: string, part: 'bad' | 'total') =>
      provider.query(metricQuery({ query, part, start, end, windowMs: 600_000, stepMs: 120_000 }));
    const [bad, total] = await Promise.all([ask(BAD, 'bad'), ask(TOTAL, 'total')]);
    if (bad.kind !== 'samples') throw new Error(describeResult(bad));
    if (total.kind !== 'samples') throw new Error(describeResult(total));

    const times = Array.from({ length: 16 }, (_, i) => start.getTime() / 1000 + i * 120);
    expect(bad.samples.map((s) => s.t)).toEqual(times);
    expect(total.samples.map((s) => s.t)).toEqual(times);
    for (const v of values(bad)) expect(v).toBeCloseTo(2 * perMinute('2.4.0', true), 6);
    for (const v of values(total)) expect(v).toBeCloseTo(2 * perMinute('2.4.0', false), 6);
  });

  // Kills the server: keep it last.
  it('answers no data with a connection cause, without throwing, once Prometheus is gone', async () => {
    await prom.kill();
    const result = await provider.query(metricQuery({ query: ERROR_RATIO, end: prom.dataEnd }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `prometheus ${prom.url}: connection refused after 3 attempts`,
    });
  });
});
