/**
 * A local work tree whose refresh did not finish after pinback's commit moved the branch (a stale
 * index.lock, a run killed between update-ref and checkout-index): the commit warns, and the next
 * read finishes the refresh under the repair rule of src/gitops/refresh.ts, never over a person's
 * edit.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openGitStore } from '../../src/gitops/git.js';
import { createGit, type Git } from '../../src/gitops/git-command.js';
import type { CommitRequest, GitOpsStore } from '../../src/gitops/store.js';
import { initRepo, type TestRepo, tempDir } from '../support/git.js';

const PIN = 'apps/api/kustomization.yaml';
const LOCK = '.pinback/locks/api.yaml';
const FLAGS = 'apps/api/flags.yaml';
const author = { name: 'pinback', email: 'pinback@example.test' };

const opened: GitOpsStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function open(repo: TestRepo, git?: Git): Promise<{ store: GitOpsStore; warnings: string[] }> {
  const warnings: string[] = [];
  const store = await openGitStore({
    target: repo.dir,
    workDir: await tempDir('pinback-work-'),
    onWarning: (w) => warnings.push(w),
    git,
  });
  opened.push(store);
  return { store, warnings };
}

const rollback = (expectedHead: string, changes: CommitRequest['changes']): CommitRequest => ({
  expectedHead,
  message: 'rollback(api): v2 -> v1 [error_spike]\n\nRollback-Id: 0123456789abcdef\n',
  changes,
  author,
});

const pinAndLock = [
  { path: PIN, content: 'tag: v1\n' },
  { path: LOCK, content: 'api:\n  - version: v2\n' },
];

const read = (store: GitOpsStore) => store.read({ files: [PIN], historyOf: PIN, limit: 1 });
const status = (repo: TestRepo) => repo.git(['status', '--porcelain']);
const journals = async (repo: TestRepo) =>
  (await readdir(join(repo.dir, '.git'))).filter((n) => n.startsWith('pinback-refresh-'));
const indexLock = (repo: TestRepo) => join(repo.dir, '.git', 'index.lock');

/** The real git, but `checkout-index` fails (as if the run were killed right before it). */
function noCheckoutIndex(): Git {
  const real = createGit();
  return {
    run: (args, options) =>
      args.includes('checkout-index')
        ? Promise.resolve({ exitCode: 128, stdout: Buffer.alloc(0), stderr: 'fatal: killed\n' })
        : real.run(args, options),
  };
}

/** A repository whose rollback commit landed with its index and work tree left before it (a staged revert). */
async function stagedRevert(): Promise<{ repo: TestRepo; sha: string; warnings: string[] }> {
  const repo = await initRepo({ files: { [PIN]: 'tag: v2\n', [FLAGS]: 'on: true\n' } });
  await writeFile(indexLock(repo), '');
  const { store, warnings } = await open(repo);
  const result = await store.commit(rollback(await repo.head(), pinAndLock));
  if (!result.ok) throw new Error('the commit did not land');
  await rm(indexLock(repo));
  return { repo, sha: result.sha, warnings };
}

describe('a work tree the refresh did not reach', () => {
  it('a stale index.lock: the commit lands and says the work tree was not updated', async () => {
    const { repo, sha, warnings } = await stagedRevert();
    expect(await repo.head('main')).toBe(sha);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^committed ${sha.slice(0, 12)} to main, but could not update the index and work tree of .* \\(the index is locked.*do not commit them as they are`,
        ),
      ),
    ]);
    // The staged revert issue 12 describes: `git commit -am` would undo the rollback.
    expect(await status(repo)).toBe(`D  ${LOCK}\nM  ${PIN}\n`);
    expect(await journals(repo)).toEqual([
      expect.stringMatching(new RegExp(`^pinback-refresh-${sha}-[0-9a-f]{8}$`)),
    ]);
  });

  it('the next read finishes it: index and work tree hold the commit, and says so', async () => {
    const { repo, sha } = await stagedRevert();
    const { store, warnings } = await open(repo);
    await read(store);
    expect(await status(repo)).toBe('');
    expect(await readFile(join(repo.dir, PIN), 'utf8')).toBe('tag: v1\n');
    expect(await readFile(join(repo.dir, LOCK), 'utf8')).toBe('api:\n  - version: v2\n');
    expect(warnings).toEqual([
      `finished updating "${PIN}", "${LOCK}" in ${repo.dir} to pinback's commit ${sha.slice(0, 12)}: an earlier run stopped before it did`,
    ]);
    expect(await journals(repo)).toEqual([]);
  });

  it('killed between the index and the work tree: the next read writes the files', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n' } });
    const { store, warnings } = await open(repo, noCheckoutIndex());
    const result = await store.commit(rollback(await repo.head(), pinAndLock));
    expect(result.ok).toBe(true);
    expect(warnings).toEqual([expect.stringContaining('could not update the index and work tree')]);
    expect(await status(repo)).toBe(` D ${LOCK}\n M ${PIN}\n`);
    await read((await open(repo)).store);
    expect(await status(repo)).toBe('');
  });

  it('stays a staged revert while the lock stays, and says so again', async () => {
    const { repo, sha } = await stagedRevert();
    await writeFile(indexLock(repo), '');
    const { store, warnings } = await open(repo);
    await read(store);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(`still show pinback's commit ${sha.slice(0, 12)} reverted.*index is locked`),
      ),
    ]);
    expect(await status(repo)).toBe(`D  ${LOCK}\nM  ${PIN}\n`);
    await rm(indexLock(repo));
  });

  it("a second commit before the repair carries the first one's files, and one read repairs both", async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n', [FLAGS]: 'on: true\n' } });
    await writeFile(indexLock(repo), '');
    const { store } = await open(repo);
    const first = await store.commit(rollback(await repo.head(), [{ path: PIN, content: 'tag: v1\n' }]));
    if (!first.ok) throw new Error('first commit');
    const second = await store.commit(rollback(first.sha, [{ path: FLAGS, content: 'on: false\n' }]));
    if (!second.ok) throw new Error('second commit');
    expect(await journals(repo)).toEqual([
      expect.stringMatching(new RegExp(`^pinback-refresh-${second.sha}-[0-9a-f]{8}$`)),
    ]);
    await rm(indexLock(repo));
    await read((await open(repo)).store);
    expect(await status(repo)).toBe('');
  });
});

