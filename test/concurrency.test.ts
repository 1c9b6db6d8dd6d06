import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/commands/evaluate.js';
import { parsePolicy } from '../src/config/load.js';
import { providersFor } from '../src/metrics/registry.js';

describe('two services, one slow provider', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // A Prometheus that never answers.
    server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('does not stall the other service past its timeout, and is inconclusive', async () => {
    const policy = parsePolicy(
      `version: 1
providers:
  slow: { type: prometheus, url: "${url}", timeout: 300ms }
  fast: { type: file, path: unused.json }
services:
  api:
    candidate: 1.1.0
    provider: slow
    triggers: { errors: { query: 'up{version="{{version}}"}', max: 0.05 } }
  web:
    candidate: 2.0.0
    provider: fast
    triggers: { errors: { max: 0.05 } }
`,
      'p.yml',
      {},
    );
    const providers = providersFor(policy, '/', undefined);
    providers.set('fast', {
      query: async () => ({ kind: 'samples', samples: [{ t: Date.now() / 1000, v: 0.2 }] }),
    });
    const started = Date.now();
    const report = await evaluate(policy, { providers, now: new Date() });
    const elapsed = Date.now() - started;
    expect(Object.fromEntries(report.services.map((s) => [s.service, s.decision]))).toEqual({
      api: 'inconclusive',
      web: 'stop',
    });
    expect(report.services[0]!.evidence[0]!.cause).toContain('timed out');
    // Three attempts of 300 ms with short backoffs: seconds, not the server's forever.
    expect(elapsed).toBeLessThan(5000);
  });
});
