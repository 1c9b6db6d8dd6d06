/**
 * Issue 12 at the providers, against loopback servers: URL user info becomes Basic auth (fetch refuses it,
 * quoting the URL whole), a backend's echo of what it was sent is scrubbed of every configured credential
 * and its encoded forms, a server's status message is not repeated, and a redirect to another origin is
 * sent no credential header.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatadogProvider } from '../../src/metrics/datadog.js';
import { createHttpJsonProvider } from '../../src/metrics/http.js';
import { createPrometheusProvider } from '../../src/metrics/prometheus.js';
import type { MetricResult } from '../../src/metrics/provider.js';
import {
  FakeServer,
  type Handler,
  instantRetries,
  json,
  metricQuery,
  type RecordedRequest,
} from './helpers.js';

const END = new Date('2026-01-01T12:00:00Z');
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Answers `status` with a status message and a body that echo the request whole. */
function echo(status: number): Handler {
  return (req: RecordedRequest, res: ServerResponse) => {
    const said = `${req.method} ${req.url} ${JSON.stringify(req.headers)} ${req.body}`;
    res.statusMessage = `denied ${req.headers.authorization ?? ''}`.trim();
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`denied: ${said}`);
  };
}

function causeOf(result: MetricResult): string {
  expect(result.kind).toBe('no_data');
  return result.kind === 'no_data' ? result.cause : '';
}

function expectNone(text: string, secrets: string[]): void {
  for (const s of secrets) expect(text, s).not.toContain(s);
}

