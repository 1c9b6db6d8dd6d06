/**
 * The guarantee at its edges, each found by review and each failing before its fix: burn rates just
 * under their factor, means with unequal spreads and scores at a bound, a pre-deploy reference read
 * from one short window, a p95 reference drawn from a handful of requests, and samples from before
 * the deploy or after now.
 */
import { describe, expect, it } from 'vitest';
import { binomial, normal, rng } from '../../bench/decision/simulate.js';
import { decide, evaluateTrigger } from '../../src/policy/evaluate.js';
import { triggerRule } from '../support/rules.js';
import type {
  Observation,
  Parts,
  ServiceRule,
  TriggerObservation,
  TriggerRule,
} from '../../src/policy/types.js';

const T0 = 1_764_547_200;
const at = (m: number) => T0 + m * 60;

function rule(over: Partial<TriggerRule>): TriggerRule {
  return triggerRule(over);
}

const service = (t: TriggerRule): ServiceRule => ({
  triggers: [t],
  require: 1,
  confidence: 0.99,
  horizonMs: 7_200_000,
});
const samples = (values: number[], from = 1) => values.map((v, i) => ({ t: at(from + i), v }));
const series = (values: number[], from = 1): Observation => ({
  kind: 'samples',
  samples: samples(values, from),
});

/** Whether a schedule judging every minute up to `minutes` would ever have stopped. */
function everStops(r: ServiceRule, o: TriggerObservation, minutes = 120): boolean {
  const observed = new Map([['t', o]]);
  for (let m = 1; m <= minutes; m++) {
    if (decide(r, observed, { now: at(m), deployedAt: T0 }).decision === 'stop') return true;
  }
  return false;
}

/** Three binomial standard deviations over 1%. */
const bound = (runs: number) => 0.01 + 3 * Math.sqrt((0.01 * 0.99) / runs);

describe('burn rates just under their factor', () => {
  it('never stop a candidate burning at 5x against conditions of 6x and 14.4x, however often looked at', () => {
    const slo = {
      objective: 0.999,
      windows: [
        { longMs: 3_600_000, shortMs: 300_000, factor: 14.4 },
        { longMs: 21_600_000, shortMs: 1_800_000, factor: 6 },
      ],
    };
    const r = rng(11);
    let stops = 0;
    const runs = 100;
    for (let i = 0; i < runs; i++) {
      const rpm = [20, 100, 1000][i % 3]!;
      const bad = Array.from({ length: 120 }, () => binomial(r, rpm, 0.005));
      const o: TriggerObservation = {
        candidate: { bad: series(bad), total: series(bad.map(() => rpm)) },
        baseline: undefined,
        baselineKind: 'same_time',
      };
      if (everStops(service(rule({ slo })), o)) stops++;
    }
    expect(stops / runs).toBeLessThanOrEqual(bound(runs));
  });
});

describe('means', () => {
  /** Per-minute sums and counts: the candidate's scores 0 or 1, the stable's within 0.45..0.55. */
  function unequal(seed: number, nc: number, ns: number): TriggerObservation {
    const r = rng(seed);
    const cs: number[] = [];
    const ss: number[] = [];
    for (let m = 0; m < 120; m++) {
      cs.push(binomial(r, nc, 0.5));
      ss.push(ns * 0.5 + Math.sqrt(ns) * (0.1 / Math.sqrt(12)) * normal(r));
    }
    return {
      candidate: { sum: series(cs), count: series(cs.map(() => nc)) },
      baseline: { sum: series(ss), count: series(ss.map(() => ns)) },
      baselineKind: 'same_time',
    };
  }

  it.each([
    ['max_decrease: 3%, 5 vs 100 a minute', { maxDecrease: 0.03 }, 5, 100],
    ['max_decrease: 3%, 20 vs 200 a minute', { maxDecrease: 0.03 }, 20, 200],
    ['min at the mean, 20 vs 200 a minute', { min: 0.5 }, 20, 200],
  ])('with unequal spreads and traffic keep their level (%s)', (_name, limits, nc, ns) => {
    const runs = 150;
    const r = service(rule({ measure: { kind: 'mean', bounds: [0, 1] }, ...limits }));
    let stops = 0;
    for (let i = 0; i < runs; i++) if (everStops(r, unequal(100 + i, nc, ns))) stops++;
    expect(stops / runs).toBeLessThanOrEqual(bound(runs));
  });

  it('do not take a run of perfect scores for certainty', () => {
    // The candidate scored 5, 5, 5, 4, 4 of 5; the stable about 19 of 20. Not evidence at 1%.
    const o: TriggerObservation = {
      candidate: { sum: series([5, 5, 5, 4, 4]), count: series([5, 5, 5, 5, 5]) },
      baseline: { sum: series([19, 19.5, 19, 19, 19.5]), count: series([20, 20, 20, 20, 20]) },
      baselineKind: 'same_time',
    };
    const e = evaluateTrigger(rule({ measure: { kind: 'mean', bounds: [0, 1] }, maxDecrease: 0.03 }), o, {
      now: at(5),
      deployedAt: T0,
    });
    expect(e.breached).toBe(false);
  });
});

