/**
 * The statistics' guarantee, proved by simulation (docs/judgement.md): under the null (healthy
 * pairs, at any traffic) the share of canaries that EVER stop over the whole guard window, judged
 * at every step, stays at or under 1 - confidence within sampling error; regressions of stated sizes
 * are caught. The canaries come from bench/decision's count-level simulator.
 */
import { describe, expect, it } from 'vitest';
import { triggerRule } from '../support/rules.js';
import type { Canary, Effects } from '../../bench/decision/canary.js';
import { decide } from '../../src/policy/evaluate.js';
import type { ServiceRule, TriggerRule } from '../../src/policy/types.js';
import { DEPLOY, observeCanary } from '../support/canary.js';

const BASE = {
  errors: 0.005,
  latencyMedian: 0.3,
  latencySigma: 0.6,
  quality: 0.82,
  qualitySd: 0.12,
  toxicity: 0.01,
};
const MINUTES = 120;

function trigger(name: string, over: Partial<TriggerRule>): TriggerRule {
  return triggerRule({ name, ...over });
}

const KINDS = {
  errors: (tol: number) => trigger('errors', { maxIncrease: tol }),
  latency: (tol: number) =>
    trigger('latency', { measure: { kind: 'histogram', quantile: 0.95 }, maxIncrease: tol }),
  quality: (tol: number) =>
    trigger('quality', { measure: { kind: 'mean', bounds: [0, 1] }, maxDecrease: tol }),
} as const;

function service(t: TriggerRule, confidence: number): ServiceRule {
  return { triggers: [t], require: 1, confidence, horizonMs: MINUTES * 60_000 };
}

/** The first minute a schedule judging every minute would have stopped, or null. */
function firstStop(rule: ServiceRule, c: Canary): number | null {
  const observed = observeCanary(c);
  const at = (m: number) => decide(rule, observed, { now: DEPLOY + m * 60, deployedAt: DEPLOY }).decision;
  // A sequential stop stands once reached, so the last step says whether any step stopped.
  if (at(MINUTES) !== 'stop') return null;
  let lo = 1;
  let hi = MINUTES;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(mid) === 'stop') hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Healthy canaries over traffic levels and stable shares, `runs` in all. */
function healthy(metric: keyof typeof KINDS, runs: number, seed: number): Canary[] {
  const traffic = [5, 20, 150, 1000];
  const ratios = [1, 3, 9];
  return Array.from({ length: runs }, (_, i) => ({
    rpm: traffic[i % traffic.length]!,
    stableRatio: ratios[Math.floor(i / traffic.length) % ratios.length]!,
    minutes: MINUTES,
    base: BASE,
    metrics: [metric],
    seed: seed + i * 7919,
  }));
}

/** The sampling error allowed above the level: three binomial standard deviations. */
function bound(alpha: number, runs: number): number {
  return alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs);
}

describe('under the null the whole-window false-stop rate stays under 1 - confidence', () => {
  // Exactly at the tolerance (the hardest null), at a level loose enough that a broken bound shows.
  it.each(['errors', 'latency', 'quality'] as const)('%s, tolerance 0, confidence 80%%', (metric) => {
    const runs = 600;
    const rule = service(KINDS[metric](0), 0.8);
    const stops = healthy(metric, runs, 1).filter((c) => firstStop(rule, c) !== null).length;
    expect(stops / runs).toBeLessThanOrEqual(bound(0.2, runs));
  });

  it.each(['errors', 'latency', 'quality'] as const)('%s, tolerance 0, confidence 99%%', (metric) => {
    const runs = 600;
    const rule = service(KINDS[metric](0), 0.99);
    const stops = healthy(metric, runs, 2).filter((c) => firstStop(rule, c) !== null).length;
    expect(stops / runs).toBeLessThanOrEqual(bound(0.01, runs));
  });
});

