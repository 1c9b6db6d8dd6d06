/**
 * The Datadog provider against a local server answering the shapes of Datadog's published API client
 * (DataDog/datadog-api-client-typescript, v1 MetricsQueryResponse / MetricsQueryMetadata / APIErrorResponse).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDatadogProvider,
  type DatadogConfig,
  datadogBaseUrl,
  datadogDefaultStepMs,
} from '../../src/metrics/datadog.js';
import type { MetricQuery } from '../../src/metrics/provider.js';
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

const BUCKETS_QUERY =
  'sum:request.latency.bucket{service:api,version:{{version}}} by {le}.as_count().rollup(sum, {{step}})';

/**
 * Datadog's answer to `sum:request.latency.bucket{service:api,version:2.4.0} by {le}.as_count()`: one
 * series per `le`, its scope the query's filter and the group's tag, its `tag_set` the group's tags.
 */
function bucketsAnswer(buckets: Record<string, Array<[number, number | null]>>) {
  return {
    status: 'ok',
    res_type: 'time_series',
    resp_version: 1,
    query: 'sum:request.latency.bucket{service:api,version:2.4.0} by {le}.as_count()',
    from_date: END_MS - 600_000,
    to_date: END_MS,
    group_by: ['le'],
    message: '',
    series: Object.entries(buckets).map(([le, pointlist]) => ({
      metric: 'request.latency.bucket',
      display_name: 'request.latency.bucket',
      expression: `sum:request.latency.bucket{le:${le},service:api,version:2.4.0}.as_count()`,
      scope: `le:${le},service:api,version:2.4.0`,
      tag_set: [`le:${le}`],
      aggr: 'sum',
      interval: 60,
      length: pointlist.length,
      start: END_MS - 60_000,
      end: END_MS,
      pointlist,
      query_index: 0,
      unit: null,
    })),
  };
}

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

  it('reads from the query start when it is given', async () => {
    server.answer(json(200, ONE_SERIES));
    const start = new Date(END_MS - 3_600_000);
    await createDatadogProvider(config).query(metricQuery({ query: QUERY, end: END, start }));
    const u = new URL(server.requests[0]!.url, 'http://x');
    expect(u.searchParams.get('from')).toBe(String(END_MS / 1000 - 3600));
    expect(u.searchParams.get('to')).toBe(String(END_MS / 1000));
  });

  it.each<[string, Partial<MetricQuery>, string]>([
    ["the trigger's step", { stepMs: 120_000 }, '120'],
    ['the default for a 10m window', {}, '60'],
    [
      'the default coarsened to 1500 points over a 2-day range',
      { start: new Date(END_MS - 2 * 86_400_000) },
      '116',
    ],
  ])('renders {{step}} in seconds: %s', async (_name, query, step) => {
    server.answer(json(200, ONE_SERIES));
    await createDatadogProvider(config).query(
      metricQuery({ query: 'sum:errors{*}.as_count().rollup(sum, {{step}})', end: END, ...query }),
    );
    const u = new URL(server.requests[0]!.url, 'http://x');
    expect(u.searchParams.get('query')).toBe(`sum:errors{*}.as_count().rollup(sum, ${step})`);
  });

  it('groups a `by {le}` answer by the le tag of each series', async () => {
    server.answer(
      json(
        200,
        bucketsAnswer({
          '0.25': [
            [END_MS - 60_000, 40],
            [END_MS, null],
          ],
          '0.5': [
            [END_MS - 60_000, 55],
            [END_MS, 58],
          ],
          inf: [
            [END_MS - 60_000, 60],
            [END_MS, 61],
          ],
        }),
      ),
    );
    const result = await createDatadogProvider(config).query(
      metricQuery({ query: BUCKETS_QUERY, end: END, part: 'buckets', groupBy: 'le' }),
    );
    expect(server.requests[0] && new URL(server.requests[0].url, 'http://x').searchParams.get('query')).toBe(
      'sum:request.latency.bucket{service:api,version:2.4.0} by {le}.as_count().rollup(sum, 60)',
    );
    expect(result).toEqual({
      kind: 'groups',
      groups: [
        { key: '0.25', samples: [{ t: END_MS / 1000 - 60, v: 40 }] },
        {
          key: '0.5',
          samples: [
            { t: END_MS / 1000 - 60, v: 55 },
            { t: END_MS / 1000, v: 58 },
          ],
        },
        {
          key: 'inf',
          samples: [
            { t: END_MS / 1000 - 60, v: 60 },
            { t: END_MS / 1000, v: 61 },
          ],
        },
      ],
    });
  });

  it('finds the group tag in the scope when the series has no tag_set', async () => {
    const answer = bucketsAnswer({ '0.1': [[END_MS, 5]] });
    const [only] = answer.series;
    server.answer(json(200, { ...answer, series: [{ ...only, tag_set: undefined }] }));
    const result = await createDatadogProvider(config).query(
      metricQuery({ query: BUCKETS_QUERY, end: END, groupBy: 'le' }),
    );
    expect(result).toEqual({
      kind: 'groups',
      groups: [{ key: '0.1', samples: [{ t: END_MS / 1000, v: 5 }] }],
    });
  });

  it('names the series without the group tag, and the query', async () => {
    server.answer(json(200, ONE_SERIES));
    const result = await createDatadogProvider(config).query(
      metricQuery({ query: QUERY, end: END, groupBy: 'le' }),
    );
    expect(result.kind === 'no_data' && result.cause).toBe(
      `datadog ${config.base_url}: query returned 1 of 1 series without the label "le" it is grouped by ` +
        `(service:support-agent,version:2.4.0): keep "le" in the query's grouping; query: ` +
        'sum:trace.http.request.errors{service:support-agent,version:2.4.0}.as_rate().rollup(avg, 600)',
    );
  });

  it('surfaces a status error verbatim', async () => {
    server.answer(
      json(200, { status: 'error', error: "Rule 'rollup' is not a valid aggregator", series: [] }),
    );
    const result = await createDatadogProvider(config).query(metricQuery({ query: QUERY, end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `datadog ${config.base_url}: datadog error; the server said: Rule 'rollup' is not a valid aggregator`,
    });
  });

  it('surfaces an errors list verbatim, with a hint on forbidden keys, and does not retry a 4xx', async () => {
    server.answer(json(403, { errors: ['Forbidden'] }));
    const result = await createDatadogProvider(config, instantRetries()).query(
      metricQuery({ query: QUERY, end: END }),
    );
    expect(result).toEqual({
      kind: 'no_data',
      cause: `datadog ${config.base_url}: HTTP 403 Forbidden (check api_key, app_key and site); the server said: datadog errors: Forbidden`,
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
      cause: `datadog ${config.base_url}: HTTP 500 Internal Server Error after 3 attempts; the server said: internal error`,
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

describe('datadogDefaultStepMs', () => {
  it.each([
    [600_000, 600_000, 60_000],
    [600_000, 86_400_000, 60_000],
    [600_000, 2 * 86_400_000, 116_000],
    [24 * 3_600_000, 24 * 3_600_000, 173_000],
  ])('a %d ms window over a %d ms range steps %d ms', (windowMs, rangeMs, stepMs) => {
    expect(datadogDefaultStepMs(windowMs, rangeMs)).toBe(stepMs);
  });
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
