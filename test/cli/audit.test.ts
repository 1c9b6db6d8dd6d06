import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/commands/audit.js';
import { runCli } from '../support/cli.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m, window: 10m }
services:
  api:
    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }
    triggers: { error_rate: { max: 0.05, reason: error_spike } }
  web:
    pin: { file: apps/web/kustomization.yaml, kustomize_image: ghcr.io/acme/web }
    triggers: { error_rate: { max: 0.05 } }
`;

const kustomization = (image: string, tag: string) => `images:\n  - name: ${image}\n    newTag: ${tag}\n`;

/** A repository where `pinback run` rolled back api 1.1.0 -> 1.0.0 and web 2.1.0 -> 2.0.0. */
async function rolledBack(): Promise<{ repo: GitOpsRepo; policy: string; empty: string }> {
  const repo = new GitOpsRepo();
  repo.write('apps/api/kustomization.yaml', kustomization('ghcr.io/acme/api', '1.0.0'));
  repo.write('apps/web/kustomization.yaml', kustomization('ghcr.io/acme/web', '2.0.0'));
  repo.commit('deploy stable versions', 3 * 86_400);
  repo.write('apps/api/kustomization.yaml', kustomization('ghcr.io/acme/api', '1.1.0'));
  repo.commit('deploy api 1.1.0', 900);
  repo.write('apps/web/kustomization.yaml', kustomization('ghcr.io/acme/web', '2.1.0'));
  repo.commit('deploy web 2.1.0', 600);
  const dir = mkdtempSync(join(tmpdir(), 'pinback-policy-'));
  writeFileSync(join(dir, 'pinback.yml'), POLICY);
  const bad = { error_rate: [0.09, 0.1] };
  const good = { error_rate: [0.01, 0.01] };
  writeFileSync(
    join(dir, 'metrics.json'),
    metricsJson({ api: { '1.1.0': bad, '1.0.0': good }, web: { '2.1.0': bad, '2.0.0': good } }),
  );
  const policy = join(dir, 'pinback.yml');
  const r = await runCli(['run', '-c', policy, '--gitops', repo.dir, '--json']);
  expect(r.code).toBe(0);
  // Somewhere without a policy file: audit must need none.
  const empty = mkdtempSync(join(tmpdir(), 'pinback-cwd-'));
  return { repo, policy, empty };
}

const rollbacksOf = (stdout: string) => (JSON.parse(stdout) as { rollbacks: AuditEntry[] }).rollbacks;

describe('pinback audit without a policy file', () => {
  let env: Awaited<ReturnType<typeof rolledBack>>;
  beforeAll(async () => {
    env = await rolledBack();
  });

  it('lists every rollback from the trailers, with --gitops alone', async () => {
    const r = await runCli(['audit', '--gitops', env.repo.dir, '--json'], { cwd: env.empty });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rollbacks = rollbacksOf(r.stdout);
    expect(rollbacks.map((x) => [x.service, x.from, x.to]).sort()).toEqual([
      ['api', '1.1.0', '1.0.0'],
      ['web', '2.1.0', '2.0.0'],
    ]);
    const api = rollbacks.find((x) => x.service === 'api')!;
    expect(api).toMatchObject({ kind: 'rollback', reason: 'error_spike', run: null });
    expect(api.id).toMatch(/^[0-9a-f]{16}$/);
    expect(api.evidence).toEqual([expect.stringMatching(/^error_rate=[\d.]+>0\.05$/)]);
    expect(
      env.repo.git('log', '-1', '--format=%(trailers:key=Rollback-Service,valueonly)', api.commit).trim(),
    ).toBe('api');
  });

  it('lists the same rollbacks as with the policy', async () => {
    const [without, withPolicy] = await Promise.all([
      runCli(['audit', '--gitops', env.repo.dir, '--json'], { cwd: env.empty }),
      runCli(['audit', '-c', env.policy, '--gitops', env.repo.dir, '--json']),
    ]);
    expect(rollbacksOf(without.stdout)).toEqual(rollbacksOf(withPolicy.stdout));
  });

  it('keeps the services named by --service, which it cannot check against a policy', async () => {
    const web = await runCli(['audit', '--gitops', env.repo.dir, '--service', 'web', '--json'], {
      cwd: env.empty,
    });
    expect(web.code).toBe(0);
    expect(rollbacksOf(web.stdout).map((x) => x.service)).toEqual(['web']);
    const none = await runCli(['audit', '--gitops', env.repo.dir, '--service', 'nope'], { cwd: env.empty });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no rollbacks recorded\n');
  });

  it.each<[string, string[], string[]]>([
    ['a glob', ['w*'], ['web']],
    ['braces', ['{api,web}'], ['api', 'web']],
    ['a glob and a name', ['a?i', 'web'], ['api', 'web']],
    ['a glob that matches no record: no rollbacks, as for a name', ['cache-*'], []],
  ])('matches --service globs against the services of the records: %s', async (_what, terms, services) => {
    const r = await runCli(
      ['audit', '--gitops', env.repo.dir, ...terms.flatMap((t) => ['--service', t]), '--json'],
      { cwd: env.empty },
    );
    expect(r.code).toBe(0);
    expect(
      rollbacksOf(r.stdout)
        .map((x) => x.service)
        .toSorted(),
    ).toEqual(services);
  });

  it('refuses a malformed glob before reading anything: exit 2', async () => {
    const r = await runCli(['audit', '--gitops', env.repo.dir, '--service', 'web-{eu'], { cwd: env.empty });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('service pattern "web-{eu": a { without its }');
  });

  it('prints a table for people', async () => {
    const r = await runCli(['audit', '--gitops', env.repo.dir], { cwd: env.empty });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\| time +\| service +\| from +\| to +\| reason/m);
    expect(r.stdout).toMatch(/\| api +\| 1\.1\.0 +\| 1\.0\.0 +\| error_spike/);
  });

  it('says what to pass without a policy and without --gitops: exit 2', async () => {
    const r = await runCli(['audit', '--json'], { cwd: env.empty });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('pinback audit needs the GitOps repository: pass --gitops PATH|URL');
  });

  it('still refuses a missing policy file given with -c', async () => {
    const r = await runCli(['audit', '-c', 'missing.yml', '--gitops', env.repo.dir], { cwd: env.empty });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.yml:1:1: no such file');
  });
});

describe('pinback audit with a policy file', () => {
  let env: Awaited<ReturnType<typeof rolledBack>>;
  beforeAll(async () => {
    env = await rolledBack();
  });

  it('filters by --service as before', async () => {
    const r = await runCli([
      'audit',
      '-c',
      env.policy,
      '--gitops',
      env.repo.dir,
      '--service',
      'api',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(rollbacksOf(r.stdout).map((x) => x.service)).toEqual(['api']);
  });

  it('refuses a service the policy does not have: exit 2', async () => {
    const r = await runCli(['audit', '-c', env.policy, '--gitops', env.repo.dir, '--service', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no service nope in');
  });
});
