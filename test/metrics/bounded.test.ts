/**
 * The per-provider bound on queries in flight (src/metrics/bounded.ts): a fake provider that counts
 * the queries it holds and answers only when the test says so. No timers, no sockets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedProvider, slots } from '../../src/metrics/bounded.js';
import type { MetricQuery, MetricResult, MetricsProvider } from '../../src/metrics/provider.js';
import { metricQuery } from './helpers.js';

/** Lets every pending promise callback run (one macrotask turn drains the microtask queue). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const answer = (v: number): MetricResult => ({ kind: 'samples', samples: [{ t: 0, v }] });

/** A provider that holds each query until `finish(i)` and counts how many it holds at once. */
function heldProvider() {
  const held: Array<{ q: MetricQuery; done: (r: MetricResult) => void }> = [];
  const state = { inFlight: 0, maxInFlight: 0, started: [] as string[] };
  const provider: MetricsProvider = {
    query: (q) =>
      new Promise<MetricResult>((resolve) => {
        state.inFlight++;
        state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
        state.started.push(q.trigger);
        held.push({
          q,
          done: (r) => {
            state.inFlight--;
            resolve(r);
          },
        });
      }),
  };
  /** Answers the `i`-th query still held (in the order they started). */
  const finish = (i: number, r: MetricResult = answer(i)) => {
    const [h] = held.splice(i, 1);
    if (h === undefined) throw new Error(`no query held at ${i}`);
    h.done(r);
  };
  return { provider, state, held, finish };
}

const ask = (p: MetricsProvider, trigger: string, signal?: AbortSignal) =>
  p.query(metricQuery({ trigger }), signal);

describe('boundedProvider', () => {
  it('never has more queries in flight than its bound, and starts waiting queries in order', async () => {
    const fake = heldProvider();
    const p = boundedProvider(fake.provider, 3, 'prom');
    const results = Array.from({ length: 10 }, (_, i) => ask(p, `t${i}`));
    await settle();
    expect(fake.state.started).toEqual(['t0', 't1', 't2']);
    while (fake.held.length > 0) {
      fake.finish(fake.held.length - 1); // the newest first: order of completion does not matter
      await settle();
      expect(fake.state.inFlight).toBeLessThanOrEqual(3);
    }
    expect(await Promise.all(results)).toHaveLength(10);
    expect(fake.state.maxInFlight).toBe(3);
    expect(fake.state.started).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`));
  });

  it('keeps the bound whatever the order queries finish in (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 25 }),
        fc.array(fc.nat(), { minLength: 25, maxLength: 25 }),
        async (limit, n, picks) => {
          const fake = heldProvider();
          const p = boundedProvider(fake.provider, limit, 'prom');
          const results = Array.from({ length: n }, (_, i) => ask(p, `t${i}`));
          await settle();
          for (let k = 0; fake.held.length > 0; k++) {
            expect(fake.state.inFlight).toBe(Math.min(limit, n - k));
            fake.finish(picks[k % picks.length]! % fake.held.length);
            await settle();
          }
          expect(await Promise.all(results)).toHaveLength(n);
          expect(fake.state.maxInFlight).toBe(Math.min(limit, n));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers each query with its own provider answer', async () => {
    const fake = heldProvider();
    const p = boundedProvider(fake.provider, 1, 'prom');
    const first = ask(p, 'a');
    const second = ask(p, 'b');
    await settle();
    fake.finish(0, answer(1));
    await settle();
    fake.finish(0, answer(2));
    expect(await first).toEqual(answer(1));
    expect(await second).toEqual(answer(2));
  });

  it('drops a waiter whose signal aborts: it answers no data, never reaches the provider, and the next one moves up', async () => {
    const fake = heldProvider();
    const p = boundedProvider(fake.provider, 1, 'prom');
    const running = ask(p, 'running');
    const controller = new AbortController();
    const aborted = ask(p, 'aborted', controller.signal);
    const next = ask(p, 'next');
    await settle();
    controller.abort();
    expect(await aborted).toEqual({
      kind: 'no_data',
      cause: 'provider "prom": query aborted while waiting for one of its 1 query slots (concurrency)',
    });
    fake.finish(0);
    await settle();
    expect(fake.state.started).toEqual(['running', 'next']);
    fake.finish(0);
    await Promise.all([running, next]);
    expect(fake.state.started).toEqual(['running', 'next']);
  });

  it('answers no data at once for a signal already aborted', async () => {
    const fake = heldProvider();
    const p = boundedProvider(fake.provider, 4, 'prom');
    const r = await ask(p, 'late', AbortSignal.abort());
    expect(r.kind).toBe('no_data');
    expect(fake.state.started).toEqual([]);
  });

  it('gives the slot back when the provider throws (against its contract)', async () => {
    let calls = 0;
    const p = boundedProvider(
      {
        query: async () => {
          calls++;
          if (calls === 1) throw new Error('bug');
          return answer(calls);
        },
      },
      1,
      'prom',
    );
    await expect(ask(p, 'a')).rejects.toThrow('bug');
    expect(await ask(p, 'b')).toEqual(answer(2));
  });
});

describe('slots', () => {
  it('counts the slots taken and the waiters', async () => {
    const s = slots(2);
    const a = await s.acquire();
    const b = await s.acquire();
    const controller = new AbortController();
    const c = s.acquire(controller.signal);
    const d = s.acquire();
    expect([s.active, s.waiting]).toEqual([2, 2]);
    controller.abort();
    expect(await c).toBeUndefined();
    expect([s.active, s.waiting]).toEqual([2, 1]);
    a!();
    const release = await d;
    expect([s.active, s.waiting]).toEqual([2, 0]);
    release!();
    b!();
    expect([s.active, s.waiting]).toEqual([0, 0]);
  });

  it('frees one slot however often a release is called', async () => {
    const s = slots(1);
    const first = await s.acquire();
    const waiting = s.acquire();
    first!();
    first!();
    const second = await waiting;
    expect(s.active).toBe(1);
    const third = s.acquire();
    first!();
    expect(s.waiting).toBe(1);
    second!();
    expect(await third).toBeTypeOf('function');
  });

  it('gives a waiter that took its slot nothing more to do on a later abort', async () => {
    const s = slots(1);
    const first = await s.acquire();
    const controller = new AbortController();
    const waiting = s.acquire(controller.signal);
    first!();
    const release = await waiting;
    controller.abort();
    expect(release).toBeTypeOf('function');
    expect([s.active, s.waiting]).toEqual([1, 0]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a bound of %s', (limit) => {
    expect(() => slots(limit)).toThrow(RangeError);
  });
});
