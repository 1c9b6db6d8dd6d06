/**
 * Limits say where they come from: the policy's own number, or a baseline moved by a relative bound
 * (and which one bound when both apply); and a breach is dated only by samples with timestamps.
 */
import { describe, expect, it } from 'vitest';
import { evaluateTrigger } from '../../src/policy/evaluate.js';
import { describeLimit } from '../../src/policy/limit.js';
import type { Observation, Parts, TriggerObservation, TriggerRule } from '../../src/policy/types.js';
import { reportEvidence } from '../../src/report.js';
import { triggerRule } from '../support/rules.js';

const T0 = 1_764_547_200;
const at = (m: number) => T0 + m * 60;
const time = (minute: number) => ({ now: at(minute), deployedAt: T0 });
const repeat = <T>(x: T, n: number): T[] => Array.from({ length: n }, () => x);

/** Per-minute values from minute 1 on. */
const series = (values: number[], timed?: false): Observation => ({
  kind: 'samples',
  samples: values.map((v, i) => ({ t: at(i + 1), v })),
  ...(timed === false ? { timed } : {}),
});

function latency(over: Partial<TriggerRule> = {}): TriggerRule {
  return triggerRule({
    name: 'latency_p95_ms',
    measure: { kind: 'value' },
    sustained: 1,
    minCount: 1,
    ...over,
  });
}

const value = (
  candidate: number[],
  stable?: number[],
  kind: TriggerObservation['baselineKind'] = 'same_time',
) => ({
  candidate: { value: series(candidate) },
  baseline: stable && { value: series(stable) },
  baselineKind: kind,
});

describe('a threshold says where its limit comes from', () => {
  it('names the stable and the increase when the relative limit binds (max 1800, max_increase 50%)', () => {
    const e = evaluateTrigger(latency({ max: 1800, maxIncrease: 0.5 }), value([2100], [1140]));
    expect(e.limit).toBeCloseTo(1710);
    expect(e.limitFrom).toEqual({
      kind: 'relative',
      bound: 'max_increase',
      of: 'stable',
      baseline: 1140,
      change: 0.5,
      looser: { limit: 1800, from: { kind: 'absolute', bound: 'max' } },
    });
    expect(describeLimit(e.limit, e.limitFrom)).toBe('1710 (stable 1140 + 50%; tighter than max 1800)');
  });

  it('names the absolute max when it binds, and the looser relative limit beside it', () => {
    const e = evaluateTrigger(latency({ max: 1800, maxIncrease: 0.5 }), value([1900], [1400]));
    expect(e.limit).toBe(1800);
    expect(describeLimit(e.limit, e.limitFrom)).toBe('max 1800 (tighter than stable 1400 + 50% = 2100)');
  });

  it('says max alone when only an absolute limit applies', () => {
    const e = evaluateTrigger(latency({ max: 1800 }), value([2100], [1140]));
    expect(e.limitFrom).toEqual({ kind: 'absolute', bound: 'max' });
    expect(describeLimit(e.limit, e.limitFrom)).toBe('max 1800');
  });

  it('says max when the relative limit has no baseline to scale', () => {
    const e = evaluateTrigger(latency({ max: 1800, maxIncrease: 0.5 }), {
      candidate: { value: series([2100]) },
      baseline: { value: { kind: 'no_data', cause: 'no series' } },
      baselineKind: 'same_time',
    });
    expect(describeLimit(e.limit, e.limitFrom)).toBe('max 1800');
  });

  it('names the window before the deploy as the baseline there', () => {
    const e = evaluateTrigger(latency({ maxIncrease: 0.5 }), value([2100], [1140], 'before_deploy'));
    expect(describeLimit(e.limit, e.limitFrom)).toBe('1710 (before the deploy 1140 + 50%)');
  });

  it('says a decrease downwards (max_decrease 20%)', () => {
    const e = evaluateTrigger(latency({ name: 'quality', maxDecrease: 0.2 }), value([0.7], [0.9]));
    expect(e.comparator).toBe('<');
    expect(describeLimit(e.limit, e.limitFrom)).toBe('0.72 (stable 0.9 - 20%)');
  });

  it('carries the origin into the JSON report as limit_from', () => {
    const e = evaluateTrigger(latency({ max: 1800, maxIncrease: 0.5 }), value([2100], [1140]));
    expect(reportEvidence(e).limit_from).toMatchObject({ kind: 'relative', baseline: 1140, change: 0.5 });
  });
});

