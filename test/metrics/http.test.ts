import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkSelect, createHttpJsonProvider, type HttpJsonConfig } from '../../src/metrics/http.js';
import { FakeServer, instantRetries, json, metricQuery, text } from './helpers.js';

const END = new Date('2026-01-01T12:00:00Z');
const END_S = END.getTime() / 1000;

describe('http provider', () => {
  let server: FakeServer;
  let base: string;

  beforeEach(async () => {
    server = new FakeServer();
    base = await server.listen();
  });

  afterEach(async () => {
    await server.close();
  });

  function provider(config: Partial<HttpJsonConfig>) {
    return createHttpJsonProvider(
      { type: 'http', url: `${base}/metrics`, select: '$.data.value', ...config },
      instantRetries(),
    );
  }

  it('fills the URL template with percent-encoded values', async () => {
    server.answer(json(200, { data: { value: 0.05 } }));
    await provider({
      url: `${base}/api/{{service}}/errors?version={{version}}&q={{query}}&from={{start}}&to={{end}}&w={{window_seconds}}`,
    }).query(metricQuery({ version: '2.4.0+build.7', query: 'errors{v="{{version}}"}', end: END }));

    expect(server.requests[0]?.url).toBe(
      `/api/support-agent/errors?version=2.4.0%2Bbuild.7&q=errors%7Bv%3D%222.4.0%2Bbuild.7%22%7D&from=${END_S - 600}&to=${END_S}&w=600`,
    );
  });

  it('fills {{start}} from the query start, {{step}} Prometheus-style and {{step_seconds}} in seconds', async () => {
    server.answer(json(200, { data: { value: 5 } }));
    await provider({
      url: `${base}/q?from={{start}}&to={{end}}&step={{step_seconds}}&w={{window}}&q={{query}}`,
    }).query(
      metricQuery({
        query: 'sum(increase(errors_total[{{step}}]))',
        start: new Date(END.getTime() - 3_600_000),
        stepMs: 120_000,
        end: END,
      }),
    );
    const u = new URL(server.requests[0]?.url ?? '', 'http://x');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      from: String(END_S - 3600),
      to: String(END_S),
      step: '120',
      w: '10m',
      q: 'sum(increase(errors_total[2m]))',
    });
  });

  it('fills {{step}} with the default step when the trigger sets none', async () => {
    server.answer(json(200, { data: { value: 5 } }));
    await provider({ url: `${base}/q?s={{step}}&ss={{step_seconds}}` }).query(metricQuery({ end: END }));
    expect(server.requests[0]?.url).toBe('/q?s=1m&ss=60');
  });

  it('POSTs the body template with JSON-escaped values', async () => {
    server.answer(json(200, { data: { value: 0.05 } }));
    await provider({
      body: '{"service":"{{service}}","filter":"{{args.filter}}","trigger":"{{trigger}}"}',
      headers: { authorization: 'Token t' },
    }).query(metricQuery({ args: { filter: 'route="/chat"\n' }, end: END }));

    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers.authorization).toBe('Token t');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      service: 'support-agent',
      filter: 'route="/chat"\n',
      trigger: 'error_rate',
    });
  });

  it('refuses a body with method GET without sending anything', async () => {
    const result = await provider({ method: 'GET', body: '{}' }).query(metricQuery({ end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `http ${base}/metrics: a body needs method: POST (a GET request cannot carry one)`,
    });
    expect(server.requests).toHaveLength(0);
  });

  // Values without a time of their own are placed by position, and the answer says so.
  const untimed = { timed: false } as const;
  it.each<[string, unknown, string, Array<{ t: number; v: number }>, { timed?: false }?]>([
    ['a number', { data: { value: 0.05 } }, '$.data.value', [{ t: END_S, v: 0.05 }], untimed],
    ['a numeric string', { data: { value: '0.05' } }, '$.data.value', [{ t: END_S, v: 0.05 }], untimed],
    [
      'an array of numbers, one a minute up to the end',
      { data: { values: [1, 2, 3] } },
      '$.data.values',
      [
        { t: END_S - 120, v: 1 },
        { t: END_S - 60, v: 2 },
        { t: END_S, v: 3 },
      ],
      untimed,
    ],
    [
      'several matches that are numbers',
      { rows: [{ v: 1 }, { v: 2 }] },
      '$.rows[*].v',
      [
        { t: END_S - 60, v: 1 },
        { t: END_S, v: 2 },
      ],
      untimed,
    ],
    [
      '[seconds, value] pairs, sorted oldest first',
      {
        result: [
          [END_S, '0.2'],
          [END_S - 60, '0.1'],
        ],
      },
      '$.result',
      [
        { t: END_S - 60, v: 0.1 },
        { t: END_S, v: 0.2 },
      ],
    ],
    ['one [seconds, value] pair', { result: [END_S, '0.2'] }, '$.result', [{ t: END_S, v: 0.2 }]],
    ['[milliseconds, value] pairs', { result: [[END_S * 1000, 0.3]] }, '$.result', [{ t: END_S, v: 0.3 }]],
    [
      'objects with time and value fields, an ISO time among them, nulls skipped',
      {
        points: [
          { time: END_S - 60, value: 4 },
          { time: '2026-01-01T12:00:00Z', value: 5 },
          { time: END_S - 30, value: null },
        ],
      },
      '$.points',
      [
        { t: END_S - 60, v: 4 },
        { t: END_S, v: 5 },
      ],
    ],
    [
      'two values that are not a pair',
      { values: [0.1, 0.2] },
      '$.values',
      [
        { t: END_S - 60, v: 0.1 },
        { t: END_S, v: 0.2 },
      ],
      untimed,
    ],
  ])('reads %s', async (_name, body, select, samples, timing = {}) => {
    server.answer(json(200, body));
    const result = await provider({ select }).query(metricQuery({ end: END }));
    expect(result).toStrictEqual({ kind: 'samples', samples, ...timing });
  });

  it('reads objects through configured time_field and value_field', async () => {
    server.answer(json(200, { series: [{ ts: END_S, errors: 0.07 }] }));
    const result = await provider({ select: '$.series', time_field: 'ts', value_field: 'errors' }).query(
      metricQuery({ end: END }),
    );
    expect(result).toEqual({ kind: 'samples', samples: [{ t: END_S, v: 0.07 }] });
  });

  it('groups objects by their groupBy field: keys as strings, one key and time summed, oldest first', async () => {
    server.answer(
      json(200, {
        buckets: [
          { le: '0.25', time: END_S, value: 6 },
          { le: '0.25', time: END_S - 60, value: 5 },
          { le: 0.5, time: END_S, value: 1 },
          { le: 0.5, time: END_S, value: 2 },
          { le: '+Inf', time: END_S, value: null },
          { le: '+Inf', time: END_S - 60, value: 9 },
        ],
      }),
    );
    const result = await provider({ select: '$.buckets' }).query(
      metricQuery({ end: END, part: 'buckets', groupBy: 'le' }),
    );
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
        { key: '0.5', samples: [{ t: END_S, v: 3 }] },
        { key: '+Inf', samples: [{ t: END_S - 60, v: 9 }] },
      ],
    });
    expect(result).not.toHaveProperty('timed');
  });

  it('spreads untimed objects of each group one a minute up to the end', async () => {
    server.answer(
      json(200, {
        rows: [
          { bucket: 'fast', count: 1 },
          { bucket: 'slow', count: 7 },
          { bucket: 'fast', count: 2 },
        ],
      }),
    );
    const result = await provider({ select: '$.rows', value_field: 'count' }).query(
      metricQuery({ end: END, groupBy: 'bucket' }),
    );
    expect(result).toEqual({
      kind: 'groups',
      groups: [
        {
          key: 'fast',
          samples: [
            { t: END_S - 60, v: 1 },
            { t: END_S, v: 2 },
          ],
        },
        { key: 'slow', samples: [{ t: END_S, v: 7 }] },
      ],
      timed: false,
    });
  });

  it.each<[string, unknown, string]>([
    [
      'a number',
      { buckets: [1, 2] },
      'matched a number 1; the trigger is grouped by "le", so select must match objects each with a "le" field',
    ],
    [
      'an object without the field',
      { buckets: [{ bound: '0.1', value: 1 }] },
      'matched an object without "le": {"bound":"0.1","value":1}; the trigger is grouped by "le"',
    ],
    [
      'an object whose field is not a string or number',
      { buckets: [{ le: true, value: 1 }] },
      'matched an object without "le": {"le":true,"value":1}',
    ],
    [
      'an object without a numeric value',
      { buckets: [{ le: '0.1', value: 'many' }] },
      'matched an object without a numeric "value" (set value_field)',
    ],
    ['only nulls', { buckets: [null, { le: '0.1', value: null }] }, 'matched only nulls'],
  ])('answers no data when grouping meets %s', async (_name, body, cause) => {
    server.answer(json(200, body));
    const result = await provider({ select: '$.buckets' }).query(metricQuery({ end: END, groupBy: 'le' }));
    expect(result.kind === 'no_data' && result.cause).toContain(
      `http ${base}/metrics: select $.buckets ${cause}`,
    );
  });

  it('answers no data when select matches nothing, naming the top-level keys', async () => {
    server.answer(json(200, { status: 'ok', result: {} }));
    const result = await provider({}).query(metricQuery({ end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `http ${base}/metrics: select $.data.value matched nothing in the answer (top-level keys: status, result)`,
    });
  });

  it('answers no data when select matches something that is not a number', async () => {
    server.answer(json(200, { data: { value: 'high' } }));
    const result = await provider({}).query(metricQuery({ end: END }));
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data') expect(result.cause).toContain('matched a string "high", not a number');
  });

  it('answers no data for an invalid select, and checkSelect says why', async () => {
    server.answer(json(200, { data: { value: 1 } }));
    const result = await provider({ select: '$.data[' }).query(metricQuery({ end: END }));
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data') expect(result.cause).toContain('is not a valid JSONPath');
    expect(checkSelect('$.data[')).toContain('select "$.data[" is not a valid JSONPath');
    expect(checkSelect('$.data.value')).toBeUndefined();
  });

  it('answers no data for an answer that is not JSON', async () => {
    server.answer(text(200, '<html>login</html>'));
    const result = await provider({}).query(metricQuery({ end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `http ${base}/metrics: the answer is not JSON; the server said: <html>login</html>`,
    });
  });

  it('retries a 5xx and reads the answer that follows', async () => {
    server.answer(text(503, 'warming up'), json(200, { data: { value: 1 } }));
    const result = await provider({}).query(metricQuery({ end: END }));
    expect(result).toEqual({ kind: 'samples', samples: [{ t: END_S, v: 1 }], timed: false });
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a 4xx other than 429', async () => {
    server.answer(text(404, 'no such metric'), json(200, { data: { value: 1 } }));
    const result = await provider({}).query(metricQuery({ end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `http ${base}/metrics: HTTP 404 Not Found; the server said: no such metric`,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('honours Retry-After on a 429', async () => {
    server.answer(text(429, 'slow down', { 'retry-after': '2' }), json(200, { data: { value: 1 } }));
    const retries = instantRetries();
    const result = await createHttpJsonProvider(
      { type: 'http', url: `${base}/metrics`, select: '$.data.value' },
      retries,
    ).query(metricQuery({ end: END }));
    expect(result.kind).toBe('samples');
    expect(retries.waits).toEqual([2000]);
  });

  it('refuses an answer over the size cap, streamed without Content-Length', async () => {
    server.answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":{"pad":"');
      res.write('x'.repeat(8192));
      res.end('","value":1}}');
    });
    const result = await createHttpJsonProvider(
      { type: 'http', url: `${base}/metrics`, select: '$.data.value' },
      { ...instantRetries(), maxBodyBytes: 4096 },
    ).query(metricQuery({ end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `http ${base}/metrics: response body is larger than the 4 KiB cap (narrow the query)`,
    });
    expect(server.requests).toHaveLength(1);
  });

  it.each(['2.4.0"}', '2.4.0}', '2.4.0&admin=1', '../2.4.0', '2.4.0"," evil":"'])(
    'refuses the pin value %j before sending any request',
    async (version) => {
      server.answer(json(200, { data: { value: 1 } }));
      const result = await provider({
        url: `${base}/q?v={{version}}`,
        body: '{"v":"{{version}}"}',
      }).query(metricQuery({ version, end: END }));
      expect(result.kind).toBe('no_data');
      if (result.kind === 'no_data') expect(result.cause).toContain('is not a valid version');
      expect(server.requests).toHaveLength(0);
    },
  );

  it('names an unknown placeholder and sends nothing', async () => {
    const result = await provider({ url: `${base}/q?env={{env}}` }).query(metricQuery({ end: END }));
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data') expect(result.cause).toContain('unknown placeholder {{env}}');
    expect(server.requests).toHaveLength(0);
  });

  it('answers no data with a connection cause when nothing listens', async () => {
    await server.close();
    const result = await provider({}).query(metricQuery({ end: END }));
    expect(result).toEqual({
      kind: 'no_data',
      cause: `http ${base}/metrics: connection refused after 3 attempts`,
    });
  });
});

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!haveOpenssl())('http provider over TLS with a self-signed certificate', () => {
  let dir: string;
  let caFile: string;
  let server: FakeServer;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pinback-tls-'));
    caFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        caFile,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    server = new FakeServer(
      createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }),
      'https',
    ).answer(json(200, { data: { value: 0.5 } }));
    base = await server.listen();
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the certificate without ca, saying to set ca', async () => {
    const result = await createHttpJsonProvider(
      { type: 'http', url: `${base}/m`, select: '$.data.value' },
      instantRetries(),
    ).query(metricQuery({ end: END }));
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data') expect(result.cause).toMatch(/TLS certificate not accepted .*set ca:/);
  });

  it('trusts the certificate given as ca', async () => {
    const p = createHttpJsonProvider({ type: 'http', url: `${base}/m`, select: '$.data.value', ca: caFile });
    const result = await p.query(metricQuery({ end: END }));
    await p.close();
    expect(result).toEqual({ kind: 'samples', samples: [{ t: END_S, v: 0.5 }], timed: false });
  });

  it('accepts any certificate with insecure_skip_verify', async () => {
    const p = createHttpJsonProvider({
      type: 'http',
      url: `${base}/m`,
      select: '$.data.value',
      insecure_skip_verify: true,
    });
    const result = await p.query(metricQuery({ end: END }));
    await p.close();
    expect(result).toEqual({ kind: 'samples', samples: [{ t: END_S, v: 0.5 }], timed: false });
  });
});
