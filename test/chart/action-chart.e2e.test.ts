/**
 * Issue 14, "Pictures", as the runner runs the Action (dist/index.js against the GitHub stand-in):
 * a candidate that breaches on timestamped samples is rolled back, and both the incident issue and
 * the job summary show the breaching metric as a Mermaid chart with the deploy and the rollback
 * marked, text that Mermaid's own parser reads.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionRun } from '../support/action.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { CANDIDATE, type Scenario, STABLE, useScenarios } from '../support/github-action.js';
import { mermaidBlocks, parseXyChart } from '../support/mermaid.js';

const { make } = useScenarios();

describe('the Action rolls back a breach on timestamped samples', () => {
  let s: Scenario;
  let run: ActionRun;

  beforeAll(async () => {
    s = await make();
    // The scenario pinned the candidate ten minutes ago: a sample a minute since, the candidate
    // breaching from its third minute, the stable beside it healthy.
    const now = Math.floor(Date.now() / 1000);
    const minutes = Array.from({ length: 9 }, (_, i) => now - 540 + i * 60);
    await writeFile(
      join(s.workspace, 'metrics.json'),
      JSON.stringify({
        'support-agent': {
          [CANDIDATE]: { error_rate: minutes.map((t, i) => [t, i < 2 ? 0.01 : 0.08]) },
          [STABLE]: { error_rate: minutes.map((t) => [t, 0.011]) },
        },
      }),
    );
    run = await s.run('schedule', eventPayload('schedule', { repo: 'acme/app' }));
  });

  it('rolls back', () => {
    expect(run.code).toBe(0);
    expect(run.outputs['rolled-back']).toBe('true');
  });

  it('opens an incident issue whose Metrics section charts the breach, the deploy and the rollback marked', async () => {
    const body = s.fake.issues('acme/app')[0]!.body ?? '';
    const [block] = mermaidBlocks(body.split('## Metrics')[1]!);
    const chart = await parseXyChart(block!);
    expect(chart.title).toBe('support-agent error_rate');
    expect(chart.plots.map((p) => p.title)).toEqual([
      'the deploy, the rollback',
      `candidate ${CANDIDATE}`,
      `stable ${STABLE}`,
      'limit',
    ]);
    expect(chart.plots[1]!.data.map(([, v]) => v)).toEqual([
      0.01, 0.01, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08,
    ]);
    expect(body).toMatch(
      /Red: the candidate `2\.4\.0`; blue: the stable `2\.3\.3` at the same steps; grey: the limit/,
    );
    expect(body).toMatch(/amber bars: the deploy \(`[^`]+`, \+\d+(\.\d)? min\) and the rollback \(`[^`]+`/);
  });

  it('writes the same chart into the job summary', async () => {
    const [block] = mermaidBlocks(run.summary);
    const chart = await parseXyChart(block!);
    expect(chart.plots[0]!.title).toBe('the deploy, the rollback (decided)');
    expect(chart.plots[1]!.data).toHaveLength(9);
  });

  it('keeps the series out of the report output', () => {
    expect(run.outputs.report).not.toContain('series');
  });
});
