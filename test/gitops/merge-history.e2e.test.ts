/**
 * Issue 11: a pin that reached the branch through a merge commit. The history follows the
 * branch's first parents, so the change is dated by the merge that brought it (a Renovate pull
 * request merged just now is a fresh deploy, however old its own commit), and a merged rollback
 * proposal still shows its trailers through the merge's entry. Real git, local and remote.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { audit } from '../../src/commands/audit.js';
import { createGit, type Git } from '../../src/gitops/git-command.js';
import type { GitOpsStore } from '../../src/gitops/store.js';
import { readAuditRecord } from '../../src/history/trailers.js';
import { onceSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import { DEFAULT_RUN, type Proposals } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import { initRemote, initRepo, type TestRepo, useGitStores } from '../support/git.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const NOW = Math.floor(Date.now() / 1000);
const HOUR = 3600;

const open = useGitStores();

/** `git merge --no-ff BRANCH` at `time` (unix seconds): a merge commit even where a fast-forward would do. */
async function mergeNoFf(repo: TestRepo, branch: string, message: string, time: number): Promise<string> {
  const when = `@${time} +0000`;
  await repo.git(['merge', '--quiet', '--no-ff', '--no-edit', '-m', message, branch], {
    env: { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when },
  });
  return repo.head();
}

/**
 * main: api 1.0.0 pinned two days ago, an unrelated commit an hour ago; a Renovate branch whose
 * commit bumped the pin to 1.1.0 three hours ago, merged with a merge commit a minute ago.
 */
async function renovateMerged(repo: TestRepo) {
  const deploy = await repo.commit('deploy api 1.0.0', {
    files: { [PIN]: k('1.0.0') },
    time: NOW - 2 * 86_400,
  });
  await repo.git(['checkout', '--quiet', '-b', 'renovate/api-1.x']);
  const bump = await repo.commit('chore(deps): update ghcr.io/acme/api to 1.1.0\n\nRenovate-Branch: api', {
    files: { [PIN]: k('1.1.0') },
    time: NOW - 3 * HOUR,
  });
  await repo.git(['checkout', '--quiet', 'main']);
  await repo.commit('docs', { files: { 'README.md': 'docs\n' }, time: NOW - HOUR });
  const merge = await mergeNoFf(
    repo,
    'renovate/api-1.x',
    'Merge pull request #7 from acme/renovate/api-1.x',
    NOW - 60,
  );
  return { deploy, bump, merge };
}

const policyText = (mode = 'auto') =>
  `version: 1\nservices:\n  api:\n    mode: ${mode}\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    guard_window: 2h\n    triggers: { error_rate: { max: 0.05 } }\n`;

/** 1.1.0 breaches error_rate; 1.0.0 is healthy. */
const metrics: MetricsProvider = {
  query: async (q) => ({
    kind: 'samples',
    samples: [{ t: q.end.getTime() / 1000, v: q.version === '1.1.0' ? 0.2 : 0.01 }],
  }),
};

async function reconcile(store: GitOpsStore, mode: string, proposals?: Proposals) {
  const policy = parsePolicy(policyText(mode), 'p.yml', {});
  const result = await reconcileService(
    policy.services[0]!,
    {
      store,
      providers: new Map([['file', metrics]]),
      incidents: onceSink(undefined),
      proposals,
      now: () => new Date(NOW * 1000),
    },
    {
      ...DEFAULT_RUN,
      policyFile: 'p.yml',
      policyDigest: policy.digest,
      actor: 't',
      runUrl: undefined,
      author: { name: 'pinback', email: 'pinback@example.test' },
      mode: undefined,
    },
  );
  return result.report;
}

/** Proposals that only remember the branch they were asked to open. */
function proposals(): Proposals & { branches: string[] } {
  const branches: string[] = [];
  return {
    branches,
    find: async () => undefined,
    open: async (p) => {
      branches.push(p.branch);
      return `https://example.test/pull/${branches.length}`;
    },
  };
}

