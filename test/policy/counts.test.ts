/**
 * The count-aware judgement's rules, one behaviour each: the detector, histograms as Prometheus
 * reads them, burn rates, minimum evidence, time alignment and shared breaches.
 */
import { describe, expect, it } from 'vitest';
import { binomialUpperTail, poissonUpperTail } from '../../src/policy/burn-rate.js';
import { poissonBounds, poissonCdf } from '../../src/policy/tails.js';
import { detect, stepCap } from '../../src/policy/e-detector.js';
import { decide, evaluateTrigger } from '../../src/policy/evaluate.js';
import { type Buckets, countAbove, countBelow, parseLe, quantile } from '../../src/policy/histogram.js';
import { triggerRule } from '../support/rules.js';
import type { Observation, ServiceRule, TriggerObservation, TriggerRule } from '../../src/policy/types.js';

const T0 = 1_764_547_200;
const at = (m: number) => T0 + m * 60;

function rule(over: Partial<TriggerRule> = {}): TriggerRule {
  return triggerRule({ name: 'errors', minCount: 100, reason: 'error_spike', ...over });
}

/** Per-minute values from minute 1 on; `null` leaves a minute out (a scrape gap). */
const series = (values: Array<number | null>): Observation => ({
  kind: 'samples',
  samples: values.flatMap((v, i) => (v === null ? [] : [{ t: at(i + 1), v }])),
});

const ratio = (bad: Array<number | null>, total: Array<number | null>) => ({
  bad: series(bad),
  total: series(total),
});

function observed(
  candidate: ReturnType<typeof ratio>,
  stable?: ReturnType<typeof ratio>,
): TriggerObservation {
  return { candidate, baseline: stable, baselineKind: 'same_time' };
}

const time = (minute: number) => ({ now: at(minute), deployedAt: T0 });
const repeat = <T>(x: T, n: number): T[] => Array.from({ length: n }, () => x);

describe('the e-detector', () => {
  const step = (index: number, f: number[]) => ({ index, t: at(index + 1), factors: f });

  it('never lets one step stop when sustained is 2, however strong', () => {
    const d = detect([step(0, [1e12, 1e12])], { alpha: 0.01, sustained: 2, horizon: 120 });
    expect(d.crossedAt).toBeNull();
    expect(d.maxE).toBeLessThanOrEqual(1 / (4 * 0.01) + 1);
  });

  it('stops on two strong steps, and dates the breach by the first', () => {
    const d = detect([step(0, [1, 1]), step(1, [1e12, 1e12]), step(2, [1e12, 1e12])], {
      alpha: 0.01,
      sustained: 2,
      horizon: 120,
    });
    expect(d.crossedAt).toBe(at(3));
    expect(d.since).toBe(at(2));
  });

  it('gives an anytime-valid p-value of 1 when nothing favours the alternative', () => {
    const d = detect(
      repeat(0, 30).map((_, i) => step(i, [0.5, 0.9])),
      { alpha: 0.01, sustained: 2, horizon: 120 },
    );
    expect(d.maxE).toBe(1);
  });

  it('still detects a regression that begins an hour in, after an hour of evidence against it', () => {
    const steps = [
      ...repeat(0, 60).map((_, i) => step(i, [0.2, 0.2])),
      ...repeat(0, 5).map((_, i) => step(60 + i, [30, 30])),
    ];
    expect(detect(steps, { alpha: 0.01, sustained: 2, horizon: 120 }).crossedAt).not.toBeNull();
  });

  it('caps a step so that sustained - 1 steps reach at most a quarter of 1/alpha', () => {
    expect(stepCap(0.01, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(stepCap(0.01, 2)).toBeCloseTo(1 / (4 * 0.01));
    expect(stepCap(0.01, 3) ** 2).toBeCloseTo(1 / (4 * 0.01));
  });
});

describe('histograms, as histogram_quantile reads them', () => {
  // 100 requests: 50 under 0.1 s, 90 under 0.5 s, 99 under 1 s, one slower.
  const b: Buckets = { le: [0.1, 0.5, 1, Number.POSITIVE_INFINITY], cum: [50, 90, 99, 100] };

  it.each([
    [0.5, 0.1],
    [0.7, 0.1 + 0.4 * (20 / 40)],
    [0.95, 0.5 + 0.5 * (5 / 9)],
    [0.999, 1],
  ])('quantile %f is %f', (q, expected) => {
    expect(quantile(b, q)).toBeCloseTo(expected);
  });

  it('counts below a value with the same interpolation, so it inverts the quantile', () => {
    expect(countBelow(b, quantile(b, 0.95))).toBeCloseTo(95);
    expect(countAbove(b, 0.3)).toBeCloseTo(100 - (50 + 40 * 0.5));
  });

  it('reads le as Prometheus writes it', () => {
    expect([parseLe('0.25'), parseLe('+Inf'), parseLe('1e+03'), parseLe('x')]).toEqual([
      0.25,
      Number.POSITIVE_INFINITY,
      1000,
      undefined,
    ]);
  });
});

describe('burn rates', () => {
  it('computes the Poisson upper tail', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2));
    expect(poissonUpperTail(3, 1)).toBeCloseTo(1 - Math.exp(-1) * (1 + 1 + 0.5));
  });

  const slo = { objective: 0.99, windows: [{ longMs: 3_600_000, shortMs: 300_000, factor: 14.4 }] };
  const r = rule({ slo, minCount: 0 });

  it('stops a candidate burning the budget at 14.4x on both windows', () => {
    const e = evaluateTrigger(
      r,
      observed(ratio(repeat(200, 10), repeat(1000, 10)), ratio(repeat(5, 10), repeat(1000, 10))),
      time(10),
    );
    expect(e).toMatchObject({ breached: true, test: 'burn_rate' });
    expect(e.detail).toContain('burning too fast');
  });

  it('does not take one error of twenty requests for a burn', () => {
    const e = evaluateTrigger(r, observed(ratio([1, 0, 0, 0, 0], repeat(4, 5))), time(5));
    expect(e.breached).toBe(false);
  });

  it('calls a burn the stable shares over the same windows a shared breach', () => {
    const both = ratio(repeat(200, 10), repeat(1000, 10));
    const d = decide(
      { triggers: [r], require: 1, confidence: 0.99, horizonMs: 7_200_000 },
      new Map([['errors', observed(both, both)]]),
      time(10),
    );
    expect(d).toMatchObject({ decision: 'inconclusive', reason: 'shared_breach' });
  });
});

