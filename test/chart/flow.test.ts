/**
 * Issue 14, "Pictures", through the real flow: a run judges a breaching candidate on timestamped
 * samples, rolls it back, and its incident and its job summary show the breaching metric as a
 * Mermaid chart (parsed by Mermaid's own parser), the deploy and the rollback marked. The JSON
 * report stays as it was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { summaryMarkdown } from '../../src/action/summary.js';
import { parsePolicy } from '../../src/config/load.js';
import { type Incident, renderIncident } from '../../src/incident/render.js';
import type { IncidentSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import type { RollbackNotice } from '../../src/notify/event.js';
import { slackMessage } from '../../src/notify/slack.js';
import { run, type RunResult } from '../../src/reconcile/run.js';
import { Clock } from '../support/clock.js';
import { CANDIDATE, fleetRun, kustomization, pinOf, STABLE } from '../support/fleet.js';
import { MemoryGitOps } from '../support/memory-gitops.js';
import { mermaidBlocks, parseXyChart } from '../support/mermaid.js';

const DEPLOYED_AGO_S = 600;

/** A minute of error rate each, since the deploy: the candidate degrades from its third minute. */
function timestamped(deployS: number): MetricsProvider {
  return {
    query: async (q) => {
      const start = (q.start?.getTime() ?? q.end.getTime() - q.windowMs) / 1000;
      const end = q.end.getTime() / 1000;
      const samples = Array.from({ length: 10 }, (_, i) => ({
        t: deployS + (i + 1) * 60,
        v: q.version === CANDIDATE ? (i < 2 ? 0.01 : 0.2 + i / 100) : 0.01 + (i % 2) / 1000,
      })).filter((s) => s.t > start && s.t <= end);
      return { kind: 'samples', samples };
    },
  };
}

/** Incidents as the Markdown a sink would write. */
function capturing(): IncidentSink & { opened: Incident[] } {
  const opened: Incident[] = [];
  return {
    opened,
    open: async (i) => {
      opened.push(i);
      return { where: `incidents/${i.service}-${i.id}.md`, created: true };
    },
    note: async () => null,
    update: async () => ({ where: null, added: false }),
  };
}

describe('a rollback on timestamped samples shows the breach as a chart', () => {
  let result: RunResult;
  let incidents: ReturnType<typeof capturing>;
  const notices: RollbackNotice[] = [];

  beforeAll(async () => {
    const clock = new Clock();
    const repo = new MemoryGitOps(clock.ms);
    repo.write(pinOf('api'), kustomization('api', STABLE));
    repo.commitAt('deploy 1.0.0', 86_400);
    repo.write(pinOf('api'), kustomization('api', CANDIDATE));
    repo.commitAt('deploy 1.1.0', DEPLOYED_AGO_S);
    const policy = parsePolicy(
      [
        'version: 1',
        'services:',
        '  api:',
        `    pin: { file: ${pinOf('api')}, kustomize_image: ghcr.io/acme/api }`,
        '    triggers: { error_rate: { query: errors, max: 0.05, window: 15m } }',
        '',
      ].join('\n'),
      'pinback.yml',
      {},
    );
    incidents = capturing();
    result = await run(
      policy.services,
      {
        store: repo,
        providers: new Map([['file', timestamped(clock.ms() / 1000 - DEPLOYED_AGO_S)]]),
        incidents,
        notifiers: () => [{ send: async (n) => void notices.push(n), describe: () => 'test' }],
        now: clock.now,
      },
      fleetRun(policy),
    );
  });

  it('rolls back', () => {
    expect(result.failures).toEqual([]);
    expect(result.report.services[0]).toMatchObject({ action: 'rolled_back', from: CANDIDATE, to: STABLE });
  });

  it("puts a chart of the breaching trigger in the incident's Metrics section, the deploy and the rollback marked", async () => {
    const markdown = renderIncident(incidents.opened[0]!);
    const metrics = markdown.split('## Metrics')[1]!.split('## Decision')[0]!;
    const [block] = mermaidBlocks(metrics);
    expect(block).toBeDefined();
    const chart = await parseXyChart(block!);
    expect(chart.title).toBe('api error_rate');
    expect(chart.plots.map((p) => p.title)).toEqual([
      'the deploy, the rollback',
      `candidate ${CANDIDATE}`,
      `stable ${STABLE}`,
      'limit',
    ]);
    // The deploy at the first step after it, the rollback at the last before it.
    const marked = chart.plots[0]!.data.map(([, v]) => v > 0);
    expect(marked[0]).toBe(true);
    expect(marked[marked.length - 1]).toBe(true);
    expect(marked.filter(Boolean)).toHaveLength(2);
    expect(chart.plots[3]!.data.every(([, v]) => v === 0.05)).toBe(true);
    expect(metrics).toMatch(
      /amber bars: the deploy \(`[^`]+`, \+0 min\) and the rollback \(`[^`]+`, \+10 min\)/,
    );
    expect(metrics).toContain('grey: the limit `<= max 0.05`');
  });

  it("puts the same chart in the job summary, under the service's triggers", async () => {
    const summary = summaryMarkdown(result.report, 'schedule');
    const section = summary.split('### `api`')[1]!;
    const [block] = mermaidBlocks(section);
    const chart = await parseXyChart(block!);
    expect(chart.plots.map((p) => p.title)[0]).toBe('the deploy, the rollback (decided)');
    expect(section).toContain('and the rollback (decided) (`');
  });

  it("puts a sparkline of the breaching metric on Slack's evidence line", () => {
    expect(notices[0]!.trends).toEqual({ error_rate: '▁▁▆▇▇▇████' });
    const text = JSON.stringify(slackMessage(notices[0]!).blocks);
    expect(text).toContain('• `error_rate=0.29&gt;0.05` ▁▁▆▇▇▇████');
  });

  it('keeps the series out of the JSON report', () => {
    expect(result.report.services[0]!.evidence[0]!.series).toBeDefined();
    expect(JSON.stringify(result.report)).not.toContain('series');
    expect(JSON.stringify(result.report)).not.toContain('candidate');
  });
});