describe('detection power at stated sizes (confidence 99%)', () => {
  const caught = (
    rule: ServiceRule,
    metric: Canary['metrics'][number],
    effects: Effects,
    rpm: number,
    ratio: number,
    runs = 40,
  ) => {
    const times = Array.from({ length: runs }, (_, i) =>
      firstStop(rule, {
        rpm,
        stableRatio: ratio,
        minutes: MINUTES,
        base: { ...BASE, errors: 0.01 },
        metrics: [metric],
        candidate: effects,
        seed: 100 + i,
      }),
    );
    const hits = times.filter((t): t is number => t !== null).sort((a, b) => a - b);
    return { share: hits.length / runs, median: hits[Math.floor(hits.length / 2)] ?? Infinity };
  };

  it('catches a x2 error ratio at 200 requests a minute (1% errors, a 10% canary) within the guard window', () => {
    const r = caught(service(KINDS.errors(0.2), 0.99), 'errors', { errors: () => 2 }, 200, 9);
    expect(r.share).toBeGreaterThanOrEqual(0.95);
  });

  it('catches a x2 p95 latency at 150 requests a minute within 10 minutes', () => {
    const r = caught(service(KINDS.latency(0.15), 0.99), 'latency', { latency: () => 2 }, 150, 1);
    expect(r.share).toBe(1);
    expect(r.median).toBeLessThanOrEqual(10);
  });

  it('catches a quality drop of 0.1 at 30 responses a minute within 20 minutes', () => {
    const r = caught(service(KINDS.quality(0.03), 0.99), 'quality', { quality: () => -0.1 }, 30, 1);
    expect(r.share).toBe(1);
    expect(r.median).toBeLessThanOrEqual(20);
  });

  it('leaves changes within the tolerance alone (errors +10% against 20%, latency +5% against 15%)', () => {
    for (const [metric, effects, tol] of [
      ['errors', { errors: () => 1.1 }, 0.2],
      ['latency', { latency: () => 1.05 }, 0.15],
    ] as const) {
      const rule = service(KINDS[metric](tol), 0.99);
      const stops = Array.from({ length: 40 }, (_, i) =>
        firstStop(rule, {
          rpm: 5000,
          stableRatio: 1,
          minutes: MINUTES,
          base: BASE,
          metrics: [metric],
          candidate: effects,
          seed: 300 + i,
        }),
      ).filter((t) => t !== null);
      expect(stops).toEqual([]);
    }
  });
});

describe('the seed scenario: errors 0.5% -> 5% 90 s after the deploy', () => {
  const http: ServiceRule = {
    require: 1,
    confidence: 0.99,
    horizonMs: MINUTES * 60_000,
    triggers: [
      trigger('errors', {
        maxIncrease: 0.2,
        minCount: 100,
        slo: {
          objective: 0.99,
          windows: [
            { longMs: 3_600_000, shortMs: 300_000, factor: 14.4 },
            { longMs: 21_600_000, shortMs: 1_800_000, factor: 6 },
          ],
        },
      }),
      trigger('latency', {
        measure: { kind: 'histogram', quantile: 0.95 },
        maxIncrease: 0.15,
        minCount: 100,
      }),
    ],
  };
  // Half of minute 2 is bad, every minute after it.
  const seed: Effects = { errors: (m) => (m < 2 ? 1 : m === 2 ? 5.5 : 10) };

  it.each([
    [200, 3, 3],
    [1000, 1, 3],
    [5000, 1, 3],
    [50, 9, 8],
  ])(
    'at %i requests a minute (stable %ix), 90%% of runs stop within %i minutes of the change',
    (rpm, ratio, within) => {
      const runs = 40;
      const late = Array.from({ length: runs }, (_, i) =>
        firstStop(http, {
          rpm,
          stableRatio: ratio,
          minutes: MINUTES,
          base: BASE,
          metrics: ['errors', 'latency'],
          candidate: seed,
          seed: 500 + i,
        }),
      ).filter((stop) => stop === null || stop - 1.5 > within);
      // The change is 1.5 minutes in, so a look at minute m is m - 1.5 minutes after it.
      expect(late.length).toBeLessThanOrEqual(runs * 0.1);
    },
  );
});

