/**
 * Issue 13, on real git: a run over many breaching services writes one rollback commit per service,
 * together (one push to a remote, one ref update on a local work tree), leaves the work tree
 * clean, and two runs racing on one remote still make exactly one rollback commit per service.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Git } from '../../src/gitops/git-command.js';
import { openGitStore } from '../../src/gitops/git.js';
import type { GitOpsStore } from '../../src/gitops/store.js';
import { onceSink } from '../../src/incident/sink.js';
import { run } from '../../src/reconcile/run.js';
import {
  breaching,
  CANDIDATE,
  countingGit,
  fleetNames,
  fleetPolicy,
  fleetRun,
  kustomization,
  pinOf,
  STABLE,
} from '../support/fleet.js';
import { GitOpsRepo } from '../support/gitops.js';

const COUNT = 40;
const names = fleetNames(COUNT);
const policy = fleetPolicy(names);

function gitops(): GitOpsRepo {
  const repo = new GitOpsRepo();
  for (const s of names) repo.write(pinOf(s), kustomization(s, STABLE));
  repo.commit('deploy 1.0.0', 86_400);
  for (const s of names) repo.write(pinOf(s), kustomization(s, CANDIDATE));
  repo.commit('deploy 1.1.0', 600);
  return repo;
}

const stores: GitOpsStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

async function runOn(target: string, git?: Git) {
  const store = await openGitStore({ target, branch: 'main', ...(git ? { git } : {}) });
  stores.push(store);
  return run(
    policy.services,
    {
      store,
      providers: new Map([['file', breaching]]),
      incidents: onceSink(undefined),
      now: () => new Date(),
    },
    fleetRun(policy),
  );
}

describe(`a run over ${COUNT} breaching services`, () => {
  it('on a local work tree: one commit each, one history walk, a clean tree', async () => {
    const repo = gitops();
    const git = countingGit();
    const { report, failures } = await runOn(repo.dir, git);
    expect(failures).toEqual([]);
    expect(report.services.every((r) => r.action === 'rolled_back')).toBe(true);
    expect(repo.count()).toBe(2 + COUNT);
    expect(repo.git('status', '--porcelain')).toBe('');
    for (const s of names) expect(repo.read(pinOf(s))).toBe(kustomization(s, STABLE));
    // One walk for all pins (a merge-free history needs no second), not one per service.
    expect(git.counts.get('log')).toBe(1);
    expect(git.counts.get('update-ref')).toBeLessThan(COUNT / 4);
  });

  it('racing on one remote: exactly one rollback commit per service', async () => {
    const repo = gitops();
    const remote = `file://${repo.bareClone()}`;
    const results = await Promise.all([runOn(remote), runOn(remote)]);
    for (const r of results) expect(r.failures).toEqual([]);
    const log = repo.git('--git-dir', remote.slice('file://'.length), 'log', '--format=%s', 'main');
    const rollbacks = log.split('\n').filter((l) => l.startsWith('rollback'));
    expect(rollbacks.length).toBe(COUNT);
    expect(new Set(rollbacks).size).toBe(COUNT);
  });
});
