import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report, ServiceReport } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m, window: 10m, guard_window: 2h }
services:
  api:
    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }
    triggers: { error_rate: { max: 0.05, reason: error_spike } }
    on_rollback: { verify: { window: 30m } }
  web:
    pin: { file: apps/web/kustomization.yaml, kustomize_image: ghcr.io/acme/web }
    triggers: { error_rate: { max: 0.05 } }
`;

const kustomization = (image: string, tag: string) => `images:\n  - name: ${image}\n    newTag: ${tag}\n`;

const bad = { error_rate: [0.09, 0.1] };
const good = { error_rate: [0.01, 0.01] };

/**
 * api: 1.0.0 for days, then 1.1.0 pinned 10 minutes ago (inside its guard window, breaching).
 * web: 2.0.0, then 2.1.0 pinned a day ago (settled, past its guard window).
 */
function setup(): { repo: GitOpsRepo; policy: string } {
  const repo = new GitOpsRepo();
  repo.write('apps/api/kustomization.yaml', kustomization('ghcr.io/acme/api', '1.0.0'));
  repo.write('apps/web/kustomization.yaml', kustomization('ghcr.io/acme/web', '2.0.0'));
  repo.commit('deploy stable versions', 3 * 86_400);
  repo.write('apps/web/kustomization.yaml', kustomization('ghcr.io/acme/web', '2.1.0'));
  repo.commit('deploy web 2.1.0', 86_400);
  repo.write('apps/api/kustomization.yaml', kustomization('ghcr.io/acme/api', '1.1.0'));
  repo.commit('deploy api 1.1.0', 600);
  const dir = mkdtempSync(join(tmpdir(), 'pinback-policy-'));
  writeFileSync(join(dir, 'pinback.yml'), POLICY);
  writeFileSync(
    join(dir, 'metrics.json'),
    metricsJson({
      api: { '1.1.0': bad, '1.0.0': good, '0.9.0': good },
      web: { '2.1.0': good, '2.0.0': good },
    }),
  );
  return { repo, policy: join(dir, 'pinback.yml') };
}

async function evaluate(
  args: string[],
): Promise<{ code: number; stderr: string; services: ServiceReport[] }> {
  const r = await runCli(['evaluate', ...args, '--json']);
  return {
    code: r.code,
    stderr: r.stderr,
    services: r.code === 0 ? (JSON.parse(r.stdout) as Report).services : [],
  };
}

const byName = (services: ServiceReport[], name: string) => services.find((s) => s.service === name)!;

describe('pinback evaluate --gitops', () => {
  let env: ReturnType<typeof setup>;
  beforeAll(() => {
    env = setup();
  });

  it("reads each service's candidate and stable from the pins and judges them as run would", async () => {
    const head = env.repo.head();
    const r = await evaluate(['-c', env.policy, '--gitops', env.repo.dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const api = byName(r.services, 'api');
    expect(api).toMatchObject({
      decision: 'stop',
      reason: 'error_spike',
      from: '1.1.0',
      to: '1.0.0',
      action: 'none',
      commit: null,
    });
    const pinnedAt = Number(env.repo.git('log', '-1', '--format=%ct', 'HEAD').trim());
    expect(api.detail).toBe(
      `pinned at ${new Date(pinnedAt * 1000).toISOString().replace('.000Z', 'Z')}: judged since then`,
    );
    // Read only: no commit, no lock file, a clean work tree.
    expect(env.repo.head()).toBe(head);
    expect(env.repo.git('status', '--porcelain')).toBe('');
  });

  it('judges a settled candidate too, and says that run would not act on it', async () => {
    const r = await evaluate(['-c', env.policy, '--gitops', env.repo.dir, '--service', 'web']);
    expect(r.code).toBe(0);
    expect(r.services).toHaveLength(1);
    const web = byName(r.services, 'web');
    expect(web).toMatchObject({ decision: 'allow', from: '2.1.0', to: '2.0.0' });
    expect(web.detail).toContain('past its 120 min guard window: pinback run would not act');
  });

  it('lets --stable override the stable read from the history', async () => {
    const r = await evaluate([
      '-c',
      env.policy,
      '--gitops',
      env.repo.dir,
      '--service',
      'api',
      '--stable',
      '0.9.0',
    ]);
    expect(r.code).toBe(0);
    expect(byName(r.services, 'api')).toMatchObject({ decision: 'stop', from: '1.1.0', to: '0.9.0' });
  });

  it('lets --candidate override the pin, saying it is not the pinned version', async () => {
    const r = await evaluate([
      '-c',
      env.policy,
      '--gitops',
      env.repo.dir,
      '--service',
      'api',
      '--candidate',
      '1.0.0',
    ]);
    expect(r.code).toBe(0);
    const api = byName(r.services, 'api');
    expect(api).toMatchObject({ decision: 'allow', from: '1.0.0' });
    expect(api.detail).toContain('1.0.0 is not the pinned version (1.1.0)');
  });

  it('exits 1 when a pin file is missing from the repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinback-policy-'));
    const policy = join(dir, 'pinback.yml');
    writeFileSync(policy, POLICY.replace('apps/web/kustomization.yaml', 'apps/gone/kustomization.yaml'));
    writeFileSync(join(dir, 'metrics.json'), '{}');
    const r = await runCli(['evaluate', '-c', policy, '--gitops', env.repo.dir, '--service', 'web']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pin file apps/gone/kustomization.yaml does not exist');
  });

  it('refuses --branch without --gitops: exit 2', async () => {
    const r = await runCli(['evaluate', '-c', env.policy, '--branch', 'main', '--candidate', '1.1.0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--branch names the branch of --gitops: pass --gitops PATH|URL too');
  });

  it('keeps the usage error without --gitops and without a candidate', async () => {
    const r = await runCli(['evaluate', '-c', env.policy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no candidate version: pass --candidate VERSION, or --gitops PATH|URL');
  });
});

describe('pinback evaluate --gitops after a rollback', () => {
  it('judges the stable alone while the rollback is verified', async () => {
    const env = setup();
    const run = await runCli(['run', '-c', env.policy, '--gitops', env.repo.dir, '--service', 'api']);
    expect(run.code).toBe(0);
    const head = env.repo.head();
    const r = await evaluate(['-c', env.policy, '--gitops', env.repo.dir, '--service', 'api']);
    expect(r.code).toBe(0);
    const api = byName(r.services, 'api');
    expect(api).toMatchObject({ from: '1.0.0', to: null, action: 'none' });
    expect(api.detail).toMatch(
      /^verifying the rollback from 1\.1\.0 at \S+: 1\.0\.0 judged alone since then$/,
    );
    expect(env.repo.head()).toBe(head);
  });
});
