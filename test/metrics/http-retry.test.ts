/**
 * The metrics HTTP client's retry decisions (http-retry.ts) and its retry loop over an injected fetch:
 * no server, no real waiting. The client against a real loopback server is http-client.test.ts (e2e).
 */
import { describe, expect, it } from 'vitest';
import { createHttpClient, describeUrl, type FetchLike } from '../../src/metrics/http-client.js';
import {
  backoffMs,
  classifyError,
  DEFAULT_RETRY,
  isRetryableStatus,
  requestedWaitMs,
} from '../../src/metrics/http-retry.js';
import { instantRetries } from './helpers.js';

function headers(values: Record<string, string>): { get(name: string): string | null } {
  return { get: (name: string) => values[name.toLowerCase()] ?? null };
}

/** An error as Node's fetch throws it: a TypeError whose cause carries the system error code. */
function fetchError(code: string, message = `connect ${code}`): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

/** A fetch that plays the given answers in order (the last repeats) and records each call. */
function scriptedFetch(...answers: Array<Response | Error>): FetchLike & { calls: number } {
  const fetch = Object.assign(
    (): ReturnType<FetchLike> => {
      const answer = answers[Math.min(fetch.calls, answers.length - 1)];
      fetch.calls++;
      if (answer === undefined) throw new Error('no answer scripted');
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    { calls: 0 },
  );
  return fetch;
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
    [505, false],
    [400, false],
    [401, false],
    [404, false],
    [422, false],
    [200, false],
  ])('HTTP %d retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});

describe('backoffMs', () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 250 };

  it.each([
    [1, 0.5, 50],
    [2, 1, 200],
    [3, 0.25, 62.5],
    [10, 1, 250],
    [1, 0, 0],
  ])('waits random() * min(max, base * 2^(n-1)) before retry %d (random %d): %d ms', (n, r, ms) => {
    expect(backoffMs(policy, n, () => r)).toBe(ms);
  });
});

describe('classifyError', () => {
  it.each([
    [fetchError('ECONNREFUSED'), 'connection refused', true],
    [fetchError('UND_ERR_SOCKET'), 'connection reset', true],
    [fetchError('ENOTFOUND'), 'host not found (check the URL)', false],
    [fetchError('UND_ERR_HEADERS_TIMEOUT'), 'timed out', true],
    [
      fetchError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      'TLS certificate not accepted (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate); set ca: to the PEM file of the CA that signed it',
      false,
    ],
    [new TypeError('Invalid URL'), 'invalid URL: Invalid URL', false],
    [fetchError('EWHATEVER', 'odd'), 'EWHATEVER: odd', true],
    [new Error('fetch failed', { cause: new Error('other side hung up') }), 'other side hung up', true],
  ])('reads %s as %j (retryable: %s)', (error, reason, retryable) => {
    expect(classifyError(error)).toEqual({ reason, retryable });
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

describe('the retry loop, over an injected fetch', () => {
  const url = 'http://metrics.test/q';

  it('retries a refused connection with backoff, then answers', async () => {
    const fetch = scriptedFetch(fetchError('ECONNREFUSED'), new Response('{}', { status: 200 }));
    const retries = instantRetries();
    const client = createHttpClient({ label: 'test', fetch, ...retries });
    const outcome = await client.request({ url, method: 'GET' });
    expect(outcome).toMatchObject({ kind: 'response', status: 200, body: '{}', attempts: 2 });
    expect(retries.waits).toEqual([125]);
  });

  it('names the reason and the attempts once they are spent', async () => {
    const fetch = scriptedFetch(fetchError('ECONNREFUSED'));
    const client = createHttpClient({ label: 'test', fetch, ...instantRetries() });
    expect(await client.request({ url, method: 'GET' })).toEqual({
      kind: 'failure',
      cause: 'test: connection refused after 3 attempts',
      attempts: 3,
    });
    expect(fetch.calls).toBe(3);
  });

  it('does not retry what another attempt cannot fix', async () => {
    const fetch = scriptedFetch(fetchError('ENOTFOUND'));
    const client = createHttpClient({ label: 'test', fetch, ...instantRetries() });
    expect(await client.request({ url, method: 'GET' })).toEqual({
      kind: 'failure',
      cause: 'test: host not found (check the URL)',
      attempts: 1,
    });
    expect(fetch.calls).toBe(1);
  });

  it('waits as long as Retry-After asks', async () => {
    const fetch = scriptedFetch(
      new Response('busy', { status: 429, headers: { 'retry-after': '2' } }),
      new Response('{}', { status: 200 }),
    );
    const retries = instantRetries();
    const client = createHttpClient({ label: 'test', fetch, ...retries });
    expect(await client.request({ url, method: 'GET' })).toMatchObject({ kind: 'response', attempts: 2 });
    expect(retries.waits).toEqual([2000]);
  });

  it('stops when the caller aborts while it waits to retry', async () => {
    const controller = new AbortController();
    const fetch = scriptedFetch(new Response('busy', { status: 503 }));
    const client = createHttpClient({
      label: 'test',
      fetch,
      random: () => 0.5,
      sleep: (_ms, signal) => {
        controller.abort();
        return signal?.aborted ? Promise.reject(new Error('aborted')) : Promise.resolve();
      },
    });
    expect(await client.request({ url, method: 'GET' }, controller.signal)).toEqual({
      kind: 'failure',
      cause: 'test: request aborted while waiting to retry (HTTP 503)',
      attempts: 1,
    });
    expect(fetch.calls).toBe(1);
  });

  it('sends nothing once the caller has aborted', async () => {
    const fetch = scriptedFetch(new Response('{}', { status: 200 }));
    const client = createHttpClient({ label: 'test', fetch, ...instantRetries() });
    const outcome = await client.request({ url, method: 'GET' }, AbortSignal.abort());
    expect(outcome).toEqual({ kind: 'failure', cause: 'test: request aborted', attempts: 0 });
    expect(fetch.calls).toBe(0);
  });
});
