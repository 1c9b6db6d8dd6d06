/**
 * Issue 11 with the CLI and a real git repository: `pinback run` locks each candidate in its
 * service's own file, `.pinback/locks/<service>.yaml`, and leaves the legacy `.pinback/locks.yaml`
 * of an existing repository as it was; `check` fails a pin locked in either, naming the pin's
 * file:line:col and the lock's file; `audit` without a policy lists the rollbacks of both.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/commands/audit.js';
import { addLock, LEGACY_LOCK_FILE, lockFileOf, parseLocks } from '../../src/history/locks.js';
import { rollbackMessage } from '../../src/history/trailers.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

const SERVICES = ['api', 'web', 'old'] as const;
const pinOf = (s: string) => `apps/${s}/kustomization.yaml`;
const kustomization = (s: string, tag: string) =>
  `resources: [deployment.yaml]\nimages:\n  - name: ghcr.io/acme/${s}\n    newTag: ${tag}\n`;

const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m, window: 10m }
services:
${SERVICES.map((s) => `  ${s}:\n    pin: { file: ${pinOf(s)}, kustomize_image: ghcr.io/acme/${s} }\n    triggers: { error_rate: { max: 0.05, reason: error_spike } }\n`).join('')}`;

const OLD_ID = 'a1a1a1a1a1a1a1a1';
/** What an earlier version wrote when it rolled `old` back from 0.2.0: the single lock file. */
const LEGACY = addLock(
  null,
  'old',
  { version: '0.2.0', reason: 'error_spike', locked_at: '2026-01-05T10:00:00Z', rollback_id: OLD_ID },
  LEGACY_LOCK_FILE,
);

/**
 * A repository of earlier days (old rolled back 0.2.0 -> 0.1.0 into the legacy lock file), where
 * api 1.1.0 and web 2.1.0 breach now and `pinback run` rolls them back.
 */
async function setup() {
  const repo = new GitOpsRepo();
  repo.write(pinOf('api'), kustomization('api', '1.0.0'));
  repo.write(pinOf('web'), kustomization('web', '2.0.0'));
  repo.write(pinOf('old'), kustomization('old', '0.2.0'));
  repo.commit('deploy', 3 * 86_400);
  repo.write(pinOf('old'), kustomization('old', '0.1.0'));
  repo.write(LEGACY_LOCK_FILE, LEGACY);
  repo.commit(
    rollbackMessage(
      {
        service: 'old',
        from: '0.2.0',
        to: '0.1.0',
        reason: 'error_spike',
        stage: 'prod',
        evidence: [],
        policy: 'sha256:0',
        actor: 'pinback 0.0.9',
        run: undefined,
        id: OLD_ID,
      },
      'error_rate breached.',
    ),
    2 * 86_400,
  );
  repo.write(pinOf('api'), kustomization('api', '1.1.0'));
  repo.write(pinOf('web'), kustomization('web', '2.1.0'));
  repo.commit('deploy api 1.1.0, web 2.1.0', 600);
  const dir = mkdtempSync(join(tmpdir(), 'pinback-policy-'));
  writeFileSync(join(dir, 'pinback.yml'), POLICY);
  const bad = { error_rate: [0.09, 0.1] };
  const good = { error_rate: [0.01, 0.01] };
  writeFileSync(
    join(dir, 'metrics.json'),
    metricsJson({ api: { '1.1.0': bad, '1.0.0': good }, web: { '2.1.0': bad, '2.0.0': good }, old: {} }),
  );
  const policy = join(dir, 'pinback.yml');
  const run = await runCli([
    'run',
    '-c',
    policy,
    '--gitops',
    repo.dir,
    '--service',
    'api',
    '--service',
    'web',
    '--json',
  ]);
  const empty = mkdtempSync(join(tmpdir(), 'pinback-cwd-'));
  return { repo, policy, run, empty };
}

describe('locks in a file per service, beside the legacy file', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup();
  });

  it("run locks each candidate in its service's own file and leaves the legacy file as it was", () => {
    expect(env.run.stderr).toBe('');
    expect(env.run.code).toBe(0);
    const report = JSON.parse(env.run.stdout) as Report;
    expect(report.services.map((s) => [s.service, s.action])).toEqual([
      ['api', 'rolled_back'],
      ['web', 'rolled_back'],
    ]);
    for (const [s, v] of [
      ['api', '1.1.0'],
      ['web', '2.1.0'],
    ] as const) {
      const locks = parseLocks(env.repo.read(lockFileOf(s)), lockFileOf(s));
      expect([...locks.keys()]).toEqual([s]);
      expect(locks.get(s)).toEqual([expect.objectContaining({ version: v, reason: 'error_spike' })]);
    }
    expect(env.repo.read(LEGACY_LOCK_FILE)).toBe(LEGACY);
    expect(env.repo.git('log', '--format=%s', '-2', '--', LEGACY_LOCK_FILE).trim()).toBe(
      'rollback(old): 0.2.0 -> 0.1.0 [error_spike]',
    );
  });

  it('check fails a pin locked in its own file and one locked in the legacy file, naming both files', async () => {
    expect((await runCli(['check', '-c', env.policy, '--gitops', env.repo.dir])).code).toBe(0);
    const repinned = new GitOpsRepo(mkdtempSync(join(tmpdir(), 'pinback-clone-')));
    repinned.git('pull', '-q', env.repo.dir, 'main');
    repinned.write(pinOf('api'), kustomization('api', '1.1.0'));
    repinned.write(pinOf('old'), kustomization('old', '0.2.0'));
    repinned.commit('retry api 1.1.0 and old 0.2.0');
    const r = await runCli(['check', '-c', env.policy, '--gitops', repinned.dir]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^apps\/api\/kustomization\.yaml:4:13: api pins 1\.1\.0, which pinback locked at .* deleting its entry from \.pinback\/locks\/api\.yaml in a pull request\.$/,
    );
    expect(lines[1]).toBe(
      `apps/old/kustomization.yaml:4:13: old pins 0.2.0, which pinback locked at 2026-01-05T10:00:00Z (error_spike, rollback ${OLD_ID}). Pin a fixed version instead, or unlock it by deleting its entry from .pinback/locks.yaml in a pull request.`,
    );
  });

  it('audit without a policy lists the rollbacks of the lock directory and of the legacy file', async () => {
    const r = await runCli(['audit', '--gitops', env.repo.dir, '--json'], { cwd: env.empty });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rollbacks = (JSON.parse(r.stdout) as { rollbacks: AuditEntry[] }).rollbacks;
    // Newest first: the two rollbacks of this run (in either order), then the one of earlier days.
    const listed = rollbacks.map((e) => [e.service, e.from, e.to]);
    expect(listed.slice(0, 2).sort()).toEqual([
      ['api', '1.1.0', '1.0.0'],
      ['web', '2.1.0', '2.0.0'],
    ]);
    expect(listed.slice(2)).toEqual([['old', '0.2.0', '0.1.0']]);
    const old = await runCli(['audit', '--gitops', env.repo.dir, '--service', 'old', '--json'], {
      cwd: env.empty,
    });
    expect((JSON.parse(old.stdout) as { rollbacks: AuditEntry[] }).rollbacks).toEqual([
      expect.objectContaining({ service: 'old', id: OLD_ID, actor: 'pinback 0.0.9' }),
    ]);
  });
});
