/**
 * The registry gives each network provider its own bound on queries in flight (`concurrency`): the
 * real Prometheus provider and HTTP client over an injected fetch, so no socket and no timer.
 * Against loopback servers and a parsed policy: registry-bound.e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ProviderPolicy } from '../../src/config/policy.js';
import type { FetchInitLike, FetchLike, FetchResponseLike } from '../../src/metrics/http-client.js';
import { createProvider } from '../../src/metrics/registry.js';
import { metricQuery } from './helpers.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const prometheus = (url: string, concurrency: number): ProviderPolicy => ({
  type: 'prometheus',
  url,
  concurrency,
});

const MATRIX = JSON.stringify({
  status: 'success',
  data: { resultType: 'matrix', result: [{ metric: {}, values: [[1767268800, '0.01']] }] },
});

const respond = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });

/** The PromQL a request carries (the provider POSTs a form). */
const promqlOf = (init: FetchInitLike) => new URLSearchParams(init.body ?? '').get('query') ?? '';

/** A fetch that never answers: it rejects only when the request's signal aborts. */
function hangingFetch(): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const fetch = (_url: string, init: FetchInitLike) => {
    calls.push(promqlOf(init));
    return new Promise<FetchResponseLike>((_resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(init.signal.reason), { once: true });
    });
  };
  return Object.assign(fetch, { calls });
}

const ask = (
  p: ReturnType<typeof createProvider>,
  query: string,
  signal?: AbortSignal,
): ReturnType<ReturnType<typeof createProvider>['query']> => p.query(metricQuery({ query }), signal);

describe('createProvider bounds each network provider on its own', () => {
  it('a provider that never answers holds only its own slots: another answers every query meanwhile', async () => {
    const hanging = hangingFetch();
    const slow = createProvider('slow', prometheus('http://slow.test', 2), { http: { fetch: hanging } });
    const answered: string[] = [];
    const fast = createProvider('fast', prometheus('http://fast.test', 2), {
      http: {
        fetch: async (_url, init) => {
          answered.push(promqlOf(init));
          return respond(200, MATRIX);
        },
      },
    });

    const controller = new AbortController();
    const stuck = Array.from({ length: 5 }, (_, i) => ask(slow, `slow_${i}`, controller.signal));
    await settle();
    expect(hanging.calls).toEqual(['slow_0', 'slow_1']);

    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => ask(fast, `fast_${i}`)));
    expect(results.map((r) => r.kind)).toEqual(Array(6).fill('samples'));
    expect(answered).toHaveLength(6);

    controller.abort();
    const ended = await Promise.all(stuck);
    expect(ended.map((r) => r.kind)).toEqual(Array(5).fill('no_data'));
    expect(
      ended.filter((r) => r.kind === 'no_data' && /waiting for one of its 2 query slots/.test(r.cause)),
    ).toHaveLength(3);
    // The waiters left the queue when the signal aborted: none of them was sent afterwards.
    expect(hanging.calls).toEqual(['slow_0', 'slow_1']);
  });

  it("a retry keeps its slot while it waits out Retry-After (the backend asked for less load), and no other provider's", async () => {
    const log: string[] = [];
    let fellAsleep = () => {};
    let wake = () => {};
    const asleep = new Promise<void>((resolve) => {
      fellAsleep = resolve;
    });
    const sleep = (ms: number) => {
      log.push(`sleep ${ms}`);
      fellAsleep();
      return new Promise<void>((resolve) => {
        wake = resolve;
      });
    };
    let calls = 0;
    const limited = createProvider('limited', prometheus('http://limited.test', 1), {
      http: {
        sleep,
        random: () => 0.5,
        fetch: async (_url, init) => {
          log.push(`fetch ${promqlOf(init)}`);
          return ++calls === 1 ? respond(429, '{}', { 'retry-after': '3' }) : respond(200, MATRIX);
        },
      },
    });
    const other = createProvider('other', prometheus('http://other.test', 1), {
      http: { fetch: async () => respond(200, MATRIX) },
    });

    const a = ask(limited, 'a');
    await asleep;
    const b = ask(limited, 'b');
    // Another provider answers while `limited` waits out its Retry-After.
    expect((await ask(other, 'c')).kind).toBe('samples');
    await settle();
    expect(log).toEqual(['fetch a', 'sleep 3000']);

    wake();
    expect([(await a).kind, (await b).kind]).toEqual(['samples', 'samples']);
    expect(log).toEqual(['fetch a', 'sleep 3000', 'fetch a', 'fetch b']);
  });
});
