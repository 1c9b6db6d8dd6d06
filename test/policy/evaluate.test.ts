import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/policy/aggregate.js';
import { decide, evaluateTrigger } from '../../src/policy/evaluate.js';
import type { Observation, ServiceRule, TriggerObservation, TriggerRule } from '../../src/policy/types.js';

function rule(over: Partial<TriggerRule> = {}): TriggerRule {
  return {
    name: 'error_rate',
    measure: { kind: 'value' },
    slo: undefined,
    minCount: 1,
    windowMs: 600_000,
    stepMs: 60_000,
    max: undefined,
    min: undefined,
    maxIncrease: undefined,
    maxDecrease: undefined,
    aggregate: 'last',
    sustained: 1,
    onNoData: 'inconclusive',
    reason: undefined,
    severity: 'high',
    action: 'rollback',
    ...over,
  };
}

const series = (...v: number[]): Observation => ({
  kind: 'samples',
  samples: v.map((x, i) => ({ t: 1000 + i * 60, v: x })),
});
const none: Observation = { kind: 'no_data', cause: 'query returned no series' };
const obs = (candidate: Observation, baseline?: Observation): TriggerObservation => ({
  candidate: { value: candidate },
  baseline: baseline && { value: baseline },
  baselineKind: 'same_time',
});

