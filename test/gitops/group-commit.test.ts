/**
 * Group commit: the commits services of one run ask for together land as one chain, each on top
 * of the one before, when the paths their decisions read are untouched by the others; a real
 * conflict (an own commit changed what a decision read) or another writer makes a commit stale.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommitStore, landingHead, type OwnCommit } from '../../src/gitops/group-commit.js';
import type { CommitRequest } from '../../src/gitops/store.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

const AUTHOR = { name: 'pinback', email: 'pinback@example.test' };

describe('landingHead', () => {
  const chain = new Map<string, OwnCommit>([
    ['h0', { parent: 'h0', sha: 'c1', paths: ['apps/a/pin.yaml', '.pinback/locks/a.yaml'] }],
    ['c1', { parent: 'c1', sha: 'c2', paths: ['apps/b/pin.yaml'] }],
  ]);
  it.each([
    ['no own commit follows the head decided on', 'h9', ['apps/c/pin.yaml'], { head: 'h9' }],
    ['own commits touched other paths: the newest', 'h0', ['apps/c/pin.yaml'], { head: 'c2' }],
    ['starts from where the decision was made', 'c1', ['apps/a/pin.yaml'], { head: 'c2' }],
    ['an own commit changed a file read', 'h0', ['apps/b/pin.yaml'], { conflict: 'apps/b/pin.yaml' }],
    [
      'a directory read holds a changed file',
      'h0',
      ['.pinback/locks'],
      { conflict: '.pinback/locks/a.yaml' },
    ],
  ])('%s', (_why, expected, touched, landing) => {
    expect(landingHead(expected, touched, chain)).toEqual(landing);
  });
});

function repo(services: string[]): MemoryGitOps {
  const m = new MemoryGitOps(() => Date.UTC(2026, 11, 2, 12));
  for (const s of services) m.write(`apps/${s}/pin.yaml`, `tag: 2\n`);
  m.write('shared/kill.yaml', 'on: true\n');
  m.commitAt('deploy', 60);
  return m;
}

const rollback = (head: string, s: string, extra: string[] = []): CommitRequest => ({
  expectedHead: head,
  message: `rollback ${s}`,
  author: AUTHOR,
  changes: [
    { path: `apps/${s}/pin.yaml`, content: 'tag: 1\n' },
    ...extra.map((path) => ({ path, content: `off by ${s}\n` })),
  ],
  reads: [`apps/${s}/pin.yaml`, ...extra],
});

describe('GroupCommitStore', () => {
  it('lands commits decided on one head together, each on the one before, in one chain', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `svc${i}`);
    const base = repo(names);
    const chains: number[] = [];
    const chain = base.commitChain.bind(base);
    base.commitChain = async (head, commits) => {
      chains.push(commits.length);
      return chain(head, commits);
    };
    const store = new GroupCommitStore(base);
    const head = base.head()!;
    const results = await Promise.all(names.map((s) => store.commit(rollback(head, s))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(base.count()).toBe(21);
    for (const s of names) expect(base.file(`apps/${s}/pin.yaml`)).toBe('tag: 1\n');
    // All twenty asked in one turn: one chain.
    expect(chains).toEqual([20]);
  });

  it('makes a commit stale when an own commit of the group changed a file its decision read', async () => {
    const base = repo(['a', 'b']);
    const store = new GroupCommitStore(base);
    const head = base.head()!;
    const [a, b] = await Promise.all([
      store.commit(rollback(head, 'a', ['shared/kill.yaml'])),
      store.commit(rollback(head, 'b', ['shared/kill.yaml'])),
    ]);
    expect(a).toMatchObject({ ok: true });
    expect(b).toEqual({
      ok: false,
      reason: 'stale',
      detail: 'a commit of this run changed shared/kill.yaml since the decision',
    });
    expect(base.file('shared/kill.yaml')).toBe('off by a\n');
  });

  it('stacks a later commit on the own commits since its decision', async () => {
    const base = repo(['a', 'b']);
    const store = new GroupCommitStore(base);
    const head = base.head()!;
    expect(await store.commit(rollback(head, 'a'))).toMatchObject({ ok: true });
    // Decided on the old head, after a's commit landed: b's files are untouched, so it lands.
    expect(await store.commit(rollback(head, 'b'))).toMatchObject({ ok: true });
    expect(base.count()).toBe(3);
  });

  it('makes every commit stale when another writer moved the branch: the decisions are read again', async () => {
    const base = repo(['a', 'b']);
    const store = new GroupCommitStore(base);
    const head = base.head()!;
    base.write('README.md', 'by a person\n').commitAt('docs');
    const results = await Promise.all([store.commit(rollback(head, 'a')), store.commit(rollback(head, 'b'))]);
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(base.count()).toBe(2);
  });

  it('writes a commit without `reads`, or to another branch, alone and exactly as asked', async () => {
    const base = repo(['a', 'b']);
    const store = new GroupCommitStore(base);
    const head = base.head()!;
    const { reads: _r, ...plain } = rollback(head, 'a');
    const results = await Promise.all([
      store.commit({ ...rollback(head, 'b'), branch: 'pinback/rollback-b' }),
      store.commit(plain),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(base.head('pinback/rollback-b')).toBeDefined();
    expect(base.count()).toBe(2);
  });
});
