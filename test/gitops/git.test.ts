import { chmod, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openGitStore } from '../../src/gitops/git.js';
import { createGit, type Git } from '../../src/gitops/git-command.js';
import { type CommitRequest, StoreError } from '../../src/gitops/store.js';
import { initRemote, initRepo, type TestRepo, tempDir, useGitStores } from '../support/git.js';

const PIN = 'apps/api/kustomization.yaml';
const author = { name: 'pinback bot', email: 'pinback@example.test' };

const open = useGitStores();

function change(expectedHead: string, content: string, extra: Partial<CommitRequest> = {}): CommitRequest {
  return {
    expectedHead,
    message: 'rollback(api): 2 -> 1',
    changes: [{ path: PIN, content }],
    author,
    ...extra,
  };
}

/** A repository whose pin went v1 -> v2 -> v3, with an unrelated commit in between. */
async function pinHistory(repo: TestRepo): Promise<string[]> {
  const shas = [
    await repo.commit('deploy v1', { files: { [PIN]: 'tag: v1\n' }, time: 1_800_000_100 }),
    await repo.commit('unrelated', { files: { 'other.txt': 'x\n' }, time: 1_800_000_200 }),
    await repo.commit('deploy v2\n\nwith a body\n\nDeployed-By: ci', {
      files: { [PIN]: 'tag: v2\n' },
      time: 1_800_000_300,
    }),
    await repo.commit('deploy v3', { files: { [PIN]: 'tag: v3\n' }, time: 1_800_000_400 }),
  ];
  return shas;
}

describe('git store on a local work tree: read', () => {
  it('reads the head and each file at the head', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v1\n', 'flags.yaml': 'on: true\n' } });
    const store = await open({ target: repo.dir });
    const snap = await store.read({ files: [PIN, 'flags.yaml'], historyOf: PIN, limit: 5 });
    expect(snap.head).toBe(await repo.head());
    expect(snap.files.get(PIN)).toBe('tag: v1\n');
    expect(snap.files.get('flags.yaml')).toBe('on: true\n');
  });

  it('answers null for a file that does not exist', async () => {
    const repo = await initRepo();
    const store = await open({ target: repo.dir });
    const snap = await store.read({ files: ['apps/none.yaml'], historyOf: 'apps/none.yaml', limit: 5 });
    expect(snap.files.get('apps/none.yaml')).toBeNull();
    expect(snap.history).toEqual([]);
  });

  it("lists the commits that changed the file newest first, with committer time, full message and the file's text", async () => {
    const repo = await initRepo();
    const [v1, , v2, v3] = await pinHistory(repo);
    const store = await open({ target: repo.dir });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 10 });
    // The author is git's record of who wrote each commit: a rollback record is checked against it.
    const author = { name: 'Test Author', email: 'author@example.test' };
    expect(snap.history).toEqual([
      { sha: v3, time: 1_800_000_400, message: 'deploy v3', text: 'tag: v3\n', author },
      {
        sha: v2,
        time: 1_800_000_300,
        message: 'deploy v2\n\nwith a body\n\nDeployed-By: ci',
        text: 'tag: v2\n',
        author,
      },
      { sha: v1, time: 1_800_000_100, message: 'deploy v1', text: 'tag: v1\n', author },
    ]);
  });

  it('returns at most `limit` history entries', async () => {
    const repo = await initRepo();
    const [, , v2, v3] = await pinHistory(repo);
    const store = await open({ target: repo.dir });
    const snap = await store.read({ files: [], historyOf: PIN, limit: 2 });
    expect(snap.history.map((h) => h.sha)).toEqual([v3, v2]);
  });

  it('gives null text for a commit that deleted the file', async () => {
    const repo = await initRepo();
    await pinHistory(repo);
    const gone = await repo.commit('remove api', { files: { [PIN]: null } });
    const store = await open({ target: repo.dir });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 2 });
    expect(snap.files.get(PIN)).toBeNull();
    expect(snap.history[0]).toMatchObject({ sha: gone, text: null });
    expect(snap.history[1]?.text).toBe('tag: v3\n');
  });

  it('reads the committed branch, not uncommitted edits in the work tree', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v1\n' } });
    await repo.write({ [PIN]: 'tag: edited\n' });
    const store = await open({ target: repo.dir });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 1 });
    expect(snap.files.get(PIN)).toBe('tag: v1\n');
  });

  it('leaves out the boundary of a shallow local clone and warns that history may be incomplete', async () => {
    const remote = await initRemote();
    await pinHistory(remote.seed);
    const last = await remote.seed.commit('deploy v4', { files: { [PIN]: 'tag: v4\n' } });
    await remote.seed.push();
    const dir = join(await tempDir(), 'shallow');
    await remote.seed.git(['clone', '--quiet', '--depth=2', remote.url, dir]);
    const warnings: string[] = [];
    const store = await open({ target: dir, onWarning: (w) => warnings.push(w) });
    const snap = await store.read({ files: [], historyOf: PIN, limit: 5 });
    expect(snap.history.map((h) => h.sha)).toEqual([last]);
    expect(warnings).toEqual([expect.stringContaining('is a shallow clone')]);
  });

  it('describes itself as the path and branch', async () => {
    const repo = await initRepo();
    const store = await open({ target: repo.dir });
    expect(store.describe()).toBe(`${repo.dir} (branch main)`);
  });
});

