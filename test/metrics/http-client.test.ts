import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  describeUrl,
  isRetryableStatus,
  requestedWaitMs,
} from '../../src/metrics/http-client.js';
import { FakeServer, hang, instantRetries, json, text } from './helpers.js';

function headers(values: Record<string, string>): { get(name: string): string | null } {
  return { get: (name: string) => values[name.toLowerCase()] ?? null };
}

describe('requestedWaitMs', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');

  it.each([
    [{ 'retry-after': '7' }, 7000],
    [{ 'retry-after': '1.5' }, 1500],
    [{ 'retry-after': 'Thu, 01 Jan 2026 12:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'Thu, 01 Jan 2026 11:00:00 GMT' }, 0],
    [{ 'x-ratelimit-reset': '12' }, 12_000],
    [{ 'x-ratelimit-reset': String(now / 1000 + 20) }, 20_000],
    [{ 'retry-after': '3', 'x-ratelimit-reset': '12' }, 3000],
    [{}, undefined],
    [{ 'retry-after': 'soon' }, undefined],
  ])('reads %j as %s ms', (h, ms) => {
    expect(requestedWaitMs(headers(h), now)).toBe(ms);
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [408, true],
    [501, false],
    [400, false],
    [401, false],
    [404, false],
    [422, false],
    [200, false],
  ])('HTTP %d retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});

describe('describeUrl', () => {
  it.each([
    ['http://user:secret@prom.example:9090/', 'http://prom.example:9090'],
    ['https://m.example/prometheus/?token=abc', 'https://m.example/prometheus'],
    ['https://m.example/{{service}}/q', 'https://m.example/{{service}}/q'],
    ['not a url', '(invalid URL)'],
  ])('shows %s as %s, without secrets', (url, shown) => {
    expect(describeUrl(url)).toBe(shown);
  });
});

describe('createHttpClient', () => {
  let server: FakeServer;
  let url: string;

  beforeEach(async () => {
    server = new FakeServer();
    url = await server.listen();
  });

  afterEach(async () => {
    await server.close();
  });

  it('backs off with full jitter: a random share of an exponentially growing cap', async () => {
    server.answer(text(503, 'busy'));
    const waits: number[] = [];
    let r = 0;
    const randoms = [0.5, 1, 0.25];
    const client = createHttpClient({
      label: 'test',
      retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => randoms[r++] ?? 0,
    });
    const outcome = await client.request({ url, method: 'GET' });
    expect(outcome).toMatchObject({ kind: 'response', status: 503, attempts: 4 });
    expect(waits).toEqual([50, 200, 62.5]);
  });

  it('stops at the caller abort, without further attempts', async () => {
    server.answer(hang);
    const controller = new AbortController();
    const client = createHttpClient({ label: 'test', ...instantRetries() });
    const pending = client.request({ url, method: 'GET' }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toEqual({ kind: 'failure', cause: 'test: request aborted', attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('gives up on a rate limit that asks for a longer wait than allowed', async () => {
    server.answer(json(429, {}, { 'retry-after': '120' }));
    const retries = instantRetries();
    const client = createHttpClient({ label: 'test', ...retries, retry: { maxRetryWaitMs: 60_000 } });
    const outcome = await client.request({ url, method: 'GET' });
    expect(outcome).toEqual({
      kind: 'failure',
      cause: 'test: HTTP 429 rate limited: the server asks to wait 120 s, longer than the 60 s allowed',
      attempts: 1,
    });
    expect(retries.waits).toEqual([]);
  });

  it('refuses a body over the cap announced by Content-Length, without retrying', async () => {
    server.answer(text(200, 'x'.repeat(2048)));
    const client = createHttpClient({ label: 'test', maxBodyBytes: 1024, ...instantRetries() });
    const outcome = await client.request({ url, method: 'GET' });
    expect(outcome).toEqual({
      kind: 'failure',
      cause: 'test: response body is larger than the 1 KiB cap (narrow the query)',
      attempts: 1,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('stops reading a streamed body once it passes the cap', async () => {
    let written = 0;
    server.answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => {
        if (written >= 64 * 1024 || res.destroyed) {
          clearInterval(timer);
          res.end();
          return;
        }
        written += 1024;
        res.write('x'.repeat(1024));
      }, 1);
    });
    const client = createHttpClient({ label: 'test', maxBodyBytes: 4096, ...instantRetries() });
    const outcome = await client.request({ url, method: 'GET' });
    expect(outcome.kind).toBe('failure');
    if (outcome.kind === 'failure') expect(outcome.cause).toContain('larger than the 4 KiB cap');
  });

  it('reports an unreadable ca file without sending anything', async () => {
    const client = createHttpClient({ label: 'test', ca: '/nonexistent/ca.pem' });
    const outcome = await client.request({ url, method: 'GET' });
    expect(outcome.kind).toBe('failure');
    if (outcome.kind === 'failure')
      expect(outcome.cause).toContain('cannot read the ca file /nonexistent/ca.pem');
    expect(server.requests).toHaveLength(0);
  });
});
