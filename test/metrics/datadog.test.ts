/**
 * The Datadog provider against a local server answering the shapes of Datadog's published API client
 * (DataDog/datadog-api-client-typescript, v1 MetricsQueryResponse / MetricsQueryMetadata / APIErrorResponse).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatadogProvider, type DatadogConfig, datadogBaseUrl } from '../../src/metrics/datadog.js';
import { FakeServer, hang, instantRetries, json, metricQuery, text } from './helpers.js';

const END = new Date('2026-01-01T12:00:00Z');
const END_MS = END.getTime();
const QUERY =
  'sum:trace.http.request.errors{service:{{service}},version:{{version}}}.as_rate().rollup(avg, {{window}})';

function okAnswer(series: Array<{ scope: string; pointlist: Array<[number, number | null]> }>) {
  return {
    status: 'ok',
    res_type: 'time_series',
    query: 'q',
    from_date: END_MS - 600_000,
    to_date: END_MS,
    group_by: [],
    message: '',
    series: series.map((s) => ({
      ...s,
      metric: 'trace.http.request.errors',
      expression: `sum:trace.http.request.errors{${s.scope}}`,
      display_name: 'trace.http.request.errors',
      aggr: 'sum',
      interval: 60,
      length: s.pointlist.length,
      start: END_MS - 600_000,
      end: END_MS,
      tag_set: s.scope.split(','),
      unit: null,
    })),
  };
}

const ONE_SERIES = okAnswer([
  {
    scope: 'service:support-agent,version:2.4.0',
    pointlist: [
      [END_MS - 120_000, 0.07],
      [END_MS - 60_000, null],
      [END_MS, 0.09],
    ],
  },
]);

describe('datadog provider', () => {
  let server: FakeServer;
  let config: DatadogConfig;

  beforeEach(async () => {
    server = new FakeServer();
    const url = await server.listen();
    config = { type: 'datadog', api_key: 'api-123', app_key: 'app-456', base_url: url };
  });

  afterEach(async () => {
    await server.close();
  });

  it('queries /api/v1/query over the window with both keys and the rendered query', async () => {
    server.answer(json(200, ONE_SERIES));
    await createDatadogProvider(config, instantRetries()).query(metricQuery({ query: QUERY, end: END }));

    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    const u = new URL(req!.url, 'http://x');
    expect(req!.method).toBe('GET');
    expect(u.pathname).toBe('/api/v1/query');
    expect(u.searchParams.get('from')).toBe(String(END_MS / 1000 - 600));
    expect(u.searchParams.get('to')).toBe(String(END_MS / 1000));
    expect(u.searchParams.get('query')).toBe(
      'sum:trace.http.request.errors{service:support-agent,version:2.4.0}.as_rate().rollup(avg, 600)',
    );
    expect(req!.headers['dd-api-key']).toBe('api-123');
    expect(req!.headers['dd-application-key']).toBe('app-456');
  });

  it('turns the pointlist into samples in seconds, leaving out null points', async () => {
    server.answer(json(200, ONE_SERIES));
    const result = await createDatadogProvider(config).query(metricQuery({ query: QUERY, end: END }));
    expect(result).toEqual({
      kind: 'samples',
      samples: [
        { t: END_MS / 1000 - 120, v: 0.07 },
        { t: END_MS / 1000, v: 0.09 },
      ],
    });
  });

  it('answers no data when Datadog returns no series', async () => {
    server.answer(json(200, okAnswer([])));
    const result = await createDatadogProvider(config).query(metricQuery({ query: QUERY, end: END }));
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data') expect(result.cause).toContain('query returned no series');
  });

  it('refuses several series without reduce, and averages them per timestamp with reduce: mean', async () => {
    const two = okAnswer([
      { scope: 'pod:a', pointlist: [[END_MS, 0.02]] },
      { scope: 'pod:b', pointlist: [[END_MS, 0.04]] },
    ]);
    server.answer(json(200, two));
    const provider = createDatadogProvider(config);

    const refused = await provider.query(metricQuery({ query: QUERY, end: END }));
    expect(refused.kind).toBe('no_data');
    if (refused.kind === 'no_data') {
      expect(refused.cause).toContain('query returned 2 series (pod:a, pod:b)');
      expect(refused.cause).toContain('reduce: sum|max|mean|min');
    }

    const mean = await provider.query(metricQuery({ query: QUERY, end: END, reduce: 'mean' }));
    expect(mean).toEqual({ kind: 'samples', samples: [{ t: END_MS / 1000, v: expect.closeTo(0.03, 10) }] });
  });

  it('surfaces a status error verbatim', async () => {
    server.answer(
      json(200, { status: 'error', error: "Rule 'rollup' is not a valid aggregator", series: [] }),
    );
    const result = await createDatadogProvider(config).query(metricQuery({ query: QUERY, end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `datadog ${config.base_url}: datadog error: Rule 'rollup' is not a valid aggregator`,
    });
  });

  it('surfaces an errors list verbatim, with a hint on forbidden keys, and does not retry a 4xx', async () => {
    server.answer(json(403, { errors: ['Forbidden'] }));
    const result = await createDatadogProvider(config, instantRetries()).query(
      metricQuery({ query: QUERY, end: END }),
    );
    expect(result).toEqual({
      kind: 'no_data',
      cause: `datadog ${config.base_url}: HTTP 403 Forbidden (check api_key, app_key and site): datadog errors: Forbidden`,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('waits X-RateLimit-Reset seconds after a 429, then reads the answer', async () => {
    server.answer(
      json(
        429,
        { errors: ['Rate limit of 100 requests in 3600 seconds reached. Please try again later.'] },
        {
          'x-ratelimit-limit': '100',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '7',
          'x-ratelimit-period': '3600',
        },
      ),
      json(200, ONE_SERIES),
    );
    const retries = instantRetries();
    const result = await createDatadogProvider(config, retries).query(
      metricQuery({ query: QUERY, end: END }),
    );
    expect(result.kind).toBe('samples');
    expect(retries.waits).toEqual([7000]);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up when X-RateLimit-Reset asks for more than the maximum wait', async () => {
    server.answer(
      json(
        429,
        { errors: ['Rate limit reached'] },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800' },
      ),
    );
    const retries = instantRetries();
    const result = await createDatadogProvider(config, retries).query(
      metricQuery({ query: QUERY, end: END }),
    );
    expect(result).toEqual({
      kind: 'no_data',
      cause: `datadog ${config.base_url}: HTTP 429 rate limited: the server asks to wait 1800 s, longer than the 30 s allowed`,
    });
    expect(retries.waits).toEqual([]);
  });

  it('retries a 5xx and reads the answer that follows', async () => {
    server.answer(text(502, 'bad gateway'), json(200, ONE_SERIES));
    const retries = instantRetries();
    const result = await createDatadogProvider(config, retries).query(
      metricQuery({ query: QUERY, end: END }),
    );
    expect(result.kind).toBe('samples');
    expect(server.requests).toHaveLength(2);
    expect(retries.waits).toEqual([125]);
  });

  it('names the status and the attempts when every try fails with a 5xx', async () => {
    server.answer(text(500, 'internal error'));
    const result = await createDatadogProvider(config, instantRetries()).query(
      metricQuery({ query: QUERY, end: END }),
    );
    expect(result).toEqual({
      kind: 'no_data',
      cause: `datadog ${config.base_url}: HTTP 500 Internal Server Error after 3 attempts: internal error`,
    });
  });

  it('times out a silent server after timeout_ms, per attempt', async () => {
    server.answer(hang);
    const result = await createDatadogProvider(
      { ...config, timeout_ms: 100 },
      {
        ...instantRetries(),
        retry: { attempts: 2 },
      },
    ).query(metricQuery({ query: QUERY, end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `datadog ${config.base_url}: timed out after 100 ms after 2 attempts`,
    });
    expect(server.requests).toHaveLength(2);
  });

  it('refuses an answer over the size cap', async () => {
    server.answer(json(200, { ...ONE_SERIES, padding: 'x'.repeat(10_000) }));
    const result = await createDatadogProvider(config, { ...instantRetries(), maxBodyBytes: 4096 }).query(
      metricQuery({ query: QUERY, end: END }),
    );
    expect(result).toEqual({
      kind: 'no_data',
      cause: `datadog ${config.base_url}: response body is larger than the 4 KiB cap (narrow the query)`,
    });
  });

  it.each(['2.4.0"}', '2.4.0}', '2.4.0,service:other', '2.4.0 OR *'])(
    'refuses the pin value %j before sending any request',
    async (version) => {
      server.answer(json(200, ONE_SERIES));
      const result = await createDatadogProvider(config).query(
        metricQuery({ query: QUERY, end: END, version }),
      );
      expect(result.kind).toBe('no_data');
      if (result.kind === 'no_data') expect(result.cause).toContain('is not a valid version');
      expect(server.requests).toHaveLength(0);
    },
  );
});

describe('datadogBaseUrl', () => {
  it.each([
    [{}, 'https://api.datadoghq.com'],
    [{ site: 'datadoghq.eu' }, 'https://api.datadoghq.eu'],
    [{ site: 'us5.datadoghq.com' }, 'https://api.us5.datadoghq.com'],
    [{ site: 'app.datadoghq.eu' }, 'https://api.datadoghq.eu'],
    [{ site: 'https://api.ddog-gov.com/' }, 'https://api.ddog-gov.com'],
    [{ site: 'datadoghq.eu', base_url: 'http://127.0.0.1:9/' }, 'http://127.0.0.1:9'],
  ])('%j -> %s', (config, url) => {
    expect(datadogBaseUrl(config)).toBe(url);
  });
});