describe('git store on a local work tree: commit', () => {
  it('commits the exact bytes (CRLF, no trailing newline), even where .gitattributes asks for conversion', async () => {
    const repo = await initRepo({ files: { '.gitattributes': '* text eol=lf\n', [PIN]: 'tag: v1\n' } });
    const store = await open({ target: repo.dir });
    const content = 'images:\r\n  - name: api\r\n    newTag: v0 \u00e9';
    const result = await store.commit(change(await repo.head(), content));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(await repo.show(result.sha, PIN)).toEqual(Buffer.from(content, 'utf8'));
    expect(await repo.head('main')).toBe(result.sha);
  });

  it('makes one commit on top of expectedHead with the message, the author as committer, and only the given files', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n', 'keep.txt': 'same\n' } });
    const before = await repo.head();
    const store = await open({ target: repo.dir });
    const result = await store.commit({
      ...change(before, 'tag: v1\n'),
      changes: [
        { path: PIN, content: 'tag: v1\n' },
        { path: '.pinback/locks.yaml', content: 'api: []\n' },
      ],
    });
    if (!result.ok) throw new Error(result.detail);
    const info = await repo.git(['log', '-1', '--format=%P%n%an <%ae>%n%cn <%ce>%n%B', result.sha]);
    expect(info).toBe(
      `${before}\npinback bot <pinback@example.test>\npinback bot <pinback@example.test>\nrollback(api): 2 -> 1\n`,
    );
    const changed = await repo.git(['diff', '--name-only', before, result.sha]);
    expect(changed.trim().split('\n').sort()).toEqual(['.pinback/locks.yaml', PIN]);
  });

  it('keeps an executable file executable', async () => {
    const repo = await initRepo({ files: { 'run.sh': '#!/bin/sh\n' } });
    await chmod(join(repo.dir, 'run.sh'), 0o755);
    await repo.commit('make it executable');
    const store = await open({ target: repo.dir });
    const result = await store.commit({
      ...change(await repo.head(), ''),
      changes: [{ path: 'run.sh', content: 'x' }],
    });
    if (!result.ok) throw new Error(result.detail);
    expect(await repo.git(['ls-tree', result.sha, 'run.sh'])).toMatch(/^100755 /);
  });

  it('updates the checked-out files and index so the work tree is clean afterwards', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n' } });
    const store = await open({ target: repo.dir });
    const result = await store.commit(change(await repo.head(), 'tag: v1\n'));
    expect(result.ok).toBe(true);
    expect(await readFile(join(repo.dir, PIN), 'utf8')).toBe('tag: v1\n');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });

  it('leaves unrelated uncommitted changes untouched and uncommitted', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n', 'notes.txt': 'old\n' } });
    await repo.write({ 'notes.txt': 'my edit\n', 'scratch.txt': 'untracked\n' });
    const store = await open({ target: repo.dir });
    const result = await store.commit(change(await repo.head(), 'tag: v1\n'));
    if (!result.ok) throw new Error(result.detail);
    expect(await readFile(join(repo.dir, 'notes.txt'), 'utf8')).toBe('my edit\n');
    expect(await repo.git(['status', '--porcelain'])).toBe(' M notes.txt\n?? scratch.txt\n');
    expect((await repo.show(result.sha, 'notes.txt')).toString()).toBe('old\n');
  });

  it('refuses to overwrite uncommitted changes to a file it would change', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n' } });
    await repo.write({ [PIN]: 'tag: hand-edited\n' });
    const head = await repo.head();
    const store = await open({ target: repo.dir });
    await expect(store.commit(change(head, 'tag: v1\n'))).rejects.toThrow(
      /has uncommitted changes: commit or stash/,
    );
    expect(await repo.head()).toBe(head);
    expect(await readFile(join(repo.dir, PIN), 'utf8')).toBe('tag: hand-edited\n');
  });

  it('answers stale when the branch moved after the read', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n' } });
    const store = await open({ target: repo.dir });
    const { head } = await store.read({ files: [PIN], historyOf: PIN, limit: 1 });
    const moved = await repo.commit('someone else', { files: { 'other.txt': 'x\n' } });
    const result = await store.commit(change(head, 'tag: v1\n'));
    expect(result).toEqual({ ok: false, reason: 'stale', detail: expect.stringContaining(moved) });
    expect(await repo.head()).toBe(moved);
  });

  it('commits to a new branch created from expectedHead, leaving the store branch alone', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n' } });
    const head = await repo.head();
    const store = await open({ target: repo.dir });
    const result = await store.commit(change(head, 'tag: v1\n', { branch: 'pinback/rollback-api' }));
    if (!result.ok) throw new Error(result.detail);
    expect(await repo.head('refs/heads/pinback/rollback-api')).toBe(result.sha);
    expect(await repo.head(`${result.sha}^`)).toBe(head);
    expect(await repo.head('main')).toBe(head);
    expect(await readFile(join(repo.dir, PIN), 'utf8')).toBe('tag: v2\n');
  });

  it('answers stale when the new branch already exists at another commit', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n' } });
    const first = await repo.head();
    await repo.git(['branch', 'pinback/rollback-api']);
    const head = await repo.commit('later', { files: { 'x.txt': 'x\n' } });
    const store = await open({ target: repo.dir });
    const result = await store.commit(change(head, 'tag: v1\n', { branch: 'pinback/rollback-api' }));
    expect(result).toMatchObject({ ok: false, reason: 'stale' });
    expect(await repo.head('refs/heads/pinback/rollback-api')).toBe(first);
  });

  it('commits to a branch that is not checked out without touching the work tree', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n' } });
    await repo.git(['branch', 'deploy']);
    await repo.write({ [PIN]: 'tag: local edit\n' });
    const store = await open({ target: repo.dir, branch: 'deploy' });
    const result = await store.commit(change(await repo.head('deploy'), 'tag: v1\n'));
    if (!result.ok) throw new Error(result.detail);
    expect(await repo.head('deploy')).toBe(result.sha);
    expect(await readFile(join(repo.dir, PIN), 'utf8')).toBe('tag: local edit\n');
  });
});

