/**
 * The batched read answers each request as a read of it alone would: for random repositories
 * (linear, with merge commits of branches started anywhere, with more commits than the chain
 * window, with more changes of a file than a page holds) and random requests (shared and distinct files, limits, `since`), every snapshot of
 * `readAll` equals `read` of its request.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/github/octokit.js';
import { openGitHubStore } from '../../src/github/store.js';
import type { ReadRequest } from '../../src/gitops/store.js';
import { createGeneratedRepo, type GeneratedCommit, removeFixtures } from '../support/fake-github/fixture.js';
import { startFakeGitHub } from '../support/fake-github/index.js';

const PATHS = ['apps/a/pin.yaml', 'apps/b/pin.yaml', 'apps/c/pin.yaml'];
const MISSING = 'apps/none/pin.yaml';
const START = 1_700_000_000;

type Op =
  | { kind: 'change'; path: number; value: number }
  | { kind: 'merge'; back: number; changes: { path: number; value: number }[] }
  | { kind: 'noise'; count: number }
  | { kind: 'churn'; path: number };

const change = fc.record({ path: fc.nat(PATHS.length - 1), value: fc.nat(3) });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: change.map((c) => ({ kind: 'change' as const, ...c })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ back: fc.nat(4), changes: fc.array(change, { minLength: 1, maxLength: 3 }) })
      .map((m) => ({ kind: 'merge' as const, ...m })),
  },
  // Now and then enough commits to push older changes past the chain window (100 commits).
  { weight: 1, arbitrary: fc.constantFrom(3, 60).map((count) => ({ kind: 'noise' as const, count })) },
  // More changes of one file than a page of `recent` holds (100).
  { weight: 1, arbitrary: fc.nat(PATHS.length - 1).map((path) => ({ kind: 'churn' as const, path })) },
);

/** The commits of a history of ops: changes on main, pull requests from an older main, noise. */
function commitsOf(ops: Op[]): GeneratedCommit[] {
  const files: Record<string, string> = { 'README.md': 'r0\n' };
  PATHS.forEach((p) => (files[p] = 'tag: v0\n'));
  const commits: GeneratedCommit[] = [{ files, message: 'bootstrap', time: START }];
  const mains = [0];
  let time = START;
  const onMain = (c: Omit<GeneratedCommit, 'time' | 'parents'>, parents: number[]) => {
    time += 60;
    commits.push({ ...c, time, parents });
    mains.push(commits.length - 1);
  };
  let n = 0;
  for (const o of ops) {
    const main = mains.at(-1)!;
    if (o.kind === 'change') {
      onMain({ files: { [PATHS[o.path]!]: `tag: v${o.value}\n` }, message: `change ${++n}` }, [main]);
    } else if (o.kind === 'churn') {
      for (let i = 0; i < 101; i++)
        onMain({ files: { [PATHS[o.path]!]: `tag: v0 # ${++n}\n` }, message: `churn ${n}` }, [mains.at(-1)!]);
    } else if (o.kind === 'noise') {
      for (let i = 0; i < o.count; i++)
        onMain({ files: { 'README.md': `r${++n}\n` }, message: `noise ${n}` }, [mains.at(-1)!]);
    } else {
      // A branch from an older commit of main, one commit per change, merged side wins.
      let tip = mains[Math.max(0, mains.length - 1 - o.back)]!;
      const merged: Record<string, string> = {};
      for (const c of o.changes) {
        merged[PATHS[c.path]!] = `tag: v${c.value}\n`;
        commits.push({
          files: { [PATHS[c.path]!]: `tag: v${c.value}\n` },
          message: `side ${++n}\n\nRollback-Id: side-${n}`,
          time: commits[tip]!.time + 30,
          parents: [tip],
          author: { name: `Dev ${n}`, email: `dev${n}@example.test` },
        });
        tip = commits.length - 1;
      }
      onMain({ files: merged, message: `Merge ${++n}` }, [main, tip]);
    }
  }
  return commits;
}

const request = (end: number) =>
  fc.record({
    path: fc.nat(PATHS.length),
    files: fc.subarray([...PATHS, MISSING, '.pinback/locks.yaml']),
    limit: fc.constantFrom(0, 1, 2, 3, 7, 50),
    since: fc.option(fc.integer({ min: START - 60, max: end + 60 }), { nil: undefined }),
  });

describe('readAll', () => {
  afterAll(removeFixtures);

  it('gives each request what a read of it alone gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 14 }).chain((ops) => {
          const commits = commitsOf(ops);
          const end = commits.at(-1)!.time;
          return fc.tuple(
            fc.constant(commits),
            fc.array(request(end), { minLength: 3, maxLength: 6 }),
            // Small pages: the later ones read the head by id, the merges of one ride with the next.
            fc.constantFrom(
              undefined,
              { paths: 1, files: 1 },
              { paths: 2, files: 3 },
              { paths: 2, files: 1 },
            ),
          );
        }),
        async ([commits, picked, perQuery]) => {
          const head = commits.reduce((last, c, i) => (c.message.startsWith('side') ? last : i), 0);
          const { bare } = await createGeneratedRepo(commits, head);
          const fake = await startFakeGitHub({ repos: { 'acme/gitops': bare } });
          try {
            const store = (paging?: { paths: number; files: number }) =>
              openGitHubStore({
                octokit: createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} }),
                repo: 'acme/gitops',
                branch: 'main',
                perQuery: paging,
              });
            const requests = picked.map((r): ReadRequest => ({
              files: r.files,
              historyOf: r.path === PATHS.length ? MISSING : PATHS[r.path]!,
              limit: r.limit,
              since: r.since === undefined ? undefined : new Date(r.since * 1000),
            }));
            const all = await store(perQuery).readAll(requests);
            const alone = [];
            for (const r of requests) alone.push(await store().read(r));
            expect(all).toEqual(alone);
            expect(fake.violations).toEqual([]);
          } finally {
            await fake.close();
          }
        },
      ),
      { numRuns: 20 },
    );
  }, 120_000);
});
