/**
 * Writes examples/backtest/http-series.json, the series file the README's backtest example and
 * its test replay: four deploys of `api` (examples/policies/http-service.yml), 30 minutes each, a
 * 10% canary at 1,000 requests a minute. Deterministic; run it with
 *   npx esbuild bench/decision/example-series.ts --bundle --platform=node --format=esm --outfile=/tmp/ex.mjs && node /tmp/ex.mjs
 */
import { writeFileSync } from 'node:fs';
import { type Canary, type Effects, simulateCanary } from './canary.js';
import { BASE as BASES } from './families.js';

// The benchmark's HTTP service: 0.5% errors, a 0.3 s median latency.
const BASE = BASES.http;
const START = Date.UTC(2026, 10, 2, 9) / 1000;

const deploys: Array<{ id: string; candidate: string; stable: string; effects: Effects; shared?: Effects }> =
  [
    { id: 'healthy', candidate: '1.4.0', stable: '1.3.2', effects: {} },
    {
      id: 'errors-x10-after-90s',
      candidate: '1.5.0',
      stable: '1.4.0',
      effects: { errors: (m) => (m < 2 ? 1 : m === 2 ? 5.5 : 10) },
    },
    {
      id: 'shared-outage',
      candidate: '1.5.1',
      stable: '1.4.0',
      effects: {},
      shared: { errors: (m) => (m >= 10 && m < 20 ? 20 : 1) },
    },
    { id: 'latency-x2', candidate: '1.6.0', stable: '1.5.1', effects: { latency: () => 2 } },
  ];

const out = deploys.map((d, i) => {
  const at = START + i * 3600;
  const canary: Canary = {
    rpm: 1000,
    stableRatio: 9,
    minutes: 30,
    base: BASE,
    metrics: ['errors', 'latency'],
    candidate: d.effects,
    ...(d.shared ? { shared: d.shared } : {}),
    seed: 42 + i,
  };
  return {
    id: d.id,
    service: 'api',
    candidate: d.candidate,
    stable: d.stable,
    at,
    until: at + 30 * 60,
    metrics: simulateCanary(canary, at, { candidate: d.candidate, stable: d.stable }),
  };
});
writeFileSync(
  process.argv[2] ?? 'examples/backtest/http-series.json',
  `${JSON.stringify({ version: 1, deploys: out })}\n`,
);
