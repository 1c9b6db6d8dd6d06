/**
 * Issue 13: one read for all services. `readAll` reads many services' files and pin histories from
 * one head with ONE first-parent history walk for all pin files (not one `git log -- FILE` per
 * service), and each snapshot holds exactly what that service's own `read` gives: on repositories
 * with merges, busy and quiet files, several services in one file, by count and by time, locally
 * and from a shallow remote clone. A chain of commits lands with one push.
 */
import { describe, expect, it } from 'vitest';
import type { ReadRequest } from '../../src/gitops/store.js';
import { countingGit } from '../support/fleet.js';
import { initRemote, initRepo, type TestRepo, useGitStores } from '../support/git.js';

const NOW = 1_800_000_000;
const pin = (s: number) => `apps/svc${s}/kustomization.yaml`;
/** Services 6 and 7 share one file: a monorepo's shared values file. */
const fileOf = (s: number) => (s >= 6 ? 'apps/shared/values.yaml' : pin(s));
const SERVICES = 8;

const open = useGitStores();

/** A small deterministic random source (mulberry32), so a failing history can be rebuilt. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ (t + t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A history of 50 commits: pin changes of random services (service 0 busy), unrelated commits,
 * and pull requests merged with merge commits (the change on a side branch).
 */
async function history(repo: TestRepo, seed: number): Promise<void> {
  const rnd = random(seed);
  const tags = new Array<number>(SERVICES).fill(0);
  const texts = (s: number) =>
    s >= 6
      ? `svc6: { tag: "1.${tags[6]}.0" }\nsvc7: { tag: "1.${tags[7]}.0" }\n`
      : `images:\n  - name: ghcr.io/acme/svc${s}\n    newTag: 1.${tags[s]}.0\n`;
  const bump = (s: number) => {
    tags[s]! += 1;
    return { [fileOf(s)]: texts(s) };
  };
  let time = NOW - 50 * 1800;
  const files = Object.fromEntries(Array.from({ length: SERVICES }, (_, s) => [fileOf(s), texts(s)]));
  await repo.commit('deploy all', { files, time });
  for (let i = 0; i < 50; i++) {
    time += 1800;
    const s = rnd() < 0.3 ? 0 : Math.floor(rnd() * SERVICES);
    const roll = rnd();
    if (roll < 0.15) {
      await repo.commit(`docs ${i}`, { files: { 'README.md': `note ${i}\n` }, time });
    } else if (roll < 0.3) {
      await repo.git(['checkout', '--quiet', '-b', `pr-${i}`]);
      await repo.commit(`chore(deps): update svc${s}\n\nRenovate-Branch: ${i}`, {
        files: bump(s),
        time: time - 600,
      });
      await repo.git(['checkout', '--quiet', repo.branch]);
      await repo.commit(`other ${i}`, { files: { 'docs/other.md': `other ${i}\n` }, time: time - 300 });
      const when = `@${time} +0000`;
      await repo.git(
        ['merge', '--quiet', '--no-ff', '--no-edit', '-m', `Merge pull request #${i}`, `pr-${i}`],
        {
          env: { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when },
        },
      );
    } else {
      await repo.commit(`deploy svc${s}`, { files: bump(s), time });
    }
  }
}

/** Requests as a run makes them: every service's pin and lock files, histories by count or by time. */
function requests(seed: number, padding = 0): ReadRequest[] {
  const rnd = random(seed * 7 + 1);
  // Many quiet files beside the busy ones: most of them never change.
  const quiet = Array.from({ length: padding }, (_, i) => ({
    files: [],
    historyOf: `apps/quiet${i}/kustomization.yaml`,
    limit: 3,
  }));
  return [
    ...quiet,
    ...Array.from({ length: SERVICES }, (_, s) => ({
      files: [fileOf(s), `.pinback/locks/svc${s}.yaml`, '.pinback/locks.yaml'],
      historyOf: fileOf(s),
      limit: 1 + Math.floor(rnd() * 6),
      since: rnd() < 0.5 ? new Date((NOW - Math.floor(rnd() * 20) * 1800) * 1000) : undefined,
    })),
  ];
}