describe('minimum evidence', () => {
  it('says how much traffic there is and how much it needs', () => {
    const e = evaluateTrigger(
      rule({ maxIncrease: 0.2 }),
      observed(ratio([5, 6], [20, 17]), ratio([0, 0], [200, 200])),
      time(2),
    );
    expect(e.undecided).toEqual({
      reason: 'not_enough_traffic',
      detail: 'not enough traffic yet (37 of 100 requests)',
    });
    expect(e.breached).toBe(false);
  });

  it('makes the decision inconclusive, not allow', () => {
    const d = decide(
      { triggers: [rule({ maxIncrease: 0.2 })], require: 1, confidence: 0.99, horizonMs: 7_200_000 },
      new Map([['errors', observed(ratio([0], [37]), ratio([0], [300]))]]),
      time(1),
    );
    expect(d).toMatchObject({ decision: 'inconclusive', reason: 'not_enough_traffic' });
  });
});

describe('time alignment', () => {
  it('compares only the steps both versions have, skipping a gap instead of guessing', () => {
    // The stable misses minutes 3 and 4; the candidate's bad minutes 3 and 4 are not compared.
    const e = evaluateTrigger(
      rule({ maxIncrease: 0.2, minCount: 0 }),
      observed(
        ratio([5, 5, 500, 500, 5], repeat(1000, 5)),
        ratio([5, 5, null, null, 5], [1000, 1000, null, null, 1000]),
      ),
      time(5),
    );
    expect(e.breached).toBe(false);
    expect(e.value).toBeCloseTo(15 / 3000);
  });

  it('does not read the samples after now (a backtest replays earlier times)', () => {
    const o = observed(ratio([5, 5, 500, 500], repeat(1000, 4)), ratio(repeat(5, 4), repeat(1000, 4)));
    expect(evaluateTrigger(rule({ maxIncrease: 0.2, minCount: 0 }), o, time(2)).value).toBeCloseTo(0.005);
  });

  it('judges a single query against the stable at the same times, not its newest sample', () => {
    // The stable's newest minute was quiet; at the candidate's times it ran at the same level.
    const value = (v: Array<number | null>): Observation => series(v);
    const o: TriggerObservation = {
      candidate: { value: value([0.01, 0.01, 0.01]) },
      baseline: { value: value([0.01, 0.01, 0.01, 0.001]) },
      baselineKind: 'same_time',
    };
    const e = evaluateTrigger(
      rule({ measure: { kind: 'value' }, maxIncrease: 0.5, sustained: 3, minCount: 1 }),
      o,
      time(4),
    );
    expect(e.breached).toBe(false);
  });
});