describe('evaluateTrigger', () => {
  it.each([
    [
      'the last sample over max breaches',
      rule({ max: 0.05 }),
      obs(series(0.01, 0.07)),
      { value: 0.07, limit: 0.05, breached: true },
    ],
    ['a value equal to max holds', rule({ max: 0.05 }), obs(series(0.05)), { value: 0.05, breached: false }],
    [
      'an earlier spike does not count with aggregate last',
      rule({ max: 0.05 }),
      obs(series(0.2, 0.01)),
      { value: 0.01, breached: false },
    ],
    [
      'aggregate max sees the spike',
      rule({ max: 0.05, aggregate: 'max' }),
      obs(series(0.2, 0.01)),
      { value: 0.2, breached: true },
    ],
    [
      'aggregate mean averages',
      rule({ max: 0.05, aggregate: 'mean' }),
      obs(series(0.02, 0.04, 0.06)),
      { value: 0.04, breached: false },
    ],
    [
      'a value under min breaches',
      rule({ min: 0.75 }),
      obs(series(0.7)),
      { value: 0.7, limit: 0.75, breached: true },
    ],
    [
      'max_increase compares with the baseline',
      rule({ maxIncrease: 0.5 }),
      obs(series(1600), series(1000)),
      { baseline: 1000, limit: 1500, breached: true },
    ],
    [
      'max_increase within the allowance holds',
      rule({ maxIncrease: 0.5 }),
      obs(series(1400), series(1000)),
      { limit: 1500, breached: false },
    ],
    [
      'the tighter of max and max_increase applies',
      rule({ max: 1800, maxIncrease: 0.5 }),
      obs(series(1700), series(1000)),
      { limit: 1500, breached: true },
    ],
    [
      'max_decrease compares downwards',
      rule({ maxDecrease: 0.2 }),
      obs(series(0.7), series(0.9)),
      { limit: 0.72, breached: true },
    ],
    [
      'without a baseline an absolute max still applies',
      rule({ max: 1800, maxIncrease: 0.5 }),
      obs(series(1700), none),
      { baseline: null, limit: 1800, breached: false },
    ],
  ])('%s', (_name, r, o, expected) => {
    const { limit, ...exact } = expected as { limit?: number };
    const e = evaluateTrigger(r, o);
    expect(e).toMatchObject(exact);
    if (limit !== undefined) expect(e.limit).toBeCloseTo(limit);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('treats %s as no data', (_name, v) => {
    expect(evaluateTrigger(rule({ max: 0.05 }), obs(series(v))).noData).not.toBeNull();
  });

  it('treats an empty series as no data', () => {
    expect(evaluateTrigger(rule({ max: 0.05 }), obs(series())).noData).toContain('no finite samples');
  });

  it('carries the provider cause of no data', () => {
    expect(evaluateTrigger(rule({ max: 0.05 }), obs(none)).noData).toBe('query returned no series');
  });

  it('makes a purely relative trigger no data when the baseline has none', () => {
    const e = evaluateTrigger(rule({ maxIncrease: 0.5 }), obs(series(1600), none));
    expect(e.noData).toBe('baseline: query returned no series');
    expect(e.breached).toBe(false);
  });

  it.each([
    ['three breaching samples in a row meet sustained 3', series(0.01, 0.07, 0.08, 0.09), true, 3],
    ['two breaching samples do not meet sustained 3', series(0.07, 0.01, 0.08, 0.09), false, 2],
    ['fewer samples than sustained never breach', series(0.09, 0.09), false, 2],
    ['a recovery at the end resets the run', series(0.07, 0.08, 0.09, 0.01), false, 0],
  ])('sustained: %s', (_name, s, breached, observed) => {
    const e = evaluateTrigger(rule({ max: 0.05, sustained: 3 }), obs(s));
    expect(e.breached).toBe(breached);
    expect(e.sustained).toEqual({ observed, required: 3 });
  });

  it('uses the trigger reason, else rollback_required', () => {
    expect(evaluateTrigger(rule({ max: 1, reason: 'error_spike' }), obs(series(2))).reason).toBe(
      'error_spike',
    );
    expect(evaluateTrigger(rule({ max: 1 }), obs(series(2))).reason).toBe('rollback_required');
  });
});

describe('decide', () => {
  const three = (over: Partial<TriggerRule>[] = [{}, {}, {}], require = 1): ServiceRule => ({
    require,
    confidence: 0.99,
    horizonMs: 7_200_000,
    triggers: ['a', 'b', 'c'].map((name, i) => rule({ name, max: 1, ...over[i] })),
  });
  const observed = (...o: Observation[]) => new Map(o.map((x, i) => [['a', 'b', 'c'][i]!, obs(x)]));

  it.each([
    [
      'all within limits allows',
      three(),
      observed(series(0), series(0), series(0)),
      'allow',
      'within_limits',
    ],
    [
      'one breach of require 1 stops',
      three([{ reason: 'error_spike' }, {}, {}]),
      observed(series(2), series(0), series(0)),
      'stop',
      'error_spike',
    ],
    [
      'one breach of require 2 allows',
      three(undefined, 2),
      observed(series(2), series(0), series(0)),
      'allow',
      'within_limits',
    ],
    [
      'two breaches of require 2 stop',
      three(undefined, 2),
      observed(series(2), series(2), series(0)),
      'stop',
      'rollback_required',
    ],
    ['no data at all is inconclusive', three(), observed(none, none, none), 'inconclusive', 'no_data'],
    ['one breach beats missing data', three(), observed(series(2), none, none), 'stop', 'rollback_required'],
    [
      'missing data that could reach require is inconclusive',
      three(undefined, 2),
      observed(series(2), none, series(0)),
      'inconclusive',
      'no_data',
    ],
    [
      'missing data that cannot reach require allows',
      three(undefined, 3),
      observed(series(0), none, series(0)),
      'allow',
      'within_limits',
    ],
    [
      'on_no_data allow counts missing data as healthy',
      three([{ onNoData: 'allow' }, { onNoData: 'allow' }, { onNoData: 'allow' }]),
      observed(none, none, none),
      'allow',
      'within_limits',
    ],
    [
      'on_no_data stop counts missing data as a breach',
      three([{ onNoData: 'stop' }, {}, {}]),
      observed(none, series(0), series(0)),
      'stop',
      'no_data',
    ],
  ])('%s', (_name, r, o, decision, reason) => {
    const d = decide(r, o);
    expect(d.decision).toBe(decision);
    expect(d.reason).toBe(reason);
  });

  it('reports the first breached trigger reason in policy order', () => {
    const r = three([{ reason: 'error_spike' }, { reason: 'sla_breach' }, {}]);
    expect(decide(r, observed(series(0), series(2), series(2))).reason).toBe('sla_breach');
  });

  it('gives evidence for every trigger', () => {
    const d = decide(three(), observed(series(2), series(0), none));
    expect(d.evidence.map((e) => [e.trigger, e.breached])).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
    ]);
  });
});

