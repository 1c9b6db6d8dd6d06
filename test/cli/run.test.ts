import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

const FILES = {
  kz: [
    'apps/kz/kustomization.yaml',
    (v: string) => `resources: [deployment.yaml]\nimages:\n  - name: ghcr.io/acme/kz\n    newTag: ${v}\n`,
  ],
  helm: [
    'apps/helm/release.yaml',
    (v: string) =>
      [
        '---',
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata:',
        '  name: podinfo',
        'spec:',
        '  url: https://stefanprodan.github.io/podinfo',
        '---',
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        '  name: podinfo',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: podinfo',
        `      version: '${v}'  # pinned by release`,
        '',
      ].join('\r\n'),
  ],
  setter: [
    'apps/setter/deployment.yaml',
    (v: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: setter\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/setter:${v} # {"$imagepolicy": "flux-system:setter"}\n`,
  ],
  values: [
    'apps/values/values.yaml',
    (v: string) =>
      `image:\n    repository: ghcr.io/acme/values\n    tag: "${v}"   \n    pullPolicy: IfNotPresent\n`,
  ],
  half: [
    'apps/half/kustomization.yaml',
    (v: string) => `images:\n  - name: ghcr.io/acme/half\n    newTag: ${v}\n`,
  ],
} as const;

const STABLE = { kz: 'v1.0.0', helm: '6.5.0', setter: '1.4.0', values: '3.1.0', half: '2.0.0' };
const CANDIDATE = { kz: 'v1.1.0', helm: '6.6.0', setter: '1.5.0', values: '3.2.0', half: '2.1.0' };

const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m, window: 10m }
services:
  kz:
    pin: { file: apps/kz/kustomization.yaml, kustomize_image: ghcr.io/acme/kz }
    triggers: { error_rate: { max: 0.05, reason: error_spike } }
  helm:
    pin: { file: apps/helm/release.yaml, yaml_path: spec.chart.spec.version, match: { kind: HelmRelease, name: podinfo } }
    triggers: { error_rate: { max: 0.05 } }
  setter:
    pin: { file: apps/setter/deployment.yaml, setter: "flux-system:setter" }
    triggers: { error_rate: { max: 0.05 } }
  values:
    pin: { file: apps/values/values.yaml, yaml_path: image.tag }
    triggers: { latency_ms: { max: 500, reason: sla_breach } }
  half:
    pin: { file: apps/half/kustomization.yaml, kustomize_image: ghcr.io/acme/half }
    require: 2
    triggers: { error_rate: { max: 0.05 }, latency_ms: { max: 500 } }
