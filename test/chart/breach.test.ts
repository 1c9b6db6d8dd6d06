import { describe, expect, it } from 'vitest';
import { type Breach, breachChart, type ChartContext } from '../../src/chart/breach.js';
import type { MetricSeries } from '../../src/policy/types.js';
import { mermaidBlocks, parseXyChart } from '../support/mermaid.js';

const DEPLOY = 1_764_547_212;
const ROLLBACK = DEPLOY + 640;

const points = (values: readonly number[], from = 1) =>
  values.map((v, i) => ({ t: DEPLOY - 12 + (from + i) * 60, v }));

const series = (o: Partial<MetricSeries> = {}): MetricSeries => ({
  measure: 'bad / total',
  stepSec: 60,
  candidate: points([0.01, 0.01, 0.06, 0.07, 0.08, 0.07, 0.08, 0.07, 0.08, 0.07]),
  baseline: points([0.01, 0.011, 0.01, 0.009, 0.01, 0.01, 0.011, 0.01, 0.01, 0.01]),
  baselineKind: 'same_time',
  deployedAt: DEPLOY,
  judgedAt: ROLLBACK - 5,
  ...o,
});

const breach = (o: Partial<MetricSeries> = {}): Breach => ({
  trigger: 'errors',
  limit: 0.012,
  limitText: '<= 0.012 (stable 0.01 + 20%)',
  series: series(o),
});

const ctx: ChartContext = {
  service: 'api',
  candidate: '2.4.0',
  stable: '2.3.3',
  events: [{ label: 'the rollback', at: ROLLBACK }],
  code: (s) => `\`${s}\``,
};

const captionOf = (md: string) => md.split('\n```\n\n')[1]!;

describe('breachChart', () => {
  it('draws the candidate, the stable at the same steps and the limit, the deploy and the rollback marked', async () => {
    const md = breachChart(breach(), ctx)!;
    expect(md.startsWith('```mermaid\n')).toBe(true);
    expect(captionOf(md)).toBe(
      'Red: the candidate `2.4.0`; blue: the stable `2.3.3` at the same steps; grey: the limit ' +
        '`<= 0.012 (stable 0.01 + 20%)`; amber bars: the deploy (`2025-12-01T00:00:12Z`, +0 min) and the ' +
        'rollback (`2025-12-01T00:10:52Z`, +10.7 min), each at the plotted step nearest to it. ' +
        'y: bad / total per 1m step; x: minutes after the deploy.',
    );
    const chart = await parseXyChart(mermaidBlocks(md)[0]!);
    expect(chart.title).toBe('api errors');
    expect(chart.plots.map((p) => [p.type, p.title])).toEqual([
      ['bar', 'the deploy, the rollback'],
      ['line', 'candidate 2.4.0'],
      ['line', 'stable 2.3.3'],
      ['line', 'limit'],
    ]);
    const bars = chart.plots[0]!.data.map(([, v]) => v > 0);
    expect(bars).toEqual([true, ...Array<boolean>(8).fill(false), true]);
  });

  it('draws a baseline before the deploy and the candidate after it as one line, the deploy between them', async () => {
    const md = breachChart(
      breach({ baselineKind: 'before_deploy', baseline: points([0.01, 0.01, 0.01, 0.01], -4) }),
      ctx,
    )!;
    expect(captionOf(md)).toContain(
      'Red: the stable `2.3.3` before the deploy, then the candidate `2.4.0`; grey: the limit',
    );
    expect(captionOf(md)).not.toContain('blue');
    const chart = await parseXyChart(mermaidBlocks(md)[0]!);
    expect(chart.xAxis).toMatchObject({ type: 'linear', min: -4, max: 10 });
    const marked = chart.plots[0]!.data.flatMap(([x, v]) => (v > 0 ? [Number(x)] : []));
    expect(marked).toEqual([0, 10]);
  });

  it('draws the candidate alone where no baseline was read', () => {
    const md = breachChart(breach({ baseline: [] }), ctx)!;
    expect(captionOf(md)).toMatch(/^Red: the candidate `2.4.0`; grey: the limit/);
    expect(md).toContain('"plotColorPalette": "#f2c14e, #d62728, #7f7f7f"');
  });

  it('says where an event falls outside the chart', () => {
    const md = breachChart(breach(), { ...ctx, events: [{ label: 'the rollback', at: ROLLBACK + 7200 }] })!;
    expect(captionOf(md)).toContain(
      'amber bars: the deploy (`2025-12-01T00:00:12Z`, +0 min), each at the plotted step nearest to it; ' +
        'outside the chart: the rollback (`2025-12-01T02:10:52Z`, +130.7 min)',
    );
  });

  it('counts x from the first sample, and says so, when the deploy is unknown', () => {
    const md = breachChart(breach({ deployedAt: undefined }), ctx)!;
    expect(md).toContain('x-axis "minutes after 2025-12-01T00:01:00Z"');
    expect(captionOf(md)).toContain('x: minutes after `2025-12-01T00:01:00Z`');
  });

  it('says when points average several steps', () => {
    const many = Array.from({ length: 240 }, (_, i) => 0.01 + (i > 100 ? 0.05 : 0));
    const md = breachChart(breach({ candidate: points(many), baseline: [] }), ctx)!;
    expect(captionOf(md)).toContain('Each point is the mean of the steps in 5m.');
  });

  it('draws nothing from fewer than two points', () => {
    expect(breachChart(breach({ candidate: points([0.1]) }), ctx)).toBeUndefined();
  });
});