describe('readAll on the git store', () => {
  for (const [seed, padding] of [
    [1, 0],
    [2, 0],
    [3, 100],
  ] as const) {
    it(`gives each request what its own read gives, from one history walk (history ${seed}, ${8 + padding} files)`, async () => {
      const repo = await initRepo();
      await history(repo, seed);
      const asked = requests(seed, padding);
      const git = countingGit();
      const store = await open({ target: repo.dir, git });
      const all = await store.readAll(asked);
      expect(git.counts.get('log')).toBeLessThanOrEqual(2 + 1); // the walk (maybe in chunks) and one merge walk
      const alone = await open({ target: repo.dir });
      for (const [i, r] of asked.entries()) {
        const one = await alone.read(r);
        expect(all[i]!.head).toBe(one.head);
        expect(all[i]!.files).toEqual(one.files);
        expect(all[i]!.history).toEqual(one.history);
      }
    });
  }

  it('reads the same from a shallow, blob-less remote clone as from the repository itself', async () => {
    const remote = await initRemote();
    await history(remote.seed, 4);
    await remote.seed.push();
    const asked = requests(4);
    const local = await open({ target: remote.dir });
    const shallow = await open({ target: remote.url, depth: 2 });
    const [a, b] = [await local.readAll(asked), await shallow.readAll(asked)];
    expect(b.map((s) => s.history)).toEqual(a.map((s) => s.history));
    expect(b.map((s) => s.files)).toEqual(a.map((s) => s.files));
  });

  it('reads a thousand files through one walk that names none of them', async () => {
    const repo = await initRepo();
    const files = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`apps/s${i}/pin.yaml`, `tag: 1\n`]),
    );
    await repo.commit('deploy all', { files, time: NOW - 600 });
    await repo.commit('deploy s7', { files: { 'apps/s7/pin.yaml': 'tag: 2\n' }, time: NOW - 60 });
    const git = countingGit();
    const store = await open({ target: repo.dir, git });
    const snaps = await store.readAll(
      Array.from({ length: 1000 }, (_, i) => ({
        files: [`apps/s${i}/pin.yaml`],
        historyOf: `apps/s${i}/pin.yaml`,
        limit: 5,
      })),
    );
    expect(git.counts.get('log')).toBe(1);
    expect(snaps[7]!.history.map((h) => h.message)).toEqual(['deploy s7', 'deploy all']);
    expect(snaps[8]!.history.map((h) => h.message)).toEqual(['deploy all']);
  });
});

describe('commitChain on the git store', () => {
  it('lands a chain of commits, each on the one before, with one push to the remote', async () => {
    const remote = await initRemote({ files: { 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 1\n' } });
    const git = countingGit();
    const store = await open({ target: remote.url, git });
    const { head } = await store.read({ files: [], historyOf: 'a.yaml', limit: 1 });
    const author = { name: 'pinback', email: 'pinback@example.test' };
    const results = await store.commitChain(head, [
      { message: 'one', author, changes: [{ path: 'a.yaml', content: 'a: 2\n' }] },
      { message: 'two', author, changes: [{ path: 'b.yaml', content: 'b: 2\n' }] },
      { message: 'three', author, changes: [{ path: 'a.yaml', content: 'a: 3\n' }] },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(git.counts.get('push')).toBe(1);
    const log = await remote.seed
      .git(['fetch', '--quiet'])
      .then(() => remote.seed.git(['log', '--format=%s', 'origin/main']));
    expect(log.split('\n').slice(0, 3)).toEqual(['three', 'two', 'one']);
  });

  it('writes nothing of a chain whose base is no longer the branch head: every commit is stale', async () => {
    const remote = await initRemote({ files: { 'a.yaml': 'a: 1\n' } });
    const store = await open({ target: remote.url });
    const { head } = await store.read({ files: [], historyOf: 'a.yaml', limit: 1 });
    await remote.seed.commit('a person', { files: { 'c.yaml': 'c\n' } });
    await remote.seed.push();
    const author = { name: 'pinback', email: 'pinback@example.test' };
    const results = await store.commitChain(head, [
      { message: 'one', author, changes: [{ path: 'a.yaml', content: 'a: 2\n' }] },
      { message: 'two', author, changes: [{ path: 'a.yaml', content: 'a: 3\n' }] },
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(await remote.tip()).toBe(await remote.seed.head());
  });
});