describe('a pin merged with a merge commit (git store)', () => {
  it("dates the change by the merge that brought it, with the merge's message followed by the change's", async () => {
    const repo = await initRepo();
    const { deploy, merge } = await renovateMerged(repo);
    const store = await open({ target: repo.dir });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 10 });
    expect(snap.history).toEqual([
      {
        sha: merge,
        time: NOW - 60,
        message:
          'Merge pull request #7 from acme/renovate/api-1.x\n\nchore(deps): update ghcr.io/acme/api to 1.1.0\n\nRenovate-Branch: api',
        text: k('1.1.0'),
        // The author of the commit whose message the merge lends: the change's, not the merger's.
        author: { name: 'Test Author', email: 'author@example.test' },
      },
      {
        sha: deploy,
        time: NOW - 2 * 86_400,
        message: 'deploy api 1.0.0',
        text: k('1.0.0'),
        author: { name: 'Test Author', email: 'author@example.test' },
      },
    ]);
  });

  it('reads the same from a shallow, blob-less remote clone, deepening until it reaches what the merge brought in', async () => {
    const remote = await initRemote();
    const { merge } = await renovateMerged(remote.seed);
    await remote.seed.push();
    // Depth 2 with limit 1: the merge is found at once, the commit it brought in is the boundary.
    for (const [depth, limit] of [
      [1, 2],
      [2, 1],
      [50, 2],
    ] as const) {
      const store = await open({ target: remote.url, depth });
      const snap = await store.read({ files: [PIN], historyOf: PIN, limit });
      expect(snap.history.map((h) => [h.sha, h.time, h.text])).toEqual(
        [
          [merge, NOW - 60, k('1.1.0')],
          [expect.any(String), NOW - 2 * 86_400, k('1.0.0')],
        ].slice(0, limit),
      );
      expect(snap.history[0]!.message).toMatch(/^Merge pull request #7[^]*\n\nRenovate-Branch: api$/);
    }
  });

  it('costs two git processes more with a merge in the history (its graph, then the diffs of what it brought), and none without', async () => {
    const count = async (build: (repo: TestRepo) => Promise<unknown>) => {
      const remote = await initRemote();
      await build(remote.seed);
      await remote.seed.push();
      const calls: string[][] = [];
      const real = createGit();
      const recording: Git = {
        run: (args, o) => {
          calls.push([...args]);
          return real.run(args, o);
        },
      };
      const store = await open({ target: remote.url, git: recording });
      calls.length = 0;
      await store.read({ files: [PIN], historyOf: PIN, limit: 10 });
      return calls;
    };
    const linear = await count(async (repo) => {
      await repo.commit('deploy api 1.0.0', { files: { [PIN]: k('1.0.0') }, time: NOW - 2 * 86_400 });
      await repo.commit('deploy api 1.1.0', { files: { [PIN]: k('1.1.0') }, time: NOW - 60 });
    });
    const merged = await count(renovateMerged);
    expect(linear.filter((a) => a.includes('log'))).toHaveLength(1);
    expect(merged.filter((a) => a.includes('log'))).toHaveLength(2);
    expect(merged.filter((a) => a.includes('rev-list'))).toHaveLength(1);
    expect(merged.length).toBe(linear.length + 2);
    // The commit the merge brought in is read in the one cat-file batch with the files.
    expect(merged.filter((a) => a.includes('cat-file'))).toHaveLength(1);
  });

  it('judges the candidate in its guard window and rolls it back', async () => {
    const repo = await initRepo();
    const { merge } = await renovateMerged(repo);
    const store = await open({ target: repo.dir });
    const report = await reconcile(store, 'auto');
    expect(report).toMatchObject({ decision: 'stop', action: 'rolled_back', from: '1.1.0', to: '1.0.0' });
    expect(report.reason).not.toBe('outside_guard_window');
    expect((await repo.show('main', PIN)).toString()).toBe(k('1.0.0'));
    expect(await repo.git(['rev-parse', 'main^'])).toBe(`${merge}\n`);
  });

  it('does not count a merge that brought no change of the file, nor the commits it brought in', async () => {
    const repo = await initRepo();
    const deploy = await repo.commit('deploy api 1.0.0', {
      files: { [PIN]: k('1.0.0') },
      time: NOW - 86_400,
    });
    await repo.git(['checkout', '--quiet', '-b', 'feature']);
    await repo.commit('touch something else', { files: { 'other.txt': 'x\n' }, time: NOW - 2 * HOUR });
    await repo.git(['checkout', '--quiet', 'main']);
    await mergeNoFf(repo, 'feature', 'Merge feature', NOW - HOUR);
    const store = await open({ target: repo.dir });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 10 });
    expect(snap.history.map((h) => h.sha)).toEqual([deploy]);
  });

  it('takes the newest commit a merge brought in that changed the file, across several merges', async () => {
    const repo = await initRepo();
    await repo.commit('deploy 1.0.0', { files: { [PIN]: k('1.0.0') }, time: NOW - 10 * HOUR });
    await repo.git(['checkout', '--quiet', '-b', 'a']);
    await repo.commit('bump 1.1.0', { files: { [PIN]: k('1.1.0') }, time: NOW - 9 * HOUR });
    await repo.commit('bump 1.2.0', { files: { [PIN]: k('1.2.0') }, time: NOW - 8 * HOUR });
    await repo.commit('unrelated on the branch', { files: { 'x.txt': 'x\n' }, time: NOW - 7 * HOUR });
    await repo.git(['checkout', '--quiet', 'main']);
    const first = await mergeNoFf(repo, 'a', 'Merge a', NOW - 6 * HOUR);
    await repo.git(['checkout', '--quiet', '-b', 'b', 'main']);
    await repo.commit('bump 1.3.0', { files: { [PIN]: k('1.3.0') }, time: NOW - 5 * HOUR });
    await repo.git(['checkout', '--quiet', 'main']);
    const direct = await repo.commit('deploy 1.2.1', { files: { [PIN]: k('1.2.1') }, time: NOW - 4 * HOUR });
    await repo.git(['checkout', '--quiet', 'b']);
    await repo.commit('bump 1.3.0 again', { files: { 'y.txt': 'y\n' }, time: NOW - 3 * HOUR });
    await repo.git(['checkout', '--quiet', 'main']);
    await repo.git(['merge', '--quiet', '--no-ff', '-X', 'theirs', '-m', 'Merge b', 'b'], {
      env: { GIT_AUTHOR_DATE: `@${NOW - HOUR} +0000`, GIT_COMMITTER_DATE: `@${NOW - HOUR} +0000` },
    });
    const second = await repo.head();
    const store = await open({ target: repo.dir });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 10 });
    expect(snap.history.map((h) => [h.sha, h.time, h.message, h.text])).toEqual([
      [second, NOW - HOUR, 'Merge b\n\nbump 1.3.0', k('1.3.0')],
      [direct, NOW - 4 * HOUR, 'deploy 1.2.1', k('1.2.1')],
      [first, NOW - 6 * HOUR, 'Merge a\n\nbump 1.2.0', k('1.2.0')],
      [expect.any(String), NOW - 10 * HOUR, 'deploy 1.0.0', k('1.0.0')],
    ]);
  });
});