`;

const bad = { error_rate: [0.09, 0.1], latency_ms: [900, 950] };
const good = { error_rate: [0.01, 0.01], latency_ms: [100, 110] };
const METRICS = metricsJson({
  kz: { 'v1.1.0': bad, 'v1.0.0': good },
  helm: { '6.6.0': bad, '6.5.0': good },
  setter: { '1.5.0': bad, '1.4.0': good },
  values: { '3.2.0': bad, '3.1.0': good },
  half: { '2.1.0': { error_rate: [0.09, 0.1], latency_ms: [100, 110] }, '2.0.0': good },
});

function setup(): { repo: GitOpsRepo; stableCommit: string; policy: string; metrics: string } {
  const repo = new GitOpsRepo();
  for (const [name, [path, render]] of Object.entries(FILES))
    repo.write(path, render(STABLE[name as keyof typeof STABLE]));
  const stableCommit = repo.commit('deploy stable versions', 3 * 86_400);
  for (const [name, [path, render]] of Object.entries(FILES)) {
    repo.write(path, render(CANDIDATE[name as keyof typeof CANDIDATE]));
    repo.commit(`deploy ${name} ${CANDIDATE[name as keyof typeof CANDIDATE]}`, 600);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pinback-policy-'));
  writeFileSync(join(dir, 'pinback.yml'), POLICY);
  writeFileSync(join(dir, 'metrics.json'), METRICS);
  return { repo, stableCommit, policy: join(dir, 'pinback.yml'), metrics: join(dir, 'metrics.json') };
}

describe('pinback run on a GitOps repo', () => {
  let env: ReturnType<typeof setup>;
  let first: Report;
  let commitsAfterFirst: number;

  beforeAll(async () => {
    env = setup();
    const r = await runCli(['run', '-c', env.policy, '--gitops', env.repo.dir, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    first = JSON.parse(r.stdout) as Report;
    commitsAfterFirst = env.repo.count();
  });

  it('rolls back exactly the breaching services, one commit each', () => {
    const actions = Object.fromEntries(first.services.map((s) => [s.service, s.action]));
    expect(actions).toEqual({
      kz: 'rolled_back',
      helm: 'rolled_back',
      setter: 'rolled_back',
      values: 'rolled_back',
      half: 'none',
    });
    expect(commitsAfterFirst).toBe(1 + 5 + 4);
  });

  it('leaves a service breaching 1 of require 2 alone', () => {
    expect(first.services.find((s) => s.service === 'half')).toMatchObject({
      decision: 'allow',
      action: 'none',
      commit: null,
    });
  });

  it.each(['kz', 'helm', 'setter', 'values'] as const)(
    'restores %s byte for byte to its version before the candidate',
    (name) => {
      const path = FILES[name][0];
      expect(env.repo.show('HEAD', path).equals(env.repo.show(env.stableCommit, path))).toBe(true);
    },
  );

  it('writes trailers that git interpret-trailers parses', () => {
    const kz = first.services.find((s) => s.service === 'kz')!;
    const message = env.repo.git('log', '-1', '--format=%B', kz.commit!);
    const parsed = execFileSync('git', ['interpret-trailers', '--parse'], {
      input: message,
      encoding: 'utf8',
    });
    expect(parsed).toContain('Rollback-Service: kz\n');
    expect(parsed).toContain('Rollback-From: v1.1.0\n');
    expect(parsed).toContain('Rollback-To: v1.0.0\n');
    expect(parsed).toContain('Rollback-Reason: error_spike\n');
    expect(parsed).toMatch(/Rollback-Id: [0-9a-f]{16}\n/);
  });

  it('reads trailers back with git log --format', () => {
    const froms = env.repo
      .git('log', '--format=%(trailers:key=Rollback-From,valueonly)')
      .split('\n')
      .filter(Boolean);
    expect(froms.sort()).toEqual(['1.5.0', '3.2.0', '6.6.0', 'v1.1.0']);
  });

  it("locks each rolled-back candidate in its service's own file, .pinback/locks/<service>.yaml", () => {
    for (const [s, v] of [
      ['kz', 'v1.1.0'],
      ['setter', '1.5.0'],
      ['values', '3.2.0'],
      ['helm', '6.6.0'],
    ]) {
      expect(env.repo.read(`.pinback/locks/${s}.yaml`)).toContain(`${s}:\n  - version: "${v}"`);
    }
    expect(existsSync(join(env.repo.dir, '.pinback/locks.yaml'))).toBe(false);
  });

  it('makes no commit when run again with the same metrics', async () => {
    const r = await runCli(['run', '-c', env.policy, '--gitops', env.repo.dir, '--json']);
    expect(r.code).toBe(0);
    expect(env.repo.count()).toBe(commitsAfterFirst);
    const again = JSON.parse(r.stdout) as Report;
    expect(again.services.find((s) => s.service === 'kz')).toMatchObject({
      action: 'already_rolled_back',
      from: 'v1.1.0',
      to: 'v1.0.0',
    });
  });

  it('lists the rollbacks with pinback audit --json', async () => {
    const r = await runCli(['audit', '-c', env.policy, '--gitops', env.repo.dir, '--json']);
    expect(r.code).toBe(0);
    const { rollbacks } = JSON.parse(r.stdout) as {
      rollbacks: { service: string; from: string; to: string }[];
    };
    expect(rollbacks.map((x) => x.service).sort()).toEqual(['helm', 'kz', 'setter', 'values']);
    expect(rollbacks.find((x) => x.service === 'kz')).toMatchObject({ from: 'v1.1.0', to: 'v1.0.0' });
  });

  it('passes pinback check while no locked version is pinned, and fails once one is pinned again', async () => {
    expect((await runCli(['check', '-c', env.policy, '--gitops', env.repo.dir])).code).toBe(0);
    const repinned = new GitOpsRepo(mkdtempSync(join(tmpdir(), 'pinback-clone-')));
    repinned.git('pull', '-q', env.repo.dir, 'main');
    repinned.write(FILES.kz[0], FILES.kz[1]('v1.1.0'));
    repinned.commit('retry v1.1.0');
    const r = await runCli(['check', '-c', env.policy, '--gitops', repinned.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('apps/kz/kustomization.yaml:4:13: kz pins v1.1.0, which pinback locked');
    expect(r.stderr).toContain('deleting its entry from .pinback/locks/kz.yaml in a pull request');
  });
});

describe('pinback run racing', () => {
  it('20 runs started at once against one remote make exactly one rollback commit', async () => {
    const env = setup();
    const remote = env.repo.bareClone();
    const runs = await Promise.all(
      Array.from({ length: 20 }, () =>
        runCli(['run', '-c', env.policy, '--gitops', remote, '--service', 'kz', '--json']),
      ),
    );
    for (const r of runs) expect(r.stderr).toBe('');
    const actions = runs.map((r) => (JSON.parse(r.stdout) as Report).services[0]!.action);
    expect(actions.filter((a) => a === 'rolled_back')).toHaveLength(1);
    expect(actions.filter((a) => a === 'already_rolled_back')).toHaveLength(19);
    const log = execFileSync('git', ['log', '--format=%(trailers:key=Rollback-Id,valueonly)', 'main'], {
      cwd: remote,
      encoding: 'utf8',
    });
    expect(log.split('\n').filter(Boolean)).toHaveLength(1);
  }, 120_000);
});

describe('pinback run with bad input writes nothing', () => {
  const cases: [string, (p: string) => string, string][] = [
    [
      'a pin file that does not exist',
      (p) => p.replace('apps/kz/kustomization.yaml', 'apps/kz/missing.yaml'),
      'pin file apps/kz/missing.yaml does not exist',
    ],
    [
      'a locator matching twice',
      (p) =>
        p.replace(
          'kustomize_image: ghcr.io/acme/kz }',
          'regex: "newTag: (?<version>\\\\S+)|name: (?<version>\\\\S+)" }',
        ),
      'kz',
    ],
    [
      'a file path that escapes the repo',
      (p) => p.replace('apps/kz/kustomization.yaml', '../outside.yaml'),
      '../outside.yaml',
    ],
    ['an absolute file path', (p) => p.replace('apps/kz/kustomization.yaml', '/etc/passwd'), '/etc/passwd'],
  ];
  it.each(cases)('%s', async (_name, edit, message) => {
    const env = setup();
    writeFileSync(env.policy, edit(POLICY));
    const before = env.repo.count();
    const r = await runCli(['run', '-c', env.policy, '--gitops', env.repo.dir, '--service', 'kz']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
    expect(env.repo.count()).toBe(before);
  });

  it('a repo that is not git', async () => {
    const env = setup();
    const notGit = mkdtempSync(join(tmpdir(), 'pinback-notgit-'));
    const r = await runCli(['run', '-c', env.policy, '--gitops', notGit]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a git repository');
  });
});

describe('pinback run on a policy without pins', () => {
  it('says the seed form is for evaluate and exits 1', async () => {
    const repo = new GitOpsRepo();
    repo.commit('empty');
    const r = await runCli([
      'run',
      '-c',
      'examples/seed/pinback.yml',
      '--metrics-file',
      'examples/seed/metrics-breach.json',
      '--gitops',
      repo.dir,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'support-agent: no pin: to roll back (a fixed candidate can only be evaluated)',
    );
  });
});