describe('a test on counts says where its limit comes from', () => {
  const ratio = (bad: number[], total: number[]): Parts => ({ bad: series(bad), total: series(total) });
  const errors = (over: Partial<TriggerRule>) => triggerRule({ name: 'errors', ...over });

  it('names the stable at the same steps for a relative limit', () => {
    const e = evaluateTrigger(
      errors({ maxIncrease: 0.2 }),
      {
        candidate: ratio(repeat(70, 10), repeat(1000, 10)),
        baseline: ratio(repeat(45, 10), repeat(9000, 10)),
        baselineKind: 'same_time',
      },
      time(10),
    );
    expect(e.breached).toBe(true);
    expect(e.limitFrom).toMatchObject({ kind: 'relative', of: 'stable', change: 0.2 });
    expect(e.limitFrom).toMatchObject({ baseline: e.baseline });
    expect(describeLimit(e.limit, e.limitFrom)).toBe('0.006 (stable 0.005 + 20%)');
  });

  it("names the pre-deploy rate's confidence bound before the deploy", () => {
    const e = evaluateTrigger(
      errors({ maxIncrease: 0.2 }),
      {
        candidate: ratio(repeat(70, 10), repeat(1000, 10)),
        baseline: ratio(repeat(50, 60), repeat(10000, 60)),
        baselineKind: 'before_deploy',
      },
      time(10),
    );
    expect(e.breached).toBe(true);
    const from = e.limitFrom;
    expect(from).toMatchObject({ kind: 'relative', of: 'before_deploy_bound', change: 0.2 });
    if (from?.kind !== 'relative') throw new Error('relative');
    expect(from.baseline).toBeGreaterThan(e.baseline!);
    expect(e.limit).toBeCloseTo(from.baseline * 1.2);
    expect(describeLimit(e.limit, from)).toMatch(/^0\.00\d+ \(pre-deploy bound 0\.00\d+ \+ 20%\)$/);
  });

  it('names max for an absolute limit', () => {
    const e = evaluateTrigger(
      errors({ max: 0.05 }),
      { candidate: ratio(repeat(70, 10), repeat(1000, 10)), baseline: undefined, baselineKind: 'same_time' },
      time(10),
    );
    expect(e.breached).toBe(true);
    expect(describeLimit(e.limit, e.limitFrom)).toBe('max 0.05');
  });

  it("names a burn rate's factor, budget and windows", () => {
    const slo = { objective: 0.99, windows: [{ longMs: 3_600_000, shortMs: 300_000, factor: 14.4 }] };
    const e = evaluateTrigger(
      errors({ slo }),
      {
        candidate: ratio(repeat(200, 10), repeat(1000, 10)),
        baseline: ratio(repeat(5, 10), repeat(1000, 10)),
        baselineKind: 'same_time',
      },
      time(10),
    );
    expect(e.test).toBe('burn_rate');
    expect(describeLimit(e.limit, e.limitFrom)).toBe('0.144 (14.4x the 1% error budget over 1h/5m)');
    expect(e.onset).toEqual({ kind: 'window', seconds: 300 });
  });

  it('names the stable for a relative limit on a mean', () => {
    const mean = (m: number, n: number, steps: number): Parts => ({
      sum: series(repeat(m * n, steps).map((x, i) => x + (i % 2 ? 3 : -3))),
      count: series(repeat(n, steps)),
    });
    const e = evaluateTrigger(
      triggerRule({ name: 'quality', measure: { kind: 'mean', bounds: [0, 1] }, maxDecrease: 0.1 }),
      { candidate: mean(0.5, 200, 30), baseline: mean(0.9, 200, 30), baselineKind: 'same_time' },
      time(30),
    );
    expect(e.limitFrom).toMatchObject({ kind: 'relative', bound: 'max_decrease', of: 'stable', change: 0.1 });
    expect(describeLimit(e.limit, e.limitFrom)).toMatch(/^0\.8\d* \(stable 0\.9\d* - 10%\)$/);
  });
});

describe('when a breach began', () => {
  const rule = latency({ max: 1800 });

  it('dates a breach by the end of its first breaching step, a step long', () => {
    const e = evaluateTrigger(rule, value([1000, 1000, 2100, 2200]), time(4));
    expect(e.degradedAt).toBe(at(3));
    expect(e.onset).toEqual({ kind: 'step', seconds: 60 });
  });

  it('does not date a breach from values without timestamps (their times are made up)', () => {
    const o: TriggerObservation = {
      candidate: { value: series([1000, 1000, 2100, 2200], false) },
      baseline: undefined,
      baselineKind: 'same_time',
    };
    const e = evaluateTrigger(rule, o, time(4));
    expect(e.breached).toBe(true);
    expect(e.degradedAt).toBeNull();
    expect(e.onset).toBeUndefined();
  });

  it('does not date a breach on counts without timestamps either', () => {
    const e = evaluateTrigger(
      triggerRule({ name: 'errors', maxIncrease: 0.2 }),
      {
        candidate: { bad: series(repeat(70, 10), false), total: series(repeat(1000, 10), false) },
        baseline: { bad: series(repeat(45, 10)), total: series(repeat(9000, 10)) },
        baselineKind: 'same_time',
      },
      time(10),
    );
    expect(e.breached).toBe(true);
    expect(e.degradedAt).toBeNull();
  });
});
