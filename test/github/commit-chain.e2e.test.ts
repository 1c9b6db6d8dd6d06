/**
 * The GitHub store's chained commits: one `createCommitOnBranch` after another, each on the one
 * before (`expectedHeadOid`), so several services' rollbacks land from one read. From the first
 * that does not land, the rest are `stale` and nothing of them is written.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/github/octokit.js';
import { openGitHubStore } from '../../src/github/store.js';
import { type ChainedCommit, type GitOpsStore, StoreError } from '../../src/gitops/store.js';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

const AUTHOR = { name: 'pinback', email: 'pinback@users.noreply.github.com' };
const pin = (i: number) => `apps/svc-${i}/pin.yaml`;
const rollback = (i: number): ChainedCommit => ({
  message: `Roll back svc-${i}\n\nRollback-Service: svc-${i}`,
  changes: [{ path: pin(i), content: `tag: v1 # rolled back ${i}\n` }],
  author: AUTHOR,
});
const FORBIDDEN = {
  status: 200,
  body: {
    data: null,
    errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }],
  },
};

let fixture: Fixture;
let fake: FakeGitHub;
let store: GitOpsStore;
let head: string;
let seen: number;

const commits = () => fake.requests.slice(seen).filter((r) => r.operation === 'PinbackCommit');
const mainAt = async () => (await gitIn(fixture.bare, ['rev-parse', 'refs/heads/main'])).trim();
const parentOf = async (sha: string) => (await gitIn(fixture.bare, ['rev-parse', `${sha}^`])).trim();

beforeEach(async () => {
  fixture = await createBareRepo([
    { files: { [pin(0)]: 'tag: v2\n', [pin(1)]: 'tag: v2\n', [pin(2)]: 'tag: v2\n' } },
  ]);
  fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
  store = openGitHubStore({
    octokit: createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} }),
    repo: 'acme/gitops',
    branch: 'main',
  });
  head = (await store.read({ files: [], historyOf: pin(0), limit: 0 })).head;
  seen = fake.requests.length;
  return async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
  };
});
afterAll(removeFixtures);

describe('commitChain on GitHub', () => {
  it('lands every commit, each on the one before, one mutation each', async () => {
    const results = await store.commitChain(head, [rollback(0), rollback(1), rollback(2)]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    const shas = results.map((r) => (r.ok ? r.sha : ''));
    expect(await mainAt()).toBe(shas[2]);
    expect([await parentOf(shas[0]!), await parentOf(shas[1]!), await parentOf(shas[2]!)]).toEqual([
      head,
      shas[0],
      shas[1],
    ]);
    expect(shas.every((s) => fake.verifiedCommits.has(s))).toBe(true);
    expect(commits()).toHaveLength(3);
    expect(store.usage?.()).toMatchObject({ requests: 4, reads: 1, writes: 3 });
  });

  it('answers stale for all, writing nothing, when the branch moved before the first', async () => {
    const moved = (
      await gitIn(fixture.bare, ['commit-tree', `${head}^{tree}`, '-p', head, '-m', 'someone else'])
    ).trim();
    await gitIn(fixture.bare, ['update-ref', 'refs/heads/main', moved]);
    const results = await store.commitChain(head, [rollback(0), rollback(1)]);
    expect(results).toEqual([
      { ok: false, reason: 'stale', detail: expect.stringContaining('Expected branch to point to') },
      { ok: false, reason: 'stale', detail: expect.stringContaining('commit 1 of the chain did not land') },
    ]);
    expect(commits()).toHaveLength(1);
    expect(await mainAt()).toBe(moved);
  });

  it('keeps what landed and answers stale from the commit the branch moved under', async () => {
    let n = 0;
    fake.beforeGraphQL = async (operation) => {
      if (operation !== 'PinbackCommit' || ++n !== 2) return;
      const tip = await mainAt();
      const moved = (
        await gitIn(fixture.bare, ['commit-tree', `${tip}^{tree}`, '-p', tip, '-m', 'someone else'])
      ).trim();
      await gitIn(fixture.bare, ['update-ref', 'refs/heads/main', moved]);
    };
    const results = await store.commitChain(head, [rollback(0), rollback(1), rollback(2)]);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['ok', 'stale', 'stale']);
    expect(commits()).toHaveLength(2);
  });

  it('throws, as commit does, when GitHub refuses the first commit', async () => {
    fake.failNext({ operation: 'PinbackCommit' }, FORBIDDEN);
    const chain = store.commitChain(head, [rollback(0), rollback(1)]);
    await expect(chain).rejects.toThrow(StoreError);
    await expect(chain).rejects.toThrow(
      'committing to acme/gitops branch main failed: Request failed due to following response errors:\n - Resource not accessible by integration',
    );
    expect(commits()).toHaveLength(1);
    expect(await mainAt()).toBe(head);
  });

  it('answers stale with the error, once something landed, when GitHub refuses a later commit', async () => {
    let n = 0;
    fake.beforeGraphQL = (operation) => {
      if (operation === 'PinbackCommit' && ++n === 1)
        fake.failNext({ operation: 'PinbackCommit' }, FORBIDDEN);
    };
    const results = await store.commitChain(head, [rollback(0), rollback(1), rollback(2)]);
    expect(results[0]).toMatchObject({ ok: true });
    expect(results.slice(1)).toEqual([
      {
        ok: false,
        reason: 'stale',
        detail: expect.stringContaining('Resource not accessible by integration'),
      },
      { ok: false, reason: 'stale', detail: expect.stringContaining('commit 2 of the chain did not land') },
    ]);
    expect(await mainAt()).toBe(results[0]!.ok ? results[0]!.sha : '');
  });

  it('needs a read first, to know the branch when the store has none', async () => {
    const fresh = openGitHubStore({
      octokit: createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} }),
      repo: 'acme/gitops',
    });
    await expect(fresh.commitChain(head, [rollback(0)])).rejects.toThrow('read before commit');
    expect(await fresh.commitChain(head, [])).toEqual([]);
  });
});
