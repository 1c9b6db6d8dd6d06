/**
 * The trade-off of docs/judgement.md, "Choosing a tolerance and a confidence": false rollbacks
 * against time to rollback for several confidences and tolerances, on the simulator, straight
 * through the engine. `npm run bench:tradeoff` prints the table; `-- --write` replaces it in the doc.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { decide } from '../../src/policy/evaluate.js';
import type {
  Observation,
  Parts,
  ServiceRule,
  TriggerObservation,
  TriggerRule,
} from '../../src/policy/types.js';
import { type Canary, type Effects, simulateCanary } from './canary.js';
import { BASE as BASES } from './families.js';

// The benchmark's HTTP service: 0.5% errors, a 0.3 s median latency.
const BASE = BASES.http;
const RUNS = 300;
const MINUTES = 120;
const DEPLOY = 1_764_547_200;

function errorsRule(tolerance: number): TriggerRule {
  return {
    name: 'errors',
    measure: { kind: 'ratio' },
    max: undefined,
    min: undefined,
    maxIncrease: tolerance,
    maxDecrease: undefined,
    slo: undefined,
    aggregate: 'last',
    sustained: 2,
    minCount: 100,
    onNoData: 'inconclusive',
    reason: undefined,
    severity: 'high',
    action: 'rollback',
    windowMs: 600_000,
    stepMs: 60_000,
  };
}

function samples(pairs: Array<[number, number]>): Observation {
  return { kind: 'samples', samples: pairs.map(([t, v]) => ({ t, v })) };
}

function observe(c: Canary): Map<string, TriggerObservation> {
  const s = simulateCanary(c, DEPLOY);
  const parts = (side: string): Parts => {
    const e = s[side]!.errors as Record<string, Array<[number, number]>>;
    return { bad: samples(e.bad ?? []), total: samples(e.total ?? []) };
  };
  return new Map([
    ['errors', { candidate: parts('candidate'), baseline: parts('stable'), baselineKind: 'same_time' }],
  ]);
}

function firstStop(rule: ServiceRule, c: Canary): number | null {
  const o = observe(c);
  const stops = (m: number) =>
    decide(rule, o, { now: DEPLOY + m * 60, deployedAt: DEPLOY }).decision === 'stop';
  if (!stops(MINUTES)) return null;
  let lo = 1;
  let hi = MINUTES;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stops(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cell(rule: ServiceRule, rpm: number, effects: Effects, seed: number) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = firstStop(rule, {
      rpm,
      stableRatio: 3,
      minutes: MINUTES,
      base: BASE,
      metrics: ['errors'],
      candidate: effects,
      seed: seed + i,
    });
    if (t !== null) times.push(t);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))];
  return { share: times.length / RUNS, median: at(0.5), p90: at(0.9) };
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const rows = [
  '| confidence | max_increase | healthy stopped (150 rpm) | errors +10% stopped (5000 rpm) | x2 at 1000 rpm: caught, median / p90 min | x5 at 1000 rpm |',
  '| --- | --- | --- | --- | --- | --- |',
];
for (const confidence of [0.95, 0.99, 0.999]) {
  for (const tolerance of [0.1, 0.2, 0.5]) {
    const rule: ServiceRule = {
      triggers: [errorsRule(tolerance)],
      require: 1,
      confidence,
      horizonMs: MINUTES * 60_000,
    };
    const healthy = cell(rule, 150, {}, 1);
    const within = cell(rule, 5000, { errors: () => 1.1 }, 2);
    const x2 = cell(rule, 1000, { errors: () => 2 }, 3);
    const x5 = cell(rule, 1000, { errors: () => 5 }, 4);
    rows.push(
      `| ${pct(confidence)} | ${tolerance * 100}% | ${pct(healthy.share)} | ${pct(within.share)} | ` +
        `${pct(x2.share, 0)} ${x2.median ?? '-'} / ${x2.p90 ?? '-'} | ${pct(x5.share, 0)} ${x5.median ?? '-'} / ${x5.p90 ?? '-'} |`,
    );
  }
}
const table = rows.join('\n');
process.stdout.write(`${table}\n`);
if (process.argv.includes('--write')) {
  const doc = 'docs/judgement.md';
  const text = readFileSync(doc, 'utf8');
  const replaced = text.replace(
    /<!-- tradeoff:begin -->[\s\S]*<!-- tradeoff:end -->/,
    `<!-- tradeoff:begin -->\n${table}\n<!-- tradeoff:end -->`,
  );
  writeFileSync(doc, replaced);
}