describe('what must never stop', () => {
  const rule = service(trigger('errors', { maxIncrease: 0.2, max: 0.05 }), 0.99);

  it('a shared outage: both versions x20 errors for 10 minutes', () => {
    const outage: Effects = { errors: (m) => (m >= 30 && m < 40 ? 20 : 1) };
    for (let i = 0; i < 30; i++) {
      const c: Canary = {
        rpm: 1000,
        stableRatio: 1 + (i % 3) * 4,
        minutes: MINUTES,
        base: BASE,
        metrics: ['errors'],
        shared: outage,
        seed: 700 + i,
      };
      expect(firstStop(rule, c)).toBeNull();
      // During it, the absolute limit is a shared breach: inconclusive, never allow and never stop.
      const d = decide(rule, observeCanary(c), { now: DEPLOY + 38 * 60, deployedAt: DEPLOY });
      expect(d).toMatchObject({ decision: 'inconclusive', reason: 'shared_breach' });
    }
  });

  it('a shared outage in the first minutes, judged with an SLO burn-rate guard too (low traffic)', () => {
    // The outage's minutes stay in the candidate's "since the deploy" burn windows after it ends,
    // and a thinly used stable may look under the burn rate by chance: neither may decide.
    const slo = {
      objective: 0.98,
      windows: [
        { longMs: 3_600_000, shortMs: 300_000, factor: 14.4 },
        { longMs: 21_600_000, shortMs: 1_800_000, factor: 6 },
      ],
    };
    const agent: ServiceRule = {
      require: 1,
      confidence: 0.99,
      horizonMs: MINUTES * 60_000,
      triggers: [
        trigger('errors', { maxIncrease: 0.2, minCount: 100, slo }),
        trigger('quality', { measure: { kind: 'mean', bounds: [0, 1] }, maxDecrease: 0.03 }),
        trigger('toxicity', { maxIncrease: 0.2 }),
      ],
    };
    for (let i = 0; i < 120; i++) {
      const start = 1 + (i % 15);
      const c: Canary = {
        rpm: [15, 30][i % 2]!,
        stableRatio: [1, 3][Math.floor(i / 2) % 2]!,
        minutes: 60,
        base: { ...BASE, errors: 0.01 },
        metrics: ['errors'],
        shared: { errors: (m) => (m >= start && m < start + 10 ? 20 : 1) },
        seed: 5000 + i,
      };
      const observed = observeCanary(c);
      // The burn rate is judged at each look, so every look is checked.
      for (let m = 1; m <= 60; m++) {
        expect(decide(agent, observed, { now: DEPLOY + m * 60, deployedAt: DEPLOY }).decision).not.toBe(
          'stop',
        );
      }
    }
  });

  it.each([150, 1000, 5000])(
    'an isolated one-minute spike on the candidate (errors x10, latency x3) at %i a minute',
    (rpm) => {
      const rules = [service(KINDS.errors(0.2), 0.99), service(KINDS.latency(0.15), 0.99)];
      for (let i = 0; i < 30; i++) {
        const c: Canary = {
          rpm,
          stableRatio: 1,
          minutes: MINUTES,
          base: BASE,
          metrics: ['errors', 'latency'],
          candidate: { errors: (m) => (m === 20 ? 10 : 1), latency: (m) => (m === 50 ? 3 : 1) },
          seed: 800 + i,
        };
        for (const r of rules) expect(firstStop(r, c)).toBeNull();
      }
    },
  );

  it('a metrics backend down (no data on either side for 40 minutes, or the whole window)', () => {
    for (const [from, to] of [
      [10, 50],
      [1, MINUTES],
    ]) {
      const c: Canary = {
        rpm: 1000,
        stableRatio: 1,
        minutes: MINUTES,
        base: BASE,
        metrics: ['errors'],
        gaps: [{ from: from!, to: to!, side: 'both' }],
        seed: 900 + from!,
      };
      expect(firstStop(rule, c)).toBeNull();
    }
  });
});