describe('the repair never overwrites a person', () => {
  it("leaves a file with a person's own edit, repairs the rest, and says what to run", async () => {
    const { repo, sha } = await stagedRevert();
    await repo.write({ [PIN]: 'tag: mine\n' });
    const { store, warnings } = await open(repo);
    await read(store);
    expect(await readFile(join(repo.dir, PIN), 'utf8')).toBe('tag: mine\n');
    expect(await status(repo)).toBe(`MM ${PIN}\n`);
    expect(warnings).toEqual([
      expect.stringContaining(`finished updating "${LOCK}"`),
      expect.stringContaining(
        `"${PIN}" in ${repo.dir} differ from pinback's commit ${sha.slice(0, 12)} by uncommitted edits; pinback left them alone`,
      ),
    ]);
    // The journal stays until the person decides.
    expect(await journals(repo)).toHaveLength(1);
  });

  it('leaves an untracked file where the commit added one', async () => {
    const { repo } = await stagedRevert();
    await repo.write({ [LOCK]: 'my own notes\n' });
    await read((await open(repo)).store);
    expect(await readFile(join(repo.dir, LOCK), 'utf8')).toBe('my own notes\n');
  });

  it("does nothing without a journal: a person's revert of a finished refresh is theirs", async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n' } });
    const { store } = await open(repo);
    const result = await store.commit(rollback(await repo.head(), pinAndLock));
    expect(result.ok).toBe(true);
    expect(await status(repo)).toBe('');
    await repo.git(['checkout', 'HEAD^', '--', PIN]);
    const { store: next, warnings } = await open(repo);
    await read(next);
    expect(await status(repo)).toBe(`M  ${PIN}\n`);
    expect(warnings).toEqual([]);
  });

  it('drops the journal once the branch moved on, touching nothing', async () => {
    const { repo } = await stagedRevert();
    // A person commits the tree as it is (what issue 12 warns against): their commit decides now.
    await repo.commit('undo the rollback');
    await repo.write({ [PIN]: 'tag: edited\n' });
    await read((await open(repo)).store);
    expect(await journals(repo)).toEqual([]);
    expect(await status(repo)).toBe(` M ${PIN}\n`);
  });

  it("leaves another live run's refresh alone", async () => {
    const { repo, sha } = await stagedRevert();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const [name] = await journals(repo);
      expect(name).toContain(sha);
      const file = join(repo.dir, '.git', name!);
      const journal = JSON.parse(await readFile(file, 'utf8')) as { pid: number; at: number };
      await writeFile(file, JSON.stringify({ ...journal, pid: other.pid, at: Date.now() }));
      await read((await open(repo)).store);
      expect(await status(repo)).toBe(`D  ${LOCK}\nM  ${PIN}\n`);
    } finally {
      other.kill();
    }
  });

  it('does not repair a branch that is not checked out', async () => {
    const { repo } = await stagedRevert();
    await repo.git(['checkout', '--quiet', '-b', 'elsewhere']);
    const store = await openGitStore({ target: repo.dir, branch: 'main', workDir: await tempDir() });
    opened.push(store);
    await read(store);
    // The staged revert came along to the other branch: it is that branch's state now, not pinback's.
    expect(await status(repo)).toBe(`D  ${LOCK}\nM  ${PIN}\n`);
    expect(await journals(repo)).toHaveLength(1);
  });
});
