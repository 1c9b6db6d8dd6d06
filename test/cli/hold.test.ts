/**
 * A rollback that stays put: when Flux image automation governs the pin, the rollback commit also
 * keeps the locked tag out of the ImagePolicy and suspends the automation; the gate then fails a
 * change that pins the locked tag again.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { runAction } from '../support/action.js';
import { runCli } from '../support/cli.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

const deployment = (tag: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  template:
    spec:
      containers:
        - name: podinfod
          image: ghcr.io/acme/podinfo:${tag} # {"$imagepolicy": "flux-system:podinfo"}
`;

const AUTOMATION = `apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata:
  name: podinfo
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: '>=5.0.0'
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageUpdateAutomation
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  sourceRef:
    kind: GitRepository
    name: flux-system
  update:
    path: ./apps
    strategy: Setters
`;

const POLICY = `version: 1
providers: { m: { type: file, path: metrics.json } }
services:
  podinfo:
    pin: { file: apps/podinfo/deployment.yaml, setter: "flux-system:podinfo" }
    triggers: { error_rate: { max: 0.05 } }
    on_rollback:
      hold:
        - { type: flux_image_policy, file: clusters/prod/image-automation.yaml, name: podinfo }
        - { type: flux_image_update_automation, file: clusters/prod/image-automation.yaml, name: flux-system }
`;

function setup() {
  const repo = new GitOpsRepo();
  repo.write('apps/podinfo/deployment.yaml', deployment('5.0.3'));
  repo.write('clusters/prod/image-automation.yaml', AUTOMATION);
  repo.commit('flux bootstrap', 86_400);
  repo.write('apps/podinfo/deployment.yaml', deployment('5.0.4'));
  repo.commit('ghcr.io/acme/podinfo:5.0.4 (fluxcdbot)', 300);
  const dir = mkdtempSync(join(tmpdir(), 'pinback-hold-'));
  writeFileSync(join(dir, '.pinback.yml'), POLICY);
  writeFileSync(
    join(dir, 'metrics.json'),
    metricsJson({ podinfo: { '5.0.4': { error_rate: [0.2] }, '5.0.3': { error_rate: [0.01] } } }),
  );
  return { repo, dir, policy: join(dir, '.pinback.yml') };
}

describe('a Flux-automated pin', () => {
  it('is rolled back with the ImagePolicy excluding the locked tag and the automation suspended, in one commit', async () => {
    const env = setup();
    const r = await runCli(['run', '-c', env.policy, '--gitops', env.repo.dir, '--json']);
    expect((JSON.parse(r.stdout) as Report).services[0]).toMatchObject({
      action: 'rolled_back',
      from: '5.0.4',
      to: '5.0.3',
    });
    const changed = env.repo.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort();
    expect(changed).toEqual([
      '.pinback/locks/podinfo.yaml',
      'apps/podinfo/deployment.yaml',
      'clusters/prod/image-automation.yaml',
    ]);
    const automation = env.repo.read('clusters/prod/image-automation.yaml');
    expect(automation).toContain("range: '>=5.0.0, !=5.0.4'");
    expect(automation).toContain('  suspend: true\n');
    expect(env.repo.read('apps/podinfo/deployment.yaml')).toBe(deployment('5.0.3'));
  });

  it('fails the gate on a pull request that pins the locked tag again', async () => {
    const env = setup();
    await runCli(['run', '-c', env.policy, '--gitops', env.repo.dir]);
    // The pull request's checkout: the locked tag pinned again in the work tree.
    env.repo.write('apps/podinfo/deployment.yaml', deployment('5.0.4'));
    const cli = await runCli(['check', '-c', env.policy, '--gitops', env.repo.dir]);
    expect(cli.code).toBe(0); // the branch itself is clean: check reads committed state
    const gate = await runAction({
      inputs: { config: '.pinback.yml', mode: 'gate', 'gitops-repo': env.repo.dir },
      event: 'pull_request',
      payload: { action: 'synchronize' },
      workspace: env.dir,
    });
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain(
      '::error title=pinback%3A locked version,file=apps/podinfo/deployment.yaml,line=10,col=',
    );
    expect(gate.stdout).toContain('podinfo pins 5.0.4, which pinback locked');
  });
});
