/**
 * `pinback backtest` through the bundled CLI: the repository's own example policy replayed over
 * the example series file, and the mistakes it refuses.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const POLICY = 'examples/policies/http-service.yml';
const SERIES = 'examples/backtest/http-series.json';
const env = { PROMETHEUS_URL: 'http://prometheus.invalid:9090' };

interface BacktestJson {
  summary: { deploys: number; rolled_back: number; by_trigger: Record<string, number> };
  deploys: Array<{
    id: string;
    rolled_back: boolean;
    timeline: string;
    first_stop: { after_s: number; triggers: string[] } | null;
  }>;
}

describe('pinback backtest --series', () => {
  it('reports exactly the bad deploys of the example as rolled back, and when', async () => {
    const r = await runCli(['backtest', '-c', POLICY, '--series', SERIES, '--json'], { env });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as BacktestJson;
    expect(out.deploys.map((d) => [d.id, d.rolled_back])).toEqual([
      ['healthy', false],
      ['errors-x10-after-90s', true],
      ['shared-outage', false],
      ['latency-x2', true],
    ]);
    const byId = new Map(out.deploys.map((d) => [d.id, d]));
    expect(byId.get('errors-x10-after-90s')!.first_stop).toMatchObject({ triggers: ['errors'] });
    expect(byId.get('errors-x10-after-90s')!.first_stop!.after_s).toBeLessThanOrEqual(4.5 * 60);
    expect(byId.get('latency-x2')!.first_stop).toMatchObject({ triggers: ['latency'] });
    expect(byId.get('healthy')!.timeline).toHaveLength(30);
    expect(out.summary).toMatchObject({ deploys: 4, rolled_back: 2, by_trigger: { errors: 1, latency: 1 } });
  });

  it('prints a line and a timeline per deploy, then the summary', async () => {
    const r = await runCli(['backtest', '-c', POLICY, '--series', SERIES], { env });
    expect(r.stdout).toContain(
      'api 1.5.0 (stable 1.4.0) deployed 2026-11-02T10:00:00.000Z: rolled back at +',
    );
    expect(r.stdout).toMatch(/\n {2}\.+X\n/);
    expect(r.stdout).toContain('4 deploy(s) replayed every 1m: 2 would have been rolled back');
  });

  it('replays at the step it is given', async () => {
    const r = await runCli(['backtest', '-c', POLICY, '--series', SERIES, '--step', '5m', '--json'], { env });
    const out = JSON.parse(r.stdout) as BacktestJson;
    expect(out.deploys[0]!.timeline).toHaveLength(6);
  });

  it.each([
    ['a deploy without a candidate', { deploys: [{ service: 'api', at: 1 }] }, 'at .deploys[0].candidate'],
    [
      'a deploy of an unknown service',
      { deploys: [{ service: 'web', candidate: 'v1', at: 1 }] },
      'no service web',
    ],
    [
      'a bad sample',
      {
        deploys: [
          { service: 'api', candidate: 'v1', at: 1, metrics: { v1: { errors: { bad: ['x'], total: [1] } } } },
        ],
      },
      'bad[0]: expected a number',
    ],
  ])('refuses %s with exit 2, saying where', async (_name, content, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'pinback-backtest-'));
    writeFileSync(join(dir, 'series.json'), JSON.stringify(content));
    const r = await runCli(['backtest', '-c', POLICY, '--series', join(dir, 'series.json')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
