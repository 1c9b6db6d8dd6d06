/**
 * The metrics HTTP client against a loopback server (e2e: it listens on a port). The pure retry
 * decisions, and the retry loop over an injected fetch, are unit-tested in http-retry.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/metrics/http-client.js';
import { FakeServer, instantRetries, json, text } from './helpers.js';

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
    const controller = new AbortController();
    // The caller aborts while the request is in flight: once the server has it, before any answer.
    server.answer(() => controller.abort());
    const client = createHttpClient({ label: 'test', ...instantRetries() });
    const outcome = await client.request({ url, method: 'GET' }, controller.signal);
    expect(outcome).toEqual({ kind: 'failure', cause: 'test: request aborted', attempts: 1 });
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
