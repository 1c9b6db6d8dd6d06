/**
 * A guard that cannot see says so: `pinback run` warns on stderr when a service's triggers had no
 * data, and `--fail-on-no-data` turns a service with no data at all into exit 1.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m }
services:
  api:
    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }
    triggers: { error_rate: { max: 0.05 } }
`;

function setup(metrics: Record<string, Record<string, Record<string, number[]>>>) {
  const repo = new GitOpsRepo();
  const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
  repo.write('apps/api/kustomization.yaml', k('1.0.0'));
  repo.commit('deploy 1.0.0', 3 * 86_400);
  repo.write('apps/api/kustomization.yaml', k('1.1.0'));
  repo.commit('deploy 1.1.0', 600);
  const dir = mkdtempSync(join(tmpdir(), 'pinback-policy-'));
  writeFileSync(join(dir, 'pinback.yml'), POLICY);
  writeFileSync(join(dir, 'metrics.json'), metricsJson(metrics));
  return ['run', '-c', join(dir, 'pinback.yml'), '--gitops', repo.dir];
}

describe('pinback run that cannot see', () => {
  it('warns, naming the service, the trigger and the cause, and exits 0 by default', async () => {
    const r = await runCli(setup({ other: { '1.0.0': { error_rate: [0.01] } } }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('api: inconclusive');
    expect(r.stderr).toMatch(
      /pinback: warning: api: no data for any of its 1 trigger\(s\): nothing was judged/,
    );
    expect(r.stderr).toContain('error_rate');
  });

  it('exits 1 with --fail-on-no-data', async () => {
    const r = await runCli([...setup({ other: { '1.0.0': { error_rate: [0.01] } } }), '--fail-on-no-data']);
    expect(r.code).toBe(1);
  });

  it('is quiet and exits 0 when every trigger had data', async () => {
    const args = setup({
      api: { '1.1.0': { error_rate: [0.01, 0.01] }, '1.0.0': { error_rate: [0.01, 0.01] } },
    });
    const r = await runCli([...args, '--fail-on-no-data']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('warning');
  });
});
