/**
 * A series file of N deploys (default 500) of `api` for the backtest speed benchmark (bench/run.mjs):
 * half healthy, half with a x10 error rate after 90 s, at 50 to 5,000 requests a minute, two hours
 * each, as examples/policies/http-service.yml reads them. Usage: node <bundle> OUT [N].
 */
import { writeFileSync } from 'node:fs';
import { type Canary, simulateCanary } from './canary.js';
import { BASE as BASES } from './families.js';

// The benchmark's HTTP service: 0.5% errors, a 0.3 s median latency.
const BASE = BASES.http;
const n = Number(process.argv[3] ?? 500);
const deploys = Array.from({ length: n }, (_, i) => {
  const bad = i % 2 === 1;
  const at = 1_764_547_200 + i * 86_400;
  const c: Canary = {
    rpm: [50, 200, 1000, 5000][i % 4]!,
    stableRatio: 9,
    minutes: 120,
    base: BASE,
    metrics: ['errors', 'latency'],
    candidate: bad ? { errors: (m) => (m >= 2 ? 10 : 1) } : {},
    seed: i,
  };
  const versions = { candidate: `1.${i}.0`, stable: `1.${i}.0-stable` };
  return { id: `d${i}`, service: 'api', ...versions, at, metrics: simulateCanary(c, at, versions) };
});
writeFileSync(process.argv[2]!, JSON.stringify({ version: 1, deploys }));
