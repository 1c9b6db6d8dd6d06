import { describe, expect, it } from 'vitest';
import { decide } from '../../src/policy/evaluate.js';
import { seriesOf, withSeries } from '../../src/policy/series.js';
import type { Observation, ServiceRule, TriggerObservation } from '../../src/policy/types.js';
import { triggerRule } from '../support/rules.js';

const DEPLOY = 1_764_547_200;
const NOW = DEPLOY + 600;
const TIME = { now: NOW, deployedAt: DEPLOY };

/** Samples at DEPLOY + (from + i) minutes, i counted from 0. */
const points = (values: readonly number[], from = 1) =>
  values.map((v, i) => ({ t: DEPLOY + (from + i) * 60, v }));
const at = (values: readonly number[], from = 1): Observation => ({
  kind: 'samples',
  samples: points(values, from),
});

const untimed = (o: Observation): Observation => ({ ...o, timed: false }) as Observation;

const same = (candidate: TriggerObservation['candidate'], baseline?: TriggerObservation['candidate']) => ({
  candidate,
  baseline,
  baselineKind: 'same_time' as const,
});

describe('seriesOf: one number a step, from what the judgement read', () => {
  it('a ratio: bad / total a step, for the candidate and the stable at the same steps', () => {
    const s = seriesOf(
      triggerRule(),
      same(
        { bad: at([1, 10, 30]), total: at([100, 100, 0]) },
        { bad: at([9, 9, 9]), total: at([900, 900, 900]) },
      ),
      TIME,
    )!;
    // A step without requests has no ratio: it is left out, not drawn as zero.
    expect(s.candidate).toEqual([
      { t: DEPLOY + 60, v: 0.01 },
      { t: DEPLOY + 120, v: 0.1 },
    ]);
    expect(s.baseline.map((x) => x.v)).toEqual([0.01, 0.01, 0.01]);
    expect(s).toMatchObject({ measure: 'bad / total', stepSec: 60, deployedAt: DEPLOY, judgedAt: NOW });
  });

  it('a mean: sum / count a step', () => {
    const rule = triggerRule({ measure: { kind: 'mean', bounds: [0, 1] } });
    const s = seriesOf(rule, same({ sum: at([8, 6]), count: at([10, 10]) }), TIME)!;
    expect(s.candidate.map((x) => x.v)).toEqual([0.8, 0.6]);
    expect(s.measure).toBe('mean (sum / count)');
  });

  it('a histogram: its quantile a step, as histogram_quantile reads it', () => {
    const rule = triggerRule({ measure: { kind: 'histogram', quantile: 0.95 } });
    const buckets: Observation = {
      kind: 'groups',
      groups: [
        { key: '0.5', samples: points([90, 10]) },
        { key: '1', samples: points([100, 100]) },
        { key: '+Inf', samples: points([100, 100]) },
      ],
    };
    const s = seriesOf(rule, same({ buckets }), TIME)!;
    expect(s.measure).toBe('p95');
    expect(s.candidate.map((x) => Number(x.v.toFixed(3)))).toEqual([0.75, 0.972]);
  });

  it('a single query: its samples over the window it was judged on, not before the deploy', () => {
    const rule = triggerRule({ measure: { kind: 'value' }, windowMs: 300_000 });
    const s = seriesOf(rule, same({ value: at([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], -2) }), TIME)!;
    // The window is the five minutes before now: samples at +6 to +7 min (now is +10; the samples end at +7).
    expect(s.candidate.map((x) => (x.t - DEPLOY) / 60)).toEqual([6, 7]);
  });

  it('a baseline before the deploy: the window read before it', () => {
    const s = seriesOf(
      triggerRule(),
      {
        candidate: { bad: at([5, 5]), total: at([100, 100]) },
        baseline: { bad: at([1, 1, 1], -3), total: at([100, 100, 100], -3) },
        baselineKind: 'before_deploy',
      },
      TIME,
    )!;
    expect(s.baselineKind).toBe('before_deploy');
    expect(s.baseline.map((x) => (x.t - DEPLOY) / 60)).toEqual([-3, -2, -1]);
  });

  it.each([
    ['values without times of their own', same({ value: untimed(at([1, 2, 3])) })],
    ['no data', same({ value: { kind: 'no_data', cause: 'down' } })],
    ['no sample since the deploy', same({ bad: at([1], -5), total: at([10], -5) })],
  ])('nothing from %s', (_, observed) => {
    const rule = triggerRule({ measure: observed.candidate.value ? { kind: 'value' } : { kind: 'ratio' } });
    expect(seriesOf(rule, observed, TIME)).toBeUndefined();
  });

  it('a stable without times of its own is left out, the candidate kept', () => {
    const s = seriesOf(
      triggerRule({ measure: { kind: 'value' } }),
      same({ value: at([1, 2]) }, { value: untimed(at([1, 1])) }),
      TIME,
    )!;
    expect(s.baseline).toEqual([]);
    expect(s.candidate).toHaveLength(2);
  });

  it('leaves NaN and infinities out', () => {
    const s = seriesOf(
      triggerRule({ measure: { kind: 'value' } }),
      same({ value: at([1, Number.NaN, Number.POSITIVE_INFINITY, 4]) }),
      TIME,
    )!;
    expect(s.candidate.map((x) => x.v)).toEqual([1, 4]);
  });
});

describe('withSeries: the judgement untouched, breached evidence with its series', () => {
  const rule: ServiceRule = {
    triggers: [
      triggerRule({ name: 'errors', measure: { kind: 'value' }, max: 0.05, sustained: 1, minCount: 1 }),
      triggerRule({ name: 'latency', measure: { kind: 'value' }, max: 2, sustained: 1, minCount: 1 }),
    ],
    require: 1,
    confidence: 0.99,
    horizonMs: 7_200_000,
  };
  const observed = new Map<string, TriggerObservation>([
    ['errors', same({ value: at([0.01, 0.2, 0.3]) })],
    ['latency', same({ value: at([1, 1, 1]) })],
  ]);

  it('adds the series to breached triggers only, and changes nothing else', () => {
    const plain = decide(rule, observed, TIME);
    const drawn = withSeries(plain, rule, observed, TIME);
    expect(drawn.decision).toBe('stop');
    expect(drawn.evidence[0]!.series?.candidate).toHaveLength(3);
    expect(drawn.evidence[1]!.series).toBeUndefined();
    const { series: _, ...rest } = drawn.evidence[0]!;
    expect(rest).toEqual(plain.evidence[0]);
    expect({ ...drawn, evidence: [rest, drawn.evidence[1]] }).toEqual(plain);
  });

  it('keeps alerts the same entries as the evidence', () => {
    const alerting: ServiceRule = {
      ...rule,
      triggers: rule.triggers.map((t) => ({ ...t, action: 'alert' as const })),
    };
    const drawn = withSeries(decide(alerting, observed, TIME), alerting, observed, TIME);
    expect(drawn.alerts).toHaveLength(1);
    expect(drawn.alerts[0]).toBe(drawn.evidence[0]);
    expect(drawn.alerts[0]!.series).toBeDefined();
  });
});
