/**
 * What an incident and the job summary say of limits and of when a breach began: the same limit
 * wording as the commit body, and a Degraded time only from samples with timestamps.
 */
import { describe, expect, it } from 'vitest';
import { summaryMarkdown } from '../../src/action/summary.js';
import { degradedAt, explain } from '../../src/history/explain.js';
import { type Incident, renderIncident } from '../../src/incident/render.js';
import { decide } from '../../src/policy/evaluate.js';
import type {
  Decision,
  Observation,
  Parts,
  TriggerObservation,
  TriggerRule,
} from '../../src/policy/types.js';
import { serviceReport } from '../../src/report.js';
import { triggerRule } from '../support/rules.js';

/** The deploy (the pin commit); a sample at `at(m)` counts the minute up to m minutes after it. */
const T0 = 1_764_547_200;
const at = (m: number) => T0 + m * 60;
const repeat = <T>(x: T, n: number): T[] => Array.from({ length: n }, () => x);
const series = (values: number[], timed?: false): Observation => ({
  kind: 'samples',
  samples: values.map((v, i) => ({ t: at(i + 1), v })),
  ...(timed === false ? { timed } : {}),
});

function judge(rule: TriggerRule, o: TriggerObservation, minutes: number): Decision {
  return decide(
    { triggers: [rule], require: 1, confidence: 0.99, horizonMs: 7_200_000 },
    new Map([[rule.name, o]]),
    { now: at(minutes), deployedAt: T0 },
  );
}

function incident(d: Decision): Incident {
  const degraded = degradedAt(d.evidence);
  return {
    kind: 'rollback',
    id: '0123456789abcdef',
    service: 'support-agent',
    stage: 'production',
    from: '2.4.0',
    to: '2.3.3',
    reason: d.reason,
    evidence: d.evidence,
    require: d.require,
    policyDigest: 'sha256:0',
    policyFile: 'pinback.yml',
    pinFile: 'apps/support-agent/kustomization.yaml',
    pinnedAt: new Date(T0 * 1000),
    degradedAt: degraded === undefined ? undefined : new Date(degraded * 1000),
    evaluatedAt: new Date(at(10) * 1000),
    committedAt: new Date(at(10) * 1000),
    commit: 'c'.repeat(40),
    commitUrl: undefined,
    runUrl: undefined,
    mode: 'auto',
    owners: [],
  };
}

const row = (md: string, event: string) => md.split('\n').find((l) => l.startsWith(`| ${event} |`));

const latency = triggerRule({
  name: 'latency_p95_ms',
  measure: { kind: 'value' },
  max: 1800,
  maxIncrease: 0.5,
  sustained: 1,
  minCount: 1,
  reason: 'sla_breach',
});
const latencyObserved = (timed?: false): TriggerObservation => ({
  candidate: { value: series([1100, 2100], timed) },
  baseline: { value: series([1100, 1140]) },
  baselineKind: 'same_time',
});

describe('limits say where they come from', () => {
  const d = judge(latency, latencyObserved(), 2);

  it('in the commit body', () => {
    expect(explain(d)).toBe('latency_p95_ms 2100 > 1710 (stable 1140 + 50%; tighter than max 1800).');
  });

  it("in the incident's metrics", () => {
    expect(row(renderIncident(incident(d)), '`latency_p95_ms`')).toBe(
      '| `latency_p95_ms` | `2100` | `1140` | `<= 1710 (stable 1140 + 50%; tighter than max 1800)` | **yes** |',
    );
  });

  it('in the job summary', () => {
    const report = {
      version: 1 as const,
      services: [
        serviceReport({ service: 'support-agent', stage: 'production', from: '2.4.0', to: '2.3.3' }, d),
      ],
    };
    expect(row(summaryMarkdown(report, 'schedule'), '`latency_p95_ms`')).toBe(
      '| `latency_p95_ms` | `2100` | `1140` | `1710 (stable 1140 + 50%; tighter than max 1800)` | **yes** |',
    );
  });

  it('and an absolute limit says max', () => {
    const abs = judge({ ...latency, maxIncrease: undefined }, latencyObserved(), 2);
    expect(row(renderIncident(incident(abs)), '`latency_p95_ms`')).toContain('`<= max 1800`');
  });
});

describe("the incident's Degraded time", () => {
  it('names the step it began in, between two times after the pin', () => {
    const md = renderIncident(incident(judge(latency, latencyObserved(), 2)));
    expect(row(md, 'Degraded')).toBe(
      `| Degraded | \`${new Date(at(2) * 1000).toISOString().replace('.000', '')}\` | first breaching sample (the 60 s ending at this time): began between 60 and 120 s after the pin |`,
    );
  });

  it('names the first breaching step of a test on counts', () => {
    const ratio = (bad: number[], total: number[]): Parts => ({ bad: series(bad), total: series(total) });
    const d = judge(
      triggerRule({ name: 'errors', maxIncrease: 0.2, reason: 'error_spike' }),
      {
        candidate: ratio([5, 38, ...repeat(70, 8)], repeat(1000, 10)),
        baseline: ratio(repeat(45, 10), repeat(9000, 10)),
        baselineKind: 'same_time',
      },
      10,
    );
    expect(d.decision).toBe('stop');
    expect(row(renderIncident(incident(d)), 'Degraded')).toContain(
      'first breaching step (the 60 s ending at this time): began between 60 and 120 s after the pin',
    );
  });

  it("says a burn rate's time is the start of its window, not a breaching sample", () => {
    const slo = { objective: 0.99, windows: [{ longMs: 3_600_000, shortMs: 300_000, factor: 14.4 }] };
    const ratio = (bad: number[], total: number[]): Parts => ({ bad: series(bad), total: series(total) });
    const d = judge(
      triggerRule({ name: 'errors', slo, reason: 'error_spike' }),
      {
        candidate: ratio(repeat(200, 10), repeat(1000, 10)),
        baseline: ratio(repeat(5, 10), repeat(1000, 10)),
        baselineKind: 'same_time',
      },
      10,
    );
    expect(d.decision).toBe('stop');
    expect(row(renderIncident(incident(d)), 'Degraded')).toContain(
      'burning the error budget too fast since at least this time (the start of its 300 s window, 300 s after the pin)',
    );
  });

  it('is left out when the samples carry no timestamps of their own', () => {
    const d = judge(latency, latencyObserved(false), 2);
    expect(d.decision).toBe('stop');
    const md = renderIncident(incident(d));
    expect(row(md, 'Degraded')).toBeUndefined();
    expect(md).not.toContain('first breaching');
  });
});
