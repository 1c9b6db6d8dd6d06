/**
 * Issue 11, "Proposals must stay mergeable": one run rolls back `support-agent` (mode auto, a
 * commit on main) and proposes rollbacks of three other services (mode propose, a branch each),
 * through the reconciler and the real git store. With one lock file for all services, each
 * proposal added or changed that file, and every merge after the first conflicted. With a lock
 * file per service, the three branches merge into main in any order, with no conflict, and each
 * service's lock file ends up holding its lock.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { openGitStore } from '../../src/gitops/git.js';
import type { GitOpsStore } from '../../src/gitops/store.js';
import { LEGACY_LOCK_FILE, lockFileOf, parseLocks } from '../../src/history/locks.js';
import { onceSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import type { Proposal, Proposals } from '../../src/reconcile/ports.js';
import { run } from '../../src/reconcile/run.js';
import type { Report } from '../../src/report.js';
import { removeWhenDone } from '../support/git.js';
import { GitOpsRepo } from '../support/gitops.js';

const STABLE = '1.0.0';
const CANDIDATE = '1.1.0';
/** The service rolled back on main, and those proposed (one with capitals: its own file name rule). */
const AUTO = 'support-agent';
const PROPOSED = ['web', 'api', 'Search'];
const SERVICES = [AUTO, ...PROPOSED];

const pinOf = (s: string) => `apps/${s.toLowerCase()}/kustomization.yaml`;
const kustomization = (s: string, tag: string) =>
  `# ${s}\nimages:\n  - name: ghcr.io/acme/${s.toLowerCase()} # the app\n    newTag: ${tag}\n`;

const POLICY = [
  'version: 1',
  'services:',
  ...SERVICES.flatMap((s) => [
    `  ${s}:`,
    `    mode: ${s === AUTO ? 'auto' : 'propose'}`,
    `    pin: { file: ${pinOf(s)}, kustomize_image: ghcr.io/acme/${s.toLowerCase()} }`,
    '    triggers: { error_rate: { max: 0.05 } }',
  ]),
  '',
].join('\n');

/** The candidate breaches, the stable is healthy: every service is rolled back. */
const metrics: MetricsProvider = {
  query: async (q) => ({
    kind: 'samples',
    samples: [{ t: q.end.getTime() / 1000, v: q.version === CANDIDATE ? 0.2 : 0.01 }],
  }),
};

/** Pull requests in memory: the branches are real, in the remote. */
function pulls(): Proposals & { opened: Map<string, Proposal> } {
  const opened = new Map<string, Proposal>();
  return {
    opened,
    find: async (branch) =>
      opened.has(branch)
        ? { url: `https://github.com/acme/gitops/pull/${branch}`, state: 'open' }
        : undefined,
    open: async (p) => {
      opened.set(p.branch, p);
      return `https://github.com/acme/gitops/pull/${p.branch}`;
    },
  };
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'reviewer',
  GIT_AUTHOR_EMAIL: 'reviewer@acme.example',
  GIT_COMMITTER_NAME: 'reviewer',
  GIT_COMMITTER_EMAIL: 'reviewer@acme.example',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...IDENTITY } });

describe('three proposals and one rollback of one run', () => {
  let remote: string;
  let report: Report;
  let failures: { service: string; message: string }[];
  let prs: ReturnType<typeof pulls>;
  let store: GitOpsStore;
  /** The proposal branch of each proposed service. */
  const branchOf = new Map<string, string>();

  beforeAll(async () => {
    const repo = new GitOpsRepo();
    for (const s of SERVICES) repo.write(pinOf(s), kustomization(s, STABLE));
    repo.write('README.md', '# gitops\n');
    repo.commit(`deploy ${STABLE}`, 86_400);
    for (const s of SERVICES) repo.write(pinOf(s), kustomization(s, CANDIDATE));
    repo.commit(`deploy ${CANDIDATE}`, 600);
    remote = repo.bareClone();

    const policy = parsePolicy(POLICY, 'pinback.yml', {});
    prs = pulls();
    store = await openGitStore({ target: `file://${remote}`, branch: 'main' });
    ({ report, failures } = await run(
      policy.services,
      {
        store,
        providers: new Map([['file', metrics]]),
        incidents: onceSink(undefined),
        proposals: prs,
        now: () => new Date(),
      },
      {
        policyFile: 'pinback.yml',
        policyDigest: policy.digest,
        actor: 'test',
        runUrl: undefined,
        author: { name: 'pinback', email: 'pinback@acme.example' },
        mode: undefined,
      },
    ));
    for (const p of prs.opened.values()) {
      const service = PROPOSED.find((s) => p.branch.startsWith(`pinback/rollback-${s}-`));
      if (service) branchOf.set(service, p.branch);
    }
  });
  afterAll(async () => {
    await store.close();
  });

  it('rolls support-agent back on main and proposes the three others, each on a branch', () => {
    expect(failures).toEqual([]);
    const action = Object.fromEntries(report.services.map((s) => [s.service, s.action]));
    expect(action).toEqual({ [AUTO]: 'rolled_back', web: 'proposed', api: 'proposed', Search: 'proposed' });
    expect([...branchOf.keys()].sort()).toEqual([...PROPOSED].sort());
  });

  it("changes each service's own lock file only, never the legacy one", () => {
    const changed = (rev: string) => git(remote, 'show', '--name-only', '--format=', rev).trim().split('\n');
    expect(changed('main').sort()).toEqual([lockFileOf(AUTO), pinOf(AUTO)].sort());
    for (const [s, branch] of branchOf)
      expect(changed(branch).sort()).toEqual([lockFileOf(s), pinOf(s)].sort());
    expect(lockFileOf('Search')).toBe('.pinback/locks/+search.yaml');
  });

  it.each(permutations(PROPOSED).map((order) => [order.join(' then ')]))(
    'merges the proposals into main in any order, with no conflict: %s',
    (name) => {
      const order = name.split(' then ');
      const work = mkdtempSync(join(tmpdir(), 'pinback-merge-'));
      removeWhenDone(work);
      git(tmpdir(), 'clone', '-q', remote, work);
      for (const s of order) {
        const merge = spawnSync('git', ['merge', '--no-ff', '--no-edit', `origin/${branchOf.get(s)!}`], {
          cwd: work,
          encoding: 'utf8',
          env: { ...process.env, ...IDENTITY },
        });
        expect({ service: s, status: merge.status, out: merge.stdout + merge.stderr }).toMatchObject({
          service: s,
          status: 0,
        });
      }
      expect(git(work, 'status', '--porcelain')).toBe('');
      for (const s of SERVICES) {
        expect(git(work, 'show', `HEAD:${pinOf(s)}`)).toBe(kustomization(s, STABLE));
        const locks = parseLocks(git(work, 'show', `HEAD:${lockFileOf(s)}`), lockFileOf(s));
        expect([...locks.keys()]).toEqual([s]);
        expect(locks.get(s)).toEqual([
          expect.objectContaining({ version: CANDIDATE, reason: 'rollback_required' }),
        ]);
      }
      expect(spawnSync('git', ['cat-file', '-e', `HEAD:${LEGACY_LOCK_FILE}`], { cwd: work }).status).not.toBe(
        0,
      );
    },
  );
});
