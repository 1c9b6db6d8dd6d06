/** The commit body: each breached trigger with its value and a limit that says where it comes from. */
import { describe, expect, it } from 'vitest';
import { breachedTerms, explain } from '../../src/history/explain.js';
import { decide } from '../../src/policy/evaluate.js';
import type { Observation, TriggerObservation, TriggerRule } from '../../src/policy/types.js';
import { triggerRule } from '../support/rules.js';

const T0 = 1_764_547_200;
const series = (...values: number[]): Observation => ({
  kind: 'samples',
  samples: values.map((v, i) => ({ t: T0 + (i + 1) * 60, v })),
});
const latency = (over: Partial<TriggerRule>): TriggerRule =>
  triggerRule({ name: 'latency_p95_ms', measure: { kind: 'value' }, sustained: 1, minCount: 1, ...over });

function body(rule: TriggerRule, o: TriggerObservation) {
  const d = decide(
    { triggers: [rule], require: 1, confidence: 0.99, horizonMs: 7_200_000 },
    new Map([[rule.name, o]]),
  );
  return { text: explain(d), terms: breachedTerms(d.evidence) };
}

describe('explain', () => {
  it('says a relative limit is the stable plus the increase, not a max (max 1800, max_increase 50%)', () => {
    const { text, terms } = body(latency({ max: 1800, maxIncrease: 0.5 }), {
      candidate: { value: series(2100) },
      baseline: { value: series(1140) },
      baselineKind: 'same_time',
    });
    expect(text).toBe('latency_p95_ms 2100 > 1710 (stable 1140 + 50%; tighter than max 1800).');
    // The trailers are a contract: unchanged.
    expect(terms).toEqual(['latency_p95_ms=2100>1710']);
  });

  it('says max for an absolute limit, with the stable beside it', () => {
    const { text, terms } = body(latency({ max: 1800, sustained: 2 }), {
      candidate: { value: series(2000, 2100) },
      baseline: { value: series(1100, 1140) },
      baselineKind: 'same_time',
    });
    expect(text).toBe('latency_p95_ms 2100 > max 1800 (baseline 1140) (sustained 2 samples).');
    expect(terms).toEqual(['latency_p95_ms=2100>1800']);
  });

  it('says which limit bound when the absolute one is the tighter', () => {
    const { text } = body(latency({ max: 1800, maxIncrease: 0.5 }), {
      candidate: { value: series(1900) },
      baseline: { value: series(1400) },
      baselineKind: 'same_time',
    });
    expect(text).toBe('latency_p95_ms 1900 > max 1800 (tighter than stable 1400 + 50% = 2100).');
  });

  it('names the window before the deploy when that is the baseline', () => {
    const { text } = body(latency({ maxIncrease: 0.5 }), {
      candidate: { value: series(2100) },
      baseline: { value: series(1140) },
      baselineKind: 'before_deploy',
    });
    expect(text).toBe('latency_p95_ms 2100 > 1710 (before the deploy 1140 + 50%).');
  });
});
