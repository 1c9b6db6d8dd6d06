/**
 * The Prometheus provider's request and answer handling against a local server speaking the Prometheus
 * HTTP API (as Thanos, Mimir and VictoriaMetrics do). The real-Prometheus suite is prometheus.real.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPrometheusProvider,
  defaultStepMs,
  type PrometheusConfig,
} from '../../src/metrics/prometheus.js';
import type { MetricQuery } from '../../src/metrics/provider.js';
import { FakeServer, instantRetries, json, metricQuery, text } from './helpers.js';

const END = new Date('2026-01-01T12:00:00Z');
const END_S = END.getTime() / 1000;

function matrix(series: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>) {
  return { status: 'success', data: { resultType: 'matrix', result: series } };
}

describe('prometheus provider (HTTP API)', () => {
  let server: FakeServer;
  let base: string;

  beforeEach(async () => {
    server = new FakeServer();
    base = await server.listen();
  });

  afterEach(async () => {
    await server.close();
  });

  function provider(config: Partial<PrometheusConfig> = {}) {
    return createPrometheusProvider({ type: 'prometheus', url: base, ...config }, instantRetries());
  }

  it('POSTs a form-encoded range query over the window, points ending at the query end', async () => {
    server.answer(json(200, matrix([])));
    await provider().query(
      metricQuery({
        query: 'up{version="{{version}}"}[{{window}}]',
        end: END,
        windowMs: 600_000,
        stepMs: 60_000,
      }),
    );
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/api/v1/query_range');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({
      query: 'up{version="2.4.0"}[10m]',
      start: String(END_S - 600),
      end: String(END_S),
      step: '60',
    });
  });

  it('sends GET with the parameters in the URL when method is GET', async () => {
    server.answer(json(200, matrix([])));
    await provider({ method: 'GET' }).query(metricQuery({ query: 'up', end: END }));
    const u = new URL(server.requests[0]?.url ?? '', 'http://x');
    expect(server.requests[0]?.method).toBe('GET');
    expect(u.pathname).toBe('/api/v1/query_range');
    expect(u.searchParams.get('query')).toBe('up');
  });

  it('keeps a path prefix of the base URL (Mimir, Grafana Cloud)', async () => {
    server.answer(json(200, matrix([])));
    await provider({ url: `${base}/prometheus/` }).query(metricQuery({ query: 'up', end: END }));
    expect(server.requests[0]?.url).toBe('/prometheus/api/v1/query_range');
  });

  it('sends extra headers, and basic auth over them', async () => {
    server.answer(json(200, matrix([])));
    await provider({
      headers: { 'X-Scope-OrgID': 'team-a', Authorization: 'Bearer replaced' },
      basic_auth: { username: 'u', password: 'p' },
    }).query(metricQuery({ query: 'up', end: END }));
    expect(server.requests[0]?.headers['x-scope-orgid']).toBe('team-a');
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('sends a bearer token', async () => {
    server.answer(json(200, matrix([])));
    await provider({ bearer_token: 'tok' }).query(metricQuery({ query: 'up', end: END }));
    expect(server.requests[0]?.headers.authorization).toBe('Bearer tok');
  });

  it('uses the config step_ms when the trigger sets none', async () => {
    server.answer(json(200, matrix([])));
    await provider({ step_ms: 30_000 }).query(metricQuery({ query: 'up', end: END }));
    expect(new URLSearchParams(server.requests[0]?.body).get('step')).toBe('30');
  });

  it('runs an instant query at the given time', async () => {
    server.answer(
      json(200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [END_S, '0.5'] }] },
      }),
    );
    const result = await provider().instantQuery('up', END);
    expect(server.requests[0]?.url).toBe('/api/v1/query');
    expect(new URLSearchParams(server.requests[0]?.body).get('time')).toBe(String(END_S));
    expect(result).toEqual({ kind: 'samples', samples: [{ t: END_S, v: 0.5 }] });
  });

  it('reads a scalar result', async () => {
    server.answer(json(200, { status: 'success', data: { resultType: 'scalar', result: [END_S, '3'] } }));
    expect(await provider().instantQuery('vector(3)', END)).toEqual({
      kind: 'samples',
      samples: [{ t: END_S, v: 3 }],
    });
  });

  it('drops NaN and infinite values', async () => {
    server.answer(
      json(
        200,
        matrix([
          {
            metric: {},
            values: [
              [END_S - 120, 'NaN'],
              [END_S - 60, '+Inf'],
              [END_S, '0.25'],
            ],
          },
        ]),
      ),
    );
    const result = await provider().query(metricQuery({ query: 'up', end: END }));
    expect(result).toEqual({ kind: 'samples', samples: [{ t: END_S, v: 0.25 }] });
  });

  it('answers no data when every value is NaN', async () => {
    server.answer(json(200, matrix([{ metric: {}, values: [[END_S, 'NaN']] }])));
    const result = await provider().query(metricQuery({ query: 'up', end: END }));
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data') expect(result.cause).toContain('only NaN or infinite values');
  });

  it('reduces several series per timestamp with reduce: max', async () => {
    server.answer(
      json(
        200,
        matrix([
          {
            metric: { pod: 'a' },
            values: [
              [END_S - 60, '1'],
              [END_S, '5'],
            ],
          },
          { metric: { pod: 'b' }, values: [[END_S, '7']] },
        ]),
      ),
    );
    const result = await provider().query(metricQuery({ query: 'up', end: END, reduce: 'max' }));
    expect(result).toEqual({
      kind: 'samples',
      samples: [
        { t: END_S - 60, v: 1 },
        { t: END_S, v: 7 },
      ],
    });
  });

  it('names the series when several come back without reduce', async () => {
    server.answer(
      json(
        200,
        matrix([
          { metric: { __name__: 'up', pod: 'a' }, values: [[END_S, '1']] },
          { metric: { __name__: 'up', pod: 'b' }, values: [[END_S, '1']] },
        ]),
      ),
    );
    const result = await provider().query(metricQuery({ query: 'up', end: END }));
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data') {
      expect(result.cause).toContain('query returned 2 series (up{pod="a"}, up{pod="b"}), expected one');
    }
  });

  it('surfaces a Prometheus execution error verbatim', async () => {
    server.answer(
      json(422, {
        status: 'error',
        errorType: 'execution',
        error: 'query processing would load too many samples into memory in query execution',
      }),
    );
    const result = await provider().query(metricQuery({ query: 'up', end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `prometheus ${base}: prometheus error execution (HTTP 422); the server said: query processing would load too many samples into memory in query execution`,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a Prometheus timeout (503) and names the attempts when it persists', async () => {
    server.answer(
      json(503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }),
    );
    const result = await provider().query(metricQuery({ query: 'up', end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `prometheus ${base}: prometheus error timeout (HTTP 503 after 3 attempts); the server said: query timed out in expression evaluation`,
    });
    expect(server.requests).toHaveLength(3);
  });

  it('quotes a non-API answer, with an auth hint on 401', async () => {
    server.answer(text(401, 'Unauthorized'));
    const result = await provider().query(metricQuery({ query: 'up', end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `prometheus ${base}: HTTP 401 Unauthorized (check headers, basic_auth or bearer_token); the server said: Unauthorized`,
    });
  });

  it('passes Prometheus warnings along with no data', async () => {
    server.answer(json(200, { ...matrix([]), warnings: ['partial response: store gateway down'] }));
    const result = await provider().query(metricQuery({ query: 'up', end: END }));
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data')
      expect(result.cause).toContain('prometheus warnings: partial response: store gateway down');
  });

  it('answers no data for a trigger without a query', async () => {
    const result = await provider().query(metricQuery({ query: undefined, end: END }));
    expect(result).toEqual({ kind: 'no_data', cause: `prometheus ${base}: trigger error_rate has no query` });
  });

  it.each<[string, Partial<PrometheusConfig>, Partial<MetricQuery>, string, string]>([
    ["the trigger's step", { step_ms: 30_000 }, { stepMs: 120_000 }, '2m', '120'],
    ["the provider's step_ms", { step_ms: 30_000 }, {}, '30s', '30'],
    ['the default for a 10m window', {}, {}, '1m', '60'],
    ['the default for a 24h window', {}, { windowMs: 24 * 3_600_000 }, '173s', '173'],
  ])('renders {{step}} as the step of the range query: %s', async (_name, config, query, step, param) => {
    server.answer(json(200, matrix([])));
    await provider(config).query(metricQuery({ query: 'sum(increase(x[{{step}}]))', end: END, ...query }));
    const form = new URLSearchParams(server.requests[0]?.body);
    expect(form.get('query')).toBe(`sum(increase(x[${step}]))`);
    expect(form.get('step')).toBe(param);
  });

  it.each<[string, number, number]>([
    ['a start on a step reads from the start', 30 * 60, 30 * 60],
    ['a start between steps reads from the first step after it', 29.5 * 60, 28 * 60],
    ['a start at the end reads the end alone', 0, 0],
  ])('reads from the query start: %s', async (_name, startBeforeEnd, firstPointBeforeEnd) => {
    server.answer(json(200, matrix([])));
    await provider().query(
      metricQuery({
        query: 'up',
        end: END,
        start: new Date(END.getTime() - startBeforeEnd * 1000),
        stepMs: 120_000,
      }),
    );
    const form = new URLSearchParams(server.requests[0]?.body);
    expect(form.get('start')).toBe(String(END_S - firstPointBeforeEnd));
    expect(form.get('end')).toBe(String(END_S));
  });

  it('sends a range of exactly 10000 points', async () => {
    server.answer(json(200, matrix([])));
    const start = new Date(END.getTime() - 9999 * 60_000);
    await provider().query(metricQuery({ query: 'up', end: END, start, stepMs: 60_000 }));
    expect(new URLSearchParams(server.requests[0]?.body).get('start')).toBe(String(END_S - 9999 * 60));
  });

  it('refuses a range of more than 10000 points without sending it, naming the step that fits', async () => {
    const start = new Date(END.getTime() - 7 * 86_400_000);
    const result = await provider().query(metricQuery({ query: 'up', end: END, start, stepMs: 60_000 }));
    expect(result).toEqual({
      kind: 'no_data',
      cause:
        `prometheus ${base}: trigger error_rate: query not sent: 2025-12-25T12:00:00Z to 2026-01-01T12:00:00Z ` +
        'at a step of 1m is 10081 points, over the 10000 one query may ask for (Prometheus refuses 11000): ' +
        'make step: on trigger error_rate (or on the provider) at least 61s',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a direct range query of more than 10000 points too', async () => {
    const result = await provider().rangeQuery('up', {
      start: new Date(END.getTime() - 86_400_000),
      end: END,
      stepMs: 1000,
    });
    expect(result.kind === 'no_data' && result.cause).toContain('range query not sent: ');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a start after the end without sending anything', async () => {
    const start = new Date(END.getTime() + 60_000);
    const result = await provider().query(metricQuery({ query: 'up', end: END, start }));
    expect(result).toEqual({
      kind: 'no_data',
      cause:
        `prometheus ${base}: trigger error_rate: query not sent: the range to read starts ` +
        '(2026-01-01T12:01:00Z) after it ends (2026-01-01T12:00:00Z)',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('groups by a label: one group per le, series of one le summed, reduce not used', async () => {
    server.answer(
      json(
        200,
        matrix([
          { metric: { le: '0.25', pod: 'a' }, values: [[END_S, '3']] },
          { metric: { le: '0.25', pod: 'b' }, values: [[END_S, '4']] },
          { metric: { le: '+Inf', pod: 'a' }, values: [[END_S, '10']] },
        ]),
      ),
    );
    const result = await provider().query(
      metricQuery({ query: 'increase(x_bucket[{{step}}])', end: END, groupBy: 'le', reduce: 'max' }),
    );
    expect(result).toEqual({
      kind: 'groups',
      groups: [
        { key: '0.25', samples: [{ t: END_S, v: 7 }] },
        { key: '+Inf', samples: [{ t: END_S, v: 10 }] },
      ],
    });
  });

  it('names the series without the grouping label, and the query', async () => {
    server.answer(json(200, matrix([{ metric: { __name__: 'x_count' }, values: [[END_S, '1']] }])));
    const result = await provider().query(metricQuery({ query: 'x_count', end: END, groupBy: 'le' }));
    expect(result).toEqual({
      kind: 'no_data',
      cause:
        `prometheus ${base}: query returned 1 of 1 series without the label "le" it is grouped by ` +
        `(x_count{}): keep "le" in the query's grouping; query: x_count`,
    });
  });

  it.each(['2.4.0"}', '2.4.0"} or vector(1) #', '2.4.0}', '2.4.0\n'])(
    'refuses the pin value %j before sending any request',
    async (version) => {
      server.answer(json(200, matrix([])));
      const result = await provider().query(
        metricQuery({ query: 'up{version="{{version}}"}', version, end: END }),
      );
      expect(result.kind).toBe('no_data');
      if (result.kind === 'no_data') {
        expect(result.cause).toContain(
          `trigger error_rate: query not sent: pin value ${JSON.stringify(version)}`,
        );
      }
      expect(server.requests).toHaveLength(0);
    },
  );
});

describe('defaultStepMs', () => {
  it.each([
    [30_000, 30_000],
    [600_000, 60_000],
    [2 * 3_600_000, 60_000],
    [24 * 3_600_000, 173_000],
    [7 * 24 * 3_600_000, 1_210_000],
  ])('a %d ms window steps %d ms', (windowMs, stepMs) => {
    expect(defaultStepMs(windowMs)).toBe(stepMs);
  });
});
