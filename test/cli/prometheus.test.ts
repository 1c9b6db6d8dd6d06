/**
 * The CLI end to end against a real Prometheus (Debian's package) over backfilled counters:
 * the candidate 2.4.0 fails 9% of requests, the stable 2.3.3 1%.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { GitOpsRepo } from '../support/gitops.js';
import { findPrometheus, type RunningPrometheus, startPrometheus } from '../support/prometheus.js';

const bins = findPrometheus();
const inCi = Boolean(process.env.CI);
if (!bins && !inCi)
  console.warn('prometheus not found: skipping; install it with `apt-get install prometheus`.');

const ERROR_RATE =
  'sum(rate(http_requests_total{service="support-agent",version="{{version}}",code=~"5.."}[{{window}}]))' +
  ' / sum(rate(http_requests_total{service="support-agent",version="{{version}}"}[{{window}}]))';

const policy = (url: string, service: string) => `version: 1
providers:
  prom: { type: prometheus, url: "${url}", timeout: 2s }
defaults: { provider: prom, window: 10m }
services:
  support-agent:
    stage: canary
${service}
    triggers:
      error_rate: { query: '${ERROR_RATE}', max: 0.05, max_increase: 100%, reason: error_spike }
`;

function write(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

function gitopsRepo(candidate: string): GitOpsRepo {
  const repo = new GitOpsRepo();
  const k = (tag: string) => `images:\n  - name: ghcr.io/acme/support-agent\n    newTag: ${tag}\n`;
  repo.write('apps/support-agent/kustomization.yaml', k('2.3.3'));
  repo.commit('deploy 2.3.3', 86_400);
  repo.write('apps/support-agent/kustomization.yaml', k(candidate));
  repo.commit(`deploy ${candidate}`, 300);
  return repo;
}

const PIN =
  '    pin: { file: apps/support-agent/kustomization.yaml, kustomize_image: ghcr.io/acme/support-agent }';

describe.skipIf(!bins && !inCi)('pinback against a real Prometheus', () => {
  let prom: RunningPrometheus;
  const dir = mkdtempSync(join(tmpdir(), 'pinback-prom-cli-'));

  beforeAll(async () => {
    if (!bins)
      throw new Error('CI needs the prometheus and promtool binaries: apt-get install -y prometheus');
    prom = await startPrometheus(bins);
  });
  afterAll(async () => prom?.stop());

  it('evaluate gives stop with the candidate near 0.09 and the stable baseline near 0.01', async () => {
    const file = write(dir, 'evaluate.yml', policy(prom.url, '    candidate: 2.4.0\n    stable: 2.3.3'));
    const r = await runCli(['evaluate', '-c', file, '--json']);
    expect(r.stderr).toBe('');
    const s = (JSON.parse(r.stdout) as Report).services[0]!;
    expect(s).toMatchObject({ decision: 'stop', reason: 'error_spike', from: '2.4.0', to: '2.3.3' });
    expect(s.evidence[0]!.value).toBeCloseTo(0.09, 3);
    expect(s.evidence[0]!.baseline).toBeCloseTo(0.01, 3);
    expect(s.evidence[0]!.limit).toBeCloseTo(0.02, 3);
  });

  it('run rolls back the pinned candidate with the stable from git history', async () => {
    const repo = gitopsRepo('2.4.0');
    const file = write(dir, 'run.yml', policy(prom.url, PIN));
    const r = await runCli(['run', '-c', file, '--gitops', repo.dir, '--json']);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as Report).services[0]).toMatchObject({
      decision: 'stop',
      action: 'rolled_back',
      to: '2.3.3',
    });
  });

  it('rejects a pin value with a quote or brace before any query', async () => {
    const repo = gitopsRepo(`'2.4.0"}'`);
    const file = write(dir, 'inject.yml', policy(prom.url, PIN));
    const before = repo.count();
    const r = await runCli(['run', '-c', file, '--gitops', repo.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'apps/support-agent/kustomization.yaml:3:14: pin value "2.4.0\\"}" is not a valid version',
    );
    expect(repo.count()).toBe(before);
  });

  // Last: it stops the shared server.
  it('with Prometheus stopped, run is inconclusive, exits 0 and writes no commit', async () => {
    await prom.kill();
    const repo = gitopsRepo('2.4.0');
    const file = write(dir, 'down.yml', policy(prom.url, PIN));
    const before = repo.count();
    const r = await runCli(['run', '-c', file, '--gitops', repo.dir, '--json']);
    expect(r.code).toBe(0);
    const s = (JSON.parse(r.stdout) as Report).services[0]!;
    expect(s).toMatchObject({ decision: 'inconclusive', action: 'none', commit: null });
    expect(s.evidence[0]!.cause).toContain('connection refused');
    expect(repo.count()).toBe(before);
  });
});