describe('git store on a remote, through a temporary clone', () => {
  it('reads the head, the files and the history of a bare remote', async () => {
    const remote = await initRemote({ files: { 'README.md': 'hi\n' } });
    const [v1, , v2, v3] = await pinHistory(remote.seed);
    await remote.seed.push();
    const store = await open({ target: remote.url });
    const snap = await store.read({ files: [PIN, 'README.md', 'missing.yaml'], historyOf: PIN, limit: 5 });
    expect(snap.head).toBe(v3);
    expect(Object.fromEntries(snap.files)).toEqual({
      [PIN]: 'tag: v3\n',
      'README.md': 'hi\n',
      'missing.yaml': null,
    });
    expect(snap.history.map((h) => [h.sha, h.time, h.text])).toEqual([
      [v3, 1_800_000_400, 'tag: v3\n'],
      [v2, 1_800_000_300, 'tag: v2\n'],
      [v1, 1_800_000_100, 'tag: v1\n'],
    ]);
    expect(snap.history[1]?.message).toBe('deploy v2\n\nwith a body\n\nDeployed-By: ci');
  });

  it('accepts a bare repository path as well as a URL', async () => {
    const remote = await initRemote({ files: { [PIN]: 'tag: v1\n' } });
    const store = await open({ target: remote.dir });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 1 });
    expect(snap.files.get(PIN)).toBe('tag: v1\n');
    expect(store.describe()).toBe(`${remote.dir} (branch main)`);
  });

  it('deepens the shallow clone to find changes older than the first fetch', async () => {
    const remote = await initRemote();
    const [v1, , v2, v3] = await pinHistory(remote.seed);
    for (let i = 0; i < 6; i++) await remote.seed.commit(`noise ${i}`, { files: { 'noise.txt': `${i}\n` } });
    await remote.seed.push();
    const store = await open({ target: remote.url, depth: 2 });
    const snap = await store.read({ files: [], historyOf: PIN, limit: 5 });
    expect(snap.history.map((h) => h.sha)).toEqual([v3, v2, v1]);
  });

  it('stops deepening at maxDepth and never reports the shallow boundary as a change', async () => {
    const remote = await initRemote();
    await pinHistory(remote.seed);
    const last = await remote.seed.commit('deploy v4', { files: { [PIN]: 'tag: v4\n' } });
    for (let i = 0; i < 4; i++) await remote.seed.commit(`noise ${i}`, { files: { 'noise.txt': `${i}\n` } });
    await remote.seed.push();
    const store = await open({ target: remote.url, depth: 2, maxDepth: 6 });
    const snap = await store.read({ files: [], historyOf: PIN, limit: 10 });
    // Six commits from the tip end at deploy v3, the shallow boundary: it cannot tell what v3 changed.
    expect(snap.history.map((h) => h.sha)).toEqual([last]);
    // And says so: older changes exist, so v4 is not "the first version ever pinned".
    expect(snap.historyCut).toBe(true);
    const whole = await open({ target: remote.url, depth: 2 });
    expect((await whole.read({ files: [], historyOf: PIN, limit: 10 })).historyCut).toBeUndefined();
  });

  it('sees a head another clone pushed since the last read', async () => {
    const remote = await initRemote({ files: { [PIN]: 'tag: v1\n' } });
    const store = await open({ target: remote.url });
    await store.read({ files: [PIN], historyOf: PIN, limit: 1 });
    const pushed = await remote.seed.commit('deploy v2', { files: { [PIN]: 'tag: v2\n' } });
    await remote.seed.push();
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 1 });
    expect(snap.head).toBe(pushed);
    expect(snap.files.get(PIN)).toBe('tag: v2\n');
  });

  it('commits the exact bytes and pushes them to the remote branch', async () => {
    const remote = await initRemote({ files: { '.gitattributes': '* text=auto\n', [PIN]: 'tag: v2\n' } });
    const store = await open({ target: remote.url });
    const { head } = await store.read({ files: [PIN], historyOf: PIN, limit: 1 });
    const content = 'tag: v1\r\nnote: crlf and no final newline';
    const result = await store.commit(change(head, content));
    if (!result.ok) throw new Error(result.detail);
    expect(await remote.tip()).toBe(result.sha);
    const check = await remote.clone();
    expect(await check.show(result.sha, PIN)).toEqual(Buffer.from(content));
    expect(await check.head(`${result.sha}^`)).toBe(head);
  });

  it('answers stale when another clone pushed in between, and the next read sees the new head', async () => {
    const remote = await initRemote({ files: { [PIN]: 'tag: v2\n' } });
    const store = await open({ target: remote.url });
    const { head } = await store.read({ files: [PIN], historyOf: PIN, limit: 1 });
    const other = await remote.clone();
    const moved = await other.commit('someone else', { files: { 'other.txt': 'x\n' } });
    await other.push();
    const result = await store.commit(change(head, 'tag: v1\n'));
    expect(result).toEqual({ ok: false, reason: 'stale', detail: expect.stringContaining(moved) });
    expect(await remote.tip()).toBe(moved);
    expect((await store.read({ files: [], historyOf: PIN, limit: 1 })).head).toBe(moved);
  });

  it('commits to a new remote branch created from expectedHead', async () => {
    const remote = await initRemote({ files: { [PIN]: 'tag: v2\n' } });
    const store = await open({ target: remote.url });
    const { head } = await store.read({ files: [PIN], historyOf: PIN, limit: 1 });
    const result = await store.commit(change(head, 'tag: v1\n', { branch: 'pinback/rollback-api' }));
    if (!result.ok) throw new Error(result.detail);
    expect(await remote.tip('pinback/rollback-api')).toBe(result.sha);
    expect(await remote.tip('main')).toBe(head);
  });

  it('answers stale when the new remote branch was created by someone else first', async () => {
    const remote = await initRemote({ files: { [PIN]: 'tag: v2\n' } });
    const store = await open({ target: remote.url });
    const { head } = await store.read({ files: [PIN], historyOf: PIN, limit: 1 });
    const other = await remote.clone();
    await other.commit('their proposal', { files: { [PIN]: 'tag: v0\n' } });
    await other.push('pinback/rollback-api');
    const result = await store.commit(change(head, 'tag: v1\n', { branch: 'pinback/rollback-api' }));
    expect(result).toMatchObject({ ok: false, reason: 'stale' });
  });

  it('reads from a blob-less clone with one batch fetch of the needed files and one cat-file', async () => {
    const remote = await initRemote();
    await pinHistory(remote.seed);
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
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 5 });
    expect(snap.history.map((h) => h.text)).toEqual(['tag: v3\n', 'tag: v2\n', 'tag: v1\n']);
    const blobFetches = calls.filter((a) => a.includes('fetch') && a.includes('--stdin'));
    expect(blobFetches).toHaveLength(1);
    expect(calls.filter((a) => a.includes('cat-file'))).toHaveLength(1);
    expect(calls.length).toBeLessThanOrEqual(6);
  });

  it('commits from a blob-less clone without downloading any old file contents', async () => {
    const remote = await initRemote({ files: { [PIN]: 'tag: v2\n', 'big.bin': 'x'.repeat(100_000) } });
    const head = (await remote.tip())!;
    const trace: string[] = [];
    const real = createGit();
    const tracing: Git = {
      run: async (args, o) => {
        const out = await real.run(args, { ...o, env: { ...o?.env, GIT_TRACE: '1' } });
        trace.push(out.stderr);
        return out;
      },
    };
    const store = await open({ target: remote.url, git: tracing });
    const result = await store.commit(change(head, 'tag: v1\n'));
    expect(result.ok).toBe(true);
    // git's lazy fetch of a missing object runs `fetch` with this setting; it must never run.
    expect(trace.join('\n')).not.toContain('fetch.negotiationAlgorithm=noop');
  });

  it('works with a server that does not serve partial clones', async () => {
    const remote = await initRemote({ files: { [PIN]: 'tag: v2\n' } });
    await remote.seed.git(['-C', remote.dir, 'config', 'uploadpack.allowFilter', 'false']);
    const store = await open({ target: remote.url });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 5 });
    expect(snap.files.get(PIN)).toBe('tag: v2\n');
    const result = await store.commit(change(snap.head, 'tag: v1\n'));
    expect(result.ok && (await remote.tip()) === result.sha).toBe(true);
  });

  it('removes its temporary clone on close', async () => {
    const remote = await initRemote();
    const workDir = await tempDir();
    const store = await openGitStore({ target: remote.url, workDir });
    expect(await readdir(workDir)).toHaveLength(1);
    await store.close();
    expect(await readdir(workDir)).toEqual([]);
  });
});