describe('a pre-deploy reference read from one short window', () => {
  it('is used at its confidence bound: a candidate like the version before it is not stopped', () => {
    const runs = 150;
    let stops = 0;
    for (let i = 0; i < runs; i++) {
      const r = rng(300 + i);
      const before = Array.from({ length: 10 }, () => binomial(r, 200, 0.005));
      const after = Array.from({ length: 120 }, () => binomial(r, 200, 0.005));
      const o: TriggerObservation = {
        candidate: { bad: series(after), total: series(after.map(() => 200)) },
        baseline: {
          bad: series(before, -9),
          total: series(
            before.map(() => 200),
            -9,
          ),
        },
        baselineKind: 'before_deploy',
      };
      if (everStops(service(rule({ maxIncrease: 0.2 })), o)) stops++;
    }
    expect(stops / runs).toBeLessThanOrEqual(bound(runs));
  });
});

describe("a p95 reference from the stable's first requests", () => {
  it('waits for a tail that pins the quantile down: a candidate with the same p95, packed below it, is not stopped', () => {
    // The same p95 (0.8 s) on both sides; the candidate's requests all between 0.6 and 0.8 s.
    const le = ['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1', '+Inf'];
    const stable = [0.05, 0.15, 0.2, 0.2, 0.15, 0.1, 0.05, 0.05, 0.03, 0.02, 0];
    const candidate = [0, 0, 0, 0, 0, 0, 0.5, 0.45, 0.03, 0.02, 0];
    const buckets = (r: () => number, p: number[]): Parts => {
      const cum: number[][] = le.map(() => []);
      for (let m = 0; m < 120; m++) {
        const counts = p.map(() => 0);
        for (let i = 0; i < 20; i++) {
          let u = r();
          let j = 0;
          while (j < p.length - 1 && u >= p[j]!) u -= p[j++]!;
          counts[j]!++;
        }
        let total = 0;
        counts.forEach((c, i) => cum[i]!.push((total += c)));
      }
      return {
        buckets: { kind: 'groups', groups: le.map((key, i) => ({ key, samples: samples(cum[i]!) })) },
      };
    };
    const runs = 150;
    let stops = 0;
    for (let i = 0; i < runs; i++) {
      const r = rng(500 + i);
      const o: TriggerObservation = {
        candidate: buckets(r, candidate),
        baseline: buckets(r, stable),
        baselineKind: 'same_time',
      };
      const t = rule({ measure: { kind: 'histogram', quantile: 0.95 }, maxIncrease: 0.15 });
      if (everStops(service(t), o)) stops++;
    }
    expect(stops / runs).toBeLessThanOrEqual(bound(runs));
  });
});

describe('which samples a judgement sees', () => {
  const spike = (t: number): TriggerObservation => ({
    candidate: {
      bad: { kind: 'samples', samples: [{ t, v: 900 }] },
      total: { kind: 'samples', samples: [{ t, v: 1000 }] },
    },
    baseline: {
      bad: { kind: 'samples', samples: [{ t, v: 5 }] },
      total: { kind: 'samples', samples: [{ t, v: 1000 }] },
    },
    baselineKind: 'same_time',
  });

  it('not a sample measured before the deploy, though it ends in the same step', () => {
    // Deployed 50 s into a minute; the sample at 40 s measures the minute before the deploy.
    const e = evaluateTrigger(rule({ maxIncrease: 0.2 }), spike(T0 + 40), {
      now: T0 + 50 + 600,
      deployedAt: T0 + 50,
    });
    expect(e.noData).not.toBeNull();
  });

  it('not a sample from after now, though it rounds to the same step', () => {
    // Deployed 40 s into a minute; a replay at 3 min 40 s must not see the sample at 4:00.
    const e = evaluateTrigger(rule({ maxIncrease: 0.2 }), spike(T0 + 240), {
      now: T0 + 40 + 180,
      deployedAt: T0 + 40,
    });
    expect(e.noData).not.toBeNull();
  });
});
