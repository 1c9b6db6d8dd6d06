/** Count-aware triggers in the policy file: what they read, their defaults, and the mistakes they refuse. */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { issuesOf } from '../support/policy-issues.js';

const policy = (triggers: string, extra = '') => `version: 1
providers:
  prom: { type: prometheus, url: "http://prometheus:9090" }
${extra}services:
  api:
    candidate: v2
    triggers:
${triggers}`;

const RATIO = `      errors:
        ratio:
          bad: 'sum(increase(http_requests_total{version="{{version}}",code=~"5.."}[{{step}}]))'
          total: 'sum(increase(http_requests_total{version="{{version}}"}[{{step}}]))'
        max_increase: 20%
        slo: { objective: 99.9% }
`;

describe('count-aware triggers', () => {
  it('read a ratio as two queries, from the deploy on, a step at a time', () => {
    const s = parsePolicy(policy(RATIO), 'policy.yml', {}).services[0]!;
    expect(s.queries[0]!.parts.map((p) => p.part)).toEqual(['bad', 'total']);
    expect(s.queries[0]).toMatchObject({ sinceDeploy: true, stepMs: 60_000 });
    expect(s.rule.triggers[0]).toMatchObject({
      measure: { kind: 'ratio' },
      sustained: 2,
      minCount: 100,
      maxIncrease: 0.2,
      slo: { objective: 0.999, windows: [{ factor: 14.4 }, { factor: 6 }] },
    });
    expect(s.rule).toMatchObject({ confidence: 0.99, horizonMs: 7_200_000 });
  });

  it('read a histogram grouped by le, at its quantile', () => {
    const s = parsePolicy(
      policy(`      latency:
        histogram: { buckets: 'sum by (le) (increase(x_bucket{version="{{version}}"}[{{step}}]))', quantile: 99% }
        max_increase: 15%
`),
      'policy.yml',
      {},
    ).services[0]!;
    expect(s.queries[0]!.parts).toEqual([{ part: 'buckets', query: expect.any(String), groupBy: 'le' }]);
    expect(s.rule.triggers[0]!.measure).toEqual({ kind: 'histogram', quantile: 0.99 });
  });

  it('take confidence, step and min_count where a user sets them', () => {
    const s = parsePolicy(
      policy(
        `      quality: { mean: { sum: 'a[{{step}}]', count: 'b[{{step}}]', bounds: [0, 1] }, max_decrease: 3%, min_count: 50 }
`,
        'defaults: { provider: prom, step: 30s, confidence: 99.9% }\n',
      ),
      'policy.yml',
      {},
    ).services[0]!;
    expect(s.rule.confidence).toBeCloseTo(0.999);
    expect(s.rule.triggers[0]).toMatchObject({ stepMs: 30_000, minCount: 50, measure: { bounds: [0, 1] } });
  });

  it.each([
    [
      'a count query over the window (samples would overlap)',
      `      errors: { ratio: { bad: 'increase(e[{{window}}])', total: 'increase(r[{{step}}])' }, max_increase: 20% }\n`,
      'policy.yml:8:31: services.api.triggers.errors.ratio.bad: a count query counts one step: use [{{step}}]',
    ],
    [
      'a count query over a range longer than the step',
      `      errors: { ratio: { bad: 'sum(increase(e{code=~"5[0-9][0-9]"}[5m]))', total: 'sum(increase(r[{{step}}]))' }, max_increase: 20% }\n`,
      'counts over [5m] read every 60s overlap: each event would be counted 5 times; use [{{step}}]',
    ],
    [
      'an slo on a single query',
      `      errors: { query: 'x', slo: { objective: 99% } }\n`,
      'slo needs a ratio trigger',
    ],
    [
      'two measures at once',
      `      errors: { query: 'x', ratio: { bad: 'a', total: 'b' }, max: 0.1 }\n`,
      'a trigger measures one thing: query, ratio, mean or histogram (found query and ratio)',
    ],
    [
      "a ratio's max outside 0..1",
      `      errors: { ratio: { bad: 'a', total: 'b' }, max: 5 }\n`,
      "a ratio's max is a share of events between 0 and 1",
    ],
    [
      'aggregate on counts',
      `      errors: { ratio: { bad: 'a', total: 'b' }, max_increase: 20%, aggregate: mean }\n`,
      'aggregate applies to a single query; a ratio trigger pools its counts',
    ],
    [
      'a ratio without its queries on Prometheus',
      `      errors: { ratio: { bad: 'a' }, max_increase: 20% }\n`,
      'a prometheus trigger needs ratio.total: the query to send',
    ],
    [
      'a quantile of 100%',
      `      latency: { histogram: { buckets: 'b', quantile: 100% }, max_increase: 10% }\n`,
      'quantile is a percentage between 0% and 100%',
    ],
    [
      'a confidence of 40%',
      RATIO,
      'confidence below 50% would stop healthy releases more often than not',
      'defaults: { confidence: 40% }\n',
    ],
  ])('refuses %s, saying where', (_name, triggers, message, extra = '') => {
    expect(issuesOf(policy(triggers, extra)).join('\n')).toContain(message);
  });
});