describe('provider credentials', () => {
  let server: FakeServer;
  let other: FakeServer;
  let base: string;
  let otherBase: string;

  beforeEach(async () => {
    server = new FakeServer();
    other = new FakeServer().answer(
      json(200, { status: 'success', data: { resultType: 'matrix', result: [] } }),
    );
    base = await server.listen();
    otherBase = await other.listen();
  });

  afterEach(async () => {
    await server.close();
    await other.close();
  });

  it('prometheus: sends URL user info as Basic auth, not in the URL, and never quotes the password', async () => {
    const password = 'p@ss/w:rd+secret';
    const url = new URL(base);
    url.username = 'promuser';
    url.password = encodeURIComponent(password);
    server.answer(echo(401));
    const cause = causeOf(
      await createPrometheusProvider({ type: 'prometheus', url: url.toString() }, instantRetries()).query(
        metricQuery({ query: 'up', end: END }),
      ),
    );
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${b64(`promuser:${password}`)}`);
    expect(cause).toMatch(/^prometheus http:\/\/127\.0\.0\.1:\d+: HTTP 401 Unauthorized \(check headers/);
    expectNone(cause, [password, encodeURIComponent(password), url.password, b64(`promuser:${password}`)]);
  });

  it('prometheus: an explicit Authorization wins over URL user info', async () => {
    const url = new URL(base);
    url.username = 'u';
    url.password = 'urlpass';
    server.answer(json(200, { status: 'success', data: { resultType: 'matrix', result: [] } }));
    await createPrometheusProvider(
      { type: 'prometheus', url: url.toString(), bearer_token: 'tok-123456' },
      instantRetries(),
    ).query(metricQuery({ query: 'up', end: END }));
    expect(server.requests[0]!.headers.authorization).toBe('Bearer tok-123456');
  });

  it('prometheus: scrubs a bearer token, Basic credentials and custom headers out of an echoed error', async () => {
    server.answer(echo(500));
    const secrets = {
      bearer: 'bearer-SECRET-token-1',
      header: 'tenant-SECRET-2',
    };
    const bearer = causeOf(
      await createPrometheusProvider(
        {
          type: 'prometheus',
          url: base,
          bearer_token: secrets.bearer,
          headers: { 'X-Scope-OrgID': secrets.header },
        },
        instantRetries(),
      ).query(metricQuery({ query: 'up', end: END })),
    );
    expect(bearer).toContain(
      'HTTP 500 Internal Server Error after 3 attempts; the server said: denied: POST',
    );
    expectNone(bearer, Object.values(secrets));
    const basic = causeOf(
      await createPrometheusProvider(
        { type: 'prometheus', url: base, basic_auth: { username: 'bob', password: 'basic-SECRET-3' } },
        instantRetries(),
      ).query(metricQuery({ query: 'up', end: END })),
    );
    expectNone(basic, ['basic-SECRET-3', b64('bob:basic-SECRET-3')]);
  });

  it('prometheus: an invalid URL is not quoted', async () => {
    const cause = causeOf(
      await createPrometheusProvider({ type: 'prometheus', url: 'http://u:secret-pw@[bad' }).query(
        metricQuery({ query: 'up', end: END }),
      ),
    );
    expect(cause).not.toContain('secret-pw');
  });

  it('datadog: scrubs both keys out of an echoed 403 (JSON errors list and plain text)', async () => {
    const config = {
      type: 'datadog' as const,
      api_key: 'dd-api-SECRET',
      app_key: 'dd-app-SECRET',
      base_url: base,
    };
    server.answer((req, res) => {
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [`Forbidden: ${JSON.stringify(req.headers)}`] }));
    });
    const listed = causeOf(
      await createDatadogProvider(config, instantRetries()).query(
        metricQuery({ query: 'avg:x{*}', end: END }),
      ),
    );
    expect(listed).toContain(
      'HTTP 403 Forbidden (check api_key, app_key and site); the server said: datadog errors:',
    );
    expectNone(listed, [config.api_key, config.app_key]);
    server.answer(echo(401));
    const plain = causeOf(
      await createDatadogProvider(config, instantRetries()).query(
        metricQuery({ query: 'avg:x{*}', end: END }),
      ),
    );
    expectNone(plain, [config.api_key, config.app_key]);
  });

  it('http: scrubs header values and query-string keys, raw and URL-encoded', async () => {
    const key = 'q key/SECRET+4';
    server.answer(echo(404));
    const cause = causeOf(
      await createHttpJsonProvider(
        {
          type: 'http',
          url: `${base}/m?api_key=${encodeURIComponent(key)}`,
          headers: { 'X-Api-Key': 'x-api-SECRET-5', Authorization: 'Token tok-SECRET-6' },
          select: '$.v',
        },
        instantRetries(),
      ).query(metricQuery({ end: END })),
    );
    expect(cause).toMatch(/^http http:\/\/127\.0\.0\.1:\d+\/m: HTTP 404 Not Found; the server said: denied/);
    expectNone(cause, [key, encodeURIComponent(key), 'x-api-SECRET-5', 'tok-SECRET-6']);
  });

  it.each([
    ['prometheus', 307],
    ['datadog', 302],
    ['http', 308],
  ] as const)('%s: a redirect (%i) to another origin is sent no credential header', async (type, status) => {
    server.answer((_req, res) => res.writeHead(status, { location: `${otherBase}/elsewhere` }).end());
    const q = metricQuery({ query: 'up', end: END });
    if (type === 'prometheus') {
      await createPrometheusProvider(
        { type, url: base, bearer_token: 'b-SECRET', headers: { 'X-Api-Key': 'h-SECRET' } },
        instantRetries(),
      ).query(q);
    } else if (type === 'datadog') {
      await createDatadogProvider(
        { type, api_key: 'dd-SECRET', app_key: 'app-SECRET', base_url: base },
        instantRetries(),
      ).query(q);
    } else {
      await createHttpJsonProvider(
        {
          type,
          url: `${base}/m`,
          headers: { 'X-Api-Key': 'h-SECRET', 'X-Custom': 'c-SECRET' },
          select: '$.v',
        },
        instantRetries(),
      ).query(q);
    }
    expect(server.requests).toHaveLength(1);
    expect(other.requests.length).toBeGreaterThan(0);
    const sent = other.requests[0]!;
    expect(sent.url).toBe('/elsewhere');
    expect(JSON.stringify(sent.headers)).not.toContain('SECRET');
    expect(Object.keys(sent.headers)).not.toContain('authorization');
    expect(Object.keys(sent.headers)).not.toContain('dd-api-key');
    expect(Object.keys(sent.headers)).not.toContain('x-api-key');
    // 307 and 308 keep the method and body, as fetch does.
    if (status !== 302) expect(sent.method).toBe(server.requests[0]!.method);
  });

  it('a redirect within the origin keeps the headers', async () => {
    server.answer((_req, res) => res.writeHead(302, { location: '/moved' }).end(), json(200, { v: 1 }));
    await createHttpJsonProvider(
      { type: 'http', url: `${base}/m`, headers: { 'X-Api-Key': 'same-origin' }, select: '$.v' },
      instantRetries(),
    ).query(metricQuery({ end: END }));
    expect(server.requests.map((r) => [r.url, r.headers['x-api-key']])).toEqual([
      ['/m', 'same-origin'],
      ['/moved', 'same-origin'],
    ]);
  });
});