describe('a rollback proposal merged with a merge commit (git store)', () => {
  it('keeps the rollback record: the pin state, the audit and the next run all see it', async () => {
    const repo = await initRepo();
    await repo.commit('deploy api 1.0.0', { files: { [PIN]: k('1.0.0') }, time: NOW - 2 * 86_400 });
    await repo.commit('deploy api 1.1.0', { files: { [PIN]: k('1.1.0') }, time: NOW - 30 * 60 });
    const store = await open({ target: repo.dir });
    const prs = proposals();
    expect(await reconcile(store, 'propose', prs)).toMatchObject({ action: 'proposed' });
    const [branch] = prs.branches;
    expect(branch).toMatch(/^pinback\/rollback-api-[0-9a-f]{16}$/);
    const merge = await mergeNoFf(repo, branch!, `Merge pull request #1 from acme/${branch}`, NOW - 10);

    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 10 });
    expect(snap.history[0]).toMatchObject({ sha: merge, time: NOW - 10, text: k('1.0.0') });
    expect(
      snap.history[0]!.message.startsWith(
        `Merge pull request #1 from acme/${branch}\n\nrollback(api): 1.1.0 -> 1.0.0`,
      ),
    ).toBe(true);
    expect(readAuditRecord(snap.history[0]!.message)).toMatchObject({
      kind: 'rollback',
      service: 'api',
      from: '1.1.0',
      to: '1.0.0',
      id: branch!.slice(-16),
    });

    const entries = await audit(parsePolicy(policyText('propose'), 'p.yml', {}), store);
    expect(entries).toEqual([
      expect.objectContaining({
        service: 'api',
        from: '1.1.0',
        to: '1.0.0',
        commit: merge,
        id: branch!.slice(-16),
      }),
    ]);
    // The pin now stands on a rollback: nothing is proposed again.
    expect(await reconcile(store, 'propose', prs)).toMatchObject({ action: 'already_rolled_back' });
    expect(prs.branches).toHaveLength(1);
  });
});