describe('aggregate', () => {
  it.each([
    ['last', [1, 5, 3], 3],
    ['max', [1, 5, 3], 5],
    ['min', [1, 5, 3], 1],
    ['mean', [1, 5, 3], 3],
    ['p50', [1, 2, 3, 4], 2],
    ['p95', Array.from({ length: 100 }, (_, i) => i + 1), 95],
    ['p99', [1, 2, 3], 3],
  ] as const)('%s of %j is %d', (how, values, expected) => {
    expect(aggregate(values, how)).toBe(expected);
  });
});

describe('decide, invariants', () => {
  const value = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN));
  const obsArb = fc.oneof(
    fc.array(value, { maxLength: 8 }).map((v) => series(...v)),
    fc.constant(none),
  );
  const ruleArb = fc.record({
    max: fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: undefined }),
    min: fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: undefined }),
    sustained: fc.integer({ min: 1, max: 4 }),
    aggregate: fc.constantFrom('last', 'mean', 'max', 'min', 'p95'),
    onNoData: fc.constantFrom('inconclusive', 'allow'),
  });
  const case_ = fc.record({
    rules: fc.array(ruleArb, { minLength: 1, maxLength: 4 }),
    observations: fc.array(obsArb, { minLength: 4, maxLength: 4 }),
    require: fc.integer({ min: 1, max: 4 }),
  });
  const build = (c: { rules: Partial<TriggerRule>[]; observations: Observation[]; require: number }) => {
    const rules = c.rules.map((r, i) => rule({ ...r, name: `t${i}` }));
    const serviceRule: ServiceRule = {
      triggers: rules,
      require: Math.min(c.require, rules.length),
      confidence: 0.99,
      horizonMs: 7_200_000,
    };
    const o = new Map(rules.map((r, i) => [r.name, obs(c.observations[i]!)]));
    return { serviceRule, o };
  };

  it('raising a max never turns allow into stop', () => {
    fc.assert(
      fc.property(
        case_,
        fc.nat({ max: 3 }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (c, which, raise) => {
          const { serviceRule, o } = build(c);
          const before = decide(serviceRule, o);
          const i = which % serviceRule.triggers.length;
          const t = serviceRule.triggers[i]!;
          if (t.max === undefined) return;
          const raised = {
            ...serviceRule,
            triggers: serviceRule.triggers.map((x, j) => (j === i ? { ...x, max: t.max! + raise } : x)),
          };
          if (before.decision === 'allow') expect(decide(raised, o).decision).not.toBe('stop');
        },
      ),
    );
  });

  it('no data never yields stop unless a trigger asks for it', () => {
    fc.assert(
      fc.property(case_, (c) => {
        const { serviceRule } = build(c);
        const empty = new Map(serviceRule.triggers.map((t) => [t.name, obs(none)]));
        expect(decide(serviceRule, empty).decision).not.toBe('stop');
      }),
    );
  });

  it('a stop always has at least `require` breaching triggers', () => {
    fc.assert(
      fc.property(case_, (c) => {
        const { serviceRule, o } = build(c);
        const d = decide(serviceRule, o);
        if (d.decision === 'stop')
          expect(d.evidence.filter((e) => e.breached).length).toBeGreaterThanOrEqual(serviceRule.require);
      }),
    );
  });
});

