import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { type ActionRun, runAction } from '../support/action.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
services:
  support-agent:
    stage: canary
    pin: { file: apps/support-agent/kustomization.yaml, kustomize_image: ghcr.io/acme/support-agent }
    triggers:
      error_rate: { max: 0.05, reason: error_spike }
      latency_ms: { max: 800, reason: sla_breach }
`;

function workspace(): { dir: string; repo: GitOpsRepo } {
  const repo = new GitOpsRepo();
  const k = (t: string) => `images:\n  - name: ghcr.io/acme/support-agent\n    newTag: ${t}\n`;
  repo.write('apps/support-agent/kustomization.yaml', k('2.3.3'));
  repo.commit('deploy 2.3.3', 86_400);
  repo.write('apps/support-agent/kustomization.yaml', k('2.4.0'));
  repo.commit('deploy 2.4.0', 300);
  const dir = mkdtempSync(join(tmpdir(), 'pinback-ws-'));
  writeFileSync(join(dir, 'pinback.yml'), POLICY);
  writeFileSync(
    join(dir, 'metrics.json'),
    metricsJson({
      'support-agent': {
        '2.4.0': { error_rate: [0.08, 0.09], latency_ms: [500, 510] },
        '2.3.3': { error_rate: [0.01], latency_ms: [400] },
      },
    }),
  );
  return { dir, repo };
}

describe('the bundled Action in dry-run with a local gitops-repo path', () => {
  let ws: ReturnType<typeof workspace>;
  let result: ActionRun;
  let commitsBefore: number;

  beforeAll(async () => {
    ws = workspace();
    commitsBefore = ws.repo.count();
    result = await runAction({
      inputs: { config: 'pinback.yml', 'gitops-repo': ws.repo.dir, mode: 'dry-run', token: '' },
      event: 'schedule',
      payload: { schedule: '*/5 * * * *' },
      workspace: ws.dir,
      // No API at all: any request would fail against this address.
      env: { GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_GRAPHQL_URL: 'http://127.0.0.1:9/graphql' },
    });
  });

  it('passes', () => {
    expect(result.stdout).not.toContain('::error');
    expect(result.code).toBe(0);
  });

  it('sets decision=stop and the JSON report as outputs', () => {
    expect(result.outputs.decision).toBe('stop');
    expect(result.outputs['rolled-back']).toBe('false');
    const report = JSON.parse(result.outputs.report!) as Report;
    expect(report.services[0]).toMatchObject({
      service: 'support-agent',
      decision: 'stop',
      action: 'dry_run',
      from: '2.4.0',
      to: '2.3.3',
    });
  });

  it('writes a job summary with a table per service', () => {
    expect(result.summary).toContain('| Service | Decision | Reason | Candidate → Stable | Action | Links |');
    expect(result.summary).toContain(
      '| `support-agent` | **stop** | `error_spike` | `2.4.0` → `2.3.3` | dry_run | - |',
    );
    expect(result.summary).toContain('| `error_rate` | `0.09` | `0.01` | `max 0.05` | **yes** |');
  });

  it('changes nothing', () => {
    expect(ws.repo.count()).toBe(commitsBefore);
    expect(ws.repo.git('status', '--porcelain')).toBe('');
  });
});

describe('the bundled Action on events it does not serve', () => {
  it('says so and exits 0', async () => {
    const ws = workspace();
    const r = await runAction({
      inputs: { config: 'pinback.yml' },
      event: 'push',
      payload: {},
      workspace: ws.dir,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pinback does not act on push events');
  });

  it('fails fail-on-stop runs when a service is stopped', async () => {
    const ws = workspace();
    const r = await runAction({
      inputs: { config: 'pinback.yml', 'gitops-repo': ws.repo.dir, mode: 'dry-run', 'fail-on-stop': 'true' },
      event: 'workflow_dispatch',
      payload: { inputs: {} },
      workspace: ws.dir,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::a service was stopped (fail-on-stop: true)');
  });

  it('annotates a policy error at its line', async () => {
    const ws = workspace();
    writeFileSync(join(ws.dir, 'pinback.yml'), POLICY.replace('max: 0.05', 'max: lots'));
    const r = await runAction({
      inputs: { config: 'pinback.yml', mode: 'dry-run' },
      event: 'schedule',
      payload: {},
      workspace: ws.dir,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '::error title=pinback policy,file=pinback.yml,line=9,col=26::services.support-agent.triggers.error_rate.max: Invalid input',
    );
  });
});