describe('shared breaches of absolute limits', () => {
  const r = rule({ max: 0.05, minCount: 0 });
  const svc: ServiceRule = { triggers: [r], require: 1, confidence: 0.99, horizonMs: 7_200_000 };

  it('are inconclusive while both versions breach, and name the stable', () => {
    const both = ratio(repeat(200, 6), repeat(1000, 6));
    const d = decide(
      svc,
      new Map([['errors', observed(both, ratio(repeat(300, 6), repeat(1000, 6)))]]),
      time(6),
    );
    expect(d).toMatchObject({ decision: 'inconclusive', reason: 'shared_breach' });
    expect(d.evidence[0]!.undecided!.detail).toContain('the stable breaches it too');
  });

  it('stop when only the candidate breaches', () => {
    const d = decide(
      svc,
      new Map([
        ['errors', observed(ratio(repeat(200, 6), repeat(1000, 6)), ratio(repeat(5, 6), repeat(1000, 6)))],
      ]),
      time(6),
    );
    expect(d.decision).toBe('stop');
  });

  it('a single query too', () => {
    const value = (v: number[]): Observation => series(v);
    const o: TriggerObservation = {
      candidate: { value: value([0.2, 0.2, 0.2]) },
      baseline: { value: value([0.3, 0.3, 0.3]) },
      baselineKind: 'same_time',
    };
    const e = evaluateTrigger(
      rule({ measure: { kind: 'value' }, max: 0.05, sustained: 2, minCount: 1 }),
      o,
      time(3),
    );
    expect(e).toMatchObject({ breached: false, undecided: { reason: 'shared_breach' } });
  });
});

describe('the evidence explains itself', () => {
  it('with counts, the levels and the anytime p-value', () => {
    const e = evaluateTrigger(
      rule({ maxIncrease: 0.2 }),
      observed(ratio(repeat(50, 5), repeat(1000, 5)), ratio(repeat(5, 5), repeat(1000, 5))),
      time(5),
      { alpha: 0.01, horizonMs: 7_200_000 },
    );
    expect(e).toMatchObject({
      breached: true,
      test: 'sequential',
      count: { candidate: 5000, stable: 5000, unit: 'requests' },
    });
    expect(e.value).toBeCloseTo(0.05);
    expect(e.baseline).toBeCloseTo(0.005);
    expect(e.limit).toBeCloseTo(0.006);
    expect(e.detail).toMatch(
      /^5% \(250 of 5,000\) vs the stable's 0\.5% \(25 of 5,000\) over the same 5 steps, \+20% allowed: past the tolerance \(anytime p=<?[\d.e-]+, level 0\.01\)$/,
    );
  });
});

describe('binomial tails', () => {
  it.each([
    [0, 10, 0.5, 1],
    [1, 1, 0.3, 0.3],
    [3, 3, 0.5, 0.125],
    [2, 4, 0.5, 11 / 16],
    [11, 10, 0.5, 0],
  ])('P(Binomial(%i of %i at %f)) upper tail is %f', (k, n, p, expected) => {
    expect(binomialUpperTail(k, n, p)).toBeCloseTo(expected, 10);
  });

  it('is quick and finite for thousands of events', () => {
    expect(binomialUpperTail(5200, 10_000, 0.5)).toBeCloseTo(3.6e-5, 5);
  });
});

describe('Poisson tails and bounds', () => {
  it('keeps the digits of a far tail of a large mean', () => {
    const p = poissonUpperTail(2000, 1440);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-40);
    expect(poissonUpperTail(1440, 1440)).toBeCloseTo(0.5, 1);
    expect(poissonCdf(2, 1)).toBeCloseTo(Math.exp(-1) * 2.5, 12);
  });

  it('gives exact (Garwood) bounds that hold the count at the level', () => {
    const { lower, upper } = poissonBounds(10, 0.025);
    expect(lower).toBeCloseTo(4.795, 2);
    expect(upper).toBeCloseTo(18.39, 1);
    expect(poissonBounds(0, 0.05)).toMatchObject({ lower: 0 });
    expect(poissonBounds(0, 0.05).upper).toBeCloseTo(2.996, 2);
  });
});
