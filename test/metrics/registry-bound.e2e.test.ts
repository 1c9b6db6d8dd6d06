/**
 * From the policy file to the wire: `providers.X.concurrency` (default 16) bounds the requests one
 * provider has open, each provider on its own. Two loopback servers: one never answers, one does.
 */
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { providersFor } from '../../src/metrics/registry.js';
import { FakeServer, hang, json, metricQuery } from './helpers.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const MATRIX = {
  status: 'success',
  data: { resultType: 'matrix', result: [{ metric: {}, values: [[1767268800, '0.01']] }] },
};

function policy(slowUrl: string, fastUrl: string, slowConcurrency?: number): string {
  return `version: 1
providers:
  slow: { type: prometheus, url: "${slowUrl}"${slowConcurrency ? `, concurrency: ${slowConcurrency}` : ''} }
  fast: { type: prometheus, url: "${fastUrl}", concurrency: 2 }
services:
  api:
    candidate: 2.4.0
    triggers:
      errors: { provider: slow, query: 'errors{version="{{version}}"}', max: 0.05 }
      latency: { provider: fast, query: 'latency{version="{{version}}"}', max: 900 }
`;
}

/** Counts the requests `server` receives as they arrive (headers read); `reached(n)` resolves at the n-th. */
function counter(server: ReturnType<typeof createServer>) {
  const c = { seen: 0, reached: (n: number) => Promise.resolve(n) };
  const waiting: Array<[number, () => void]> = [];
  server.on('request', () => {
    c.seen++;
    for (const [n, resolve] of waiting) if (c.seen === n) resolve();
  });
  c.reached = (n) =>
    c.seen >= n ? Promise.resolve(n) : new Promise((resolve) => waiting.push([n, () => resolve(n)]));
  return c;
}

describe.each([
  { name: 'the default of 16', concurrency: undefined, bound: 16 },
  { name: 'concurrency: 3', concurrency: 3, bound: 3 },
])('a provider bounded by $name', ({ concurrency, bound }) => {
  it('has that many requests open against a backend that never answers, and the other provider answers meanwhile', async () => {
    const slowHttp = createServer();
    const slow = new FakeServer(slowHttp).answer(hang);
    const fast = new FakeServer().answer(json(200, MATRIX));
    servers.push(slow, fast);
    const [slowUrl, fastUrl] = await Promise.all([slow.listen(), fast.listen()]);
    const providers = providersFor(parsePolicy(policy(slowUrl, fastUrl, concurrency), 'p.yml', {}), '.');

    const arrived = counter(slowHttp);
    const controller = new AbortController();
    const stuck = Array.from({ length: bound + 4 }, () =>
      providers.get('slow')!.query(metricQuery({ query: 'errors' }), controller.signal),
    );
    await arrived.reached(bound);

    const answers = await Promise.all(
      Array.from({ length: 5 }, () => providers.get('fast')!.query(metricQuery({ query: 'latency' }))),
    );
    expect(answers.map((a) => a.kind)).toEqual(Array(5).fill('samples'));

    controller.abort();
    expect((await Promise.all(stuck)).map((r) => r.kind)).toEqual(Array(bound + 4).fill('no_data'));
    // The waiters left the queue when the signal aborted: none of them was sent.
    expect(arrived.seen).toBe(bound);
    expect(fast.requests).toHaveLength(5);
  });
});