describe('decide, severity and action', () => {
  const rules = (over: Partial<TriggerRule>): ServiceRule => ({
    require: 1,
    confidence: 0.99,
    horizonMs: 7_200_000,
    triggers: [rule({ name: 'quality', min: 0.75, reason: 'quality_drop', ...over })],
  });
  const low = new Map([['quality', obs(series(0.6))]]);

  // Severity routes who is told; it never decides whether a breach rolls back.
  it.each(['critical', 'high', 'medium', 'low'] as const)('a %s breach stops', (severity) => {
    expect(decide(rules({ severity }), low).decision).toBe('stop');
  });

  it.each(['critical', 'medium'] as const)(
    'an `action: alert` breach of %s severity alerts without stopping',
    (severity) => {
      const d = decide(rules({ severity, action: 'alert' }), low);
      expect(d).toMatchObject({ decision: 'allow', reason: 'alert_only' });
      expect(d.alerts.map((e) => e.trigger)).toEqual(['quality']);
    },
  );
});

describe('evaluateTrigger, when the breach began', () => {
  it('dates the breach by the first sample of the newest breaching run', () => {
    const s: Observation = {
      kind: 'samples',
      samples: [0.01, 0.07, 0.01, 0.06, 0.08].map((v, i) => ({ t: 1000 + i * 60, v })),
    };
    expect(evaluateTrigger(rule({ max: 0.05, sustained: 2 }), obs(s)).degradedAt).toBe(1180);
  });

  it('has no breach time when nothing breached', () => {
    expect(evaluateTrigger(rule({ max: 0.05 }), obs(series(0.01))).degradedAt).toBeNull();
  });
});

describe('relative limits on a zero baseline', () => {
  it('fall back to the absolute limit', () => {
    const e = evaluateTrigger(rule({ max: 0.05, maxIncrease: 0.5 }), obs(series(0.001), series(0)));
    expect(e).toMatchObject({ limit: 0.05, breached: false });
  });

  it('are no data when there is no absolute limit', () => {
    expect(evaluateTrigger(rule({ maxIncrease: 0.5 }), obs(series(0.001), series(0))).noData).toContain(
      'no scale',
    );
  });
});

describe('alert-only triggers without data', () => {
  it('do not make the decision inconclusive', () => {
    const r: ServiceRule = {
      require: 1,
      confidence: 0.99,
      horizonMs: 7_200_000,
      triggers: [
        rule({ name: 'errors', max: 0.05 }),
        rule({ name: 'quality', min: 0.7, severity: 'medium', action: 'alert' }),
      ],
    };
    const o = new Map([
      ['errors', obs(series(0.01))],
      ['quality', obs(none)],
    ]);
    expect(decide(r, o).decision).toBe('allow');
  });
});

describe('a single query judges the candidate from its deploy on', () => {
  // Samples a minute apart at 1000, 1060, …, 1300: breaching before the deploy at 1150, healthy after.
  const o = obs(series(0.2, 0.2, 0.2, 0.01, 0.01, 0.01));
  const r = rule({ max: 0.05, sustained: 2, windowMs: 600_000 });

  it('leaves out samples from before the pin, even inside the window', () => {
    // One breaching sample since the deploy (1180): not the two `sustained` asks for.
    const e = evaluateTrigger(r, obs(series(0.01, 0.2, 0.2, 0.2)), { now: 1180, deployedAt: 1150 });
    expect(e.breached).toBe(false);
    expect(evaluateTrigger(r, o, { now: 1300, deployedAt: 1150 })).toMatchObject({ value: 0.01 });
  });

  it('dates no breach before the pin', () => {
    const bad = obs(series(0.2, 0.2, 0.2, 0.2, 0.2, 0.2));
    const e = evaluateTrigger(r, bad, { now: 1300, deployedAt: 1150 });
    expect(e.breached).toBe(true);
    expect(e.degradedAt).toBeGreaterThan(1150);
  });
});