describe('git store races', () => {
  it('lets exactly one of ten concurrent writers on the same head of a remote win', async () => {
    const remote = await initRemote({ files: { [PIN]: 'tag: v2\n' } });
    const head = (await remote.tip())!;
    const stores = await Promise.all(Array.from({ length: 10 }, () => open({ target: remote.url })));
    const results = await Promise.all(stores.map((s, i) => s.commit(change(head, `tag: v1 writer ${i}\n`))));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'stale')).toHaveLength(9);
    expect(await remote.tip()).toBe(winners[0]?.ok ? winners[0].sha : undefined);
  });
  it('lets exactly one of ten concurrent writers on the same head of a local work tree win', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v2\n' } });
    const head = await repo.head();
    const stores = await Promise.all(Array.from({ length: 10 }, () => open({ target: repo.dir })));
    const results = await Promise.all(stores.map((s, i) => s.commit(change(head, `tag: v1 writer ${i}\n`))));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'stale')).toHaveLength(9);
    expect(await repo.head()).toBe(winners[0]?.ok ? winners[0].sha : undefined);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });
});

describe('git store path safety', () => {
  it.each(['../x', '/etc/passwd', 'apps\\api.yaml'])('rejects %j when reading', async (path) => {
    const repo = await initRepo();
    const store = await open({ target: repo.dir });
    await expect(store.read({ files: [path], historyOf: PIN, limit: 1 })).rejects.toThrow(StoreError);
  });

  it.each(['../x', '/etc/passwd'])('rejects %j when committing, and commits nothing', async (path) => {
    const repo = await initRepo();
    const head = await repo.head();
    const store = await open({ target: repo.dir });
    const request = { ...change(head, 'x'), changes: [{ path, content: 'x' }] };
    await expect(store.commit(request)).rejects.toThrow(StoreError);
    expect(await repo.head()).toBe(head);
  });

  it('rejects a file under a committed symbolic link to a directory', async () => {
    const repo = await initRepo({ files: { 'real/pin.yaml': 'tag: v1\n' } });
    await symlink('real', join(repo.dir, 'linked'));
    await repo.commit('add link');
    const store = await open({ target: repo.dir });
    await expect(
      store.read({ files: ['linked/pin.yaml'], historyOf: 'real/pin.yaml', limit: 1 }),
    ).rejects.toThrow(/"linked\/pin.yaml" goes through the symbolic link "linked"/);
  });

  it('rejects a file under a committed symbolic link in a remote', async () => {
    const remote = await initRemote({ files: { 'real/pin.yaml': 'tag: v1\n' } });
    await symlink('real', join(remote.seed.dir, 'linked'));
    const head = await remote.seed.commit('add link');
    await remote.seed.push();
    const store = await open({ target: remote.url });
    const request = { ...change(head, 'x'), changes: [{ path: 'linked/pin.yaml', content: 'x' }] };
    await expect(store.commit(request)).rejects.toThrow(/symbolic link "linked"/);
    expect(await remote.tip()).toBe(head);
  });

  it('rejects writing through a symbolic link that exists only in the work tree', async () => {
    const repo = await initRepo();
    const outside = await tempDir();
    await symlink(outside, join(repo.dir, 'apps'));
    const store = await open({ target: repo.dir });
    await expect(store.commit(change(await repo.head(), 'x'))).rejects.toThrow(/symbolic link "apps"/);
    expect(await readdir(outside)).toEqual([]);
  });

  it('rejects a path that names a directory', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v1\n' } });
    const store = await open({ target: repo.dir });
    await expect(store.read({ files: ['apps/api'], historyOf: PIN, limit: 1 })).rejects.toThrow(
      /is a directory/,
    );
  });
});

describe('git store errors', () => {
  it('names a directory that is not a git repository', async () => {
    const dir = await tempDir();
    await expect(openGitStore({ target: dir })).rejects.toThrow(
      new RegExp(`^"${dir}" is not a git repository \\(git said: .*not a git repository`),
    );
  });

  it('does not mistake a subdirectory of a repository for the repository', async () => {
    const repo = await initRepo({ files: { [PIN]: 'tag: v1\n' } });
    await expect(openGitStore({ target: join(repo.dir, 'apps') })).rejects.toThrow(/is not a git repository/);
  });

  it('names a path that does not exist', async () => {
    await expect(openGitStore({ target: '/nonexistent/pinback/repo' })).rejects.toThrow(
      '"/nonexistent/pinback/repo" is not a git repository (git said: no such directory)',
    );
  });

  it('names an unreachable remote', async () => {
    const dir = await tempDir();
    await expect(openGitStore({ target: `file://${dir}/none.git`, workDir: dir })).rejects.toThrow(
      /is not a git repository \(git said: .*(does not appear to be a git repository|Could not read from remote)/,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('names a missing branch and the branches there are, locally and remotely', async () => {
    const repo = await initRepo();
    await expect(openGitStore({ target: repo.dir, branch: 'prod' })).rejects.toThrow(
      /branch "prod" does not exist in .* \(branches: main\)/,
    );
    const remote = await initRemote();
    await expect(
      openGitStore({ target: remote.url, branch: 'prod', workDir: await tempDir() }),
    ).rejects.toThrow(/branch "prod" does not exist in file:.* \(branches: main\)/);
  });

  it('rejects an invalid branch name', async () => {
    const repo = await initRepo();
    await expect(openGitStore({ target: repo.dir, branch: 'a..b' })).rejects.toThrow(
      '"a..b" is not a valid branch name',
    );
  });

  it('keeps a password in a remote URL out of its messages', async () => {
    const dir = await tempDir();
    const error = await openGitStore({ target: `file://user:s3cret@/${dir}/none.git`, workDir: dir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).not.toContain('s3cret');
  });
});
