import { lstat, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createGit, type Git, type GitOutput, type GitRunOptions } from './git-command.js';
import { leadingDirectories, safeRepoPath } from './paths.js';
import {
  type CommitRequest,
  type CommitResult,
  type GitOpsStore,
  type HistoryEntry,
  type Snapshot,
  StoreError,
} from './store.js';

export interface GitStoreOptions {
  /** A local path (a work tree or a bare repository) or any git remote URL (file://, https://, ssh). */
  target: string;
  /** Default: the current branch of a local work tree, else the remote's default branch. */
  branch?: string;
  /** Parent directory for temporary clones and scratch files; os.tmpdir() by default. */
  workDir?: string;
  /** Remotes only: commits fetched at first (a shallow clone), default 50; deepened on demand. */
  depth?: number;
  /**
   * Remotes only: the history walk deepens the shallow clone (doubling) until it finds `limit`
   * changes of the file, up to this many commits of the branch (default 10,000). Older changes are
   * not seen: the cost of a read stays bounded on a repository with a very long history.
   */
  maxDepth?: number;
  /** The git runner; the real git CLI by default. */
  git?: Git;
  /** Told about problems that do not fail the operation (a work tree that could not be refreshed). */
  onWarning?: (message: string) => void;
}

const DEFAULT_DEPTH = 50;
const DEFAULT_MAX_DEPTH = 10_000;
const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Settings that make every command byte-exact and machine-readable whatever the user's config says:
 * no end-of-line conversion, no signature or rename-following noise in logs, no colour, raw paths.
 */
const FIXED_CONFIG = [
  'core.autocrlf=false',
  'core.eol=lf',
  'core.safecrlf=false',
  'core.quotePath=false',
  'core.splitIndex=false',
  'log.showSignature=false',
  'log.follow=false',
  'log.showRoot=true',
  'i18n.logOutputEncoding=UTF-8',
  'color.ui=false',
  'diff.noprefix=false',
].flatMap((kv) => ['-c', kv]);

type Entry = { mode: string; type: string; oid: string };
type PathState =
  { kind: 'file'; mode: string; oid: string } | { kind: 'missing' } | { kind: 'blocked'; by: string };

/**
 * Opens a GitOps store on a git repository through the git CLI.
 *
 * - A local work tree is read and committed in place: the commit is built with plumbing on top of
 *   `expectedHead` and lands with `git update-ref` compare-and-swap; when the branch is checked
 *   out, the changed files (which must have no uncommitted changes) are updated in the index and
 *   work tree too.
 * - A remote URL or a bare repository is cloned shallow (`depth`) and blob-less into a temporary
 *   directory; blobs are fetched in one batch when read; a commit is pushed with
 *   `--force-with-lease=BRANCH:expectedHead`, so a branch that moved answers `stale`.
 */
export async function openGitStore(opts: GitStoreOptions): Promise<GitOpsStore> {
  const git = opts.git ?? createGit();
  const workDir = resolve(opts.workDir ?? tmpdir());
  if (opts.branch !== undefined) await checkBranchName(git, opts.branch);
  if (isRemoteUrl(opts.target)) return openRemote(git, opts, opts.target, workDir);

  const path = resolve(opts.target);
  const exists = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) throw notARepository(opts.target, 'no such directory');
  // The ceiling keeps git from finding an enclosing repository: the target itself must be one.
  const probe = await git.run(['rev-parse', '--is-bare-repository'], {
    cwd: path,
    env: { GIT_CEILING_DIRECTORIES: dirname(path) },
  });
  if (probe.exitCode !== 0) throw notARepository(opts.target, probe.stderr);
  if (probe.stdout.toString().trim() === 'true') return openRemote(git, opts, path, workDir);

  const top = await git.run(['rev-parse', '--show-toplevel', '--path-format=absolute', '--git-common-dir'], {
    cwd: path,
  });
  if (top.exitCode !== 0) throw notARepository(opts.target, top.stderr);
  const [root = path, commonDir = join(path, '.git')] = top.stdout.toString().trim().split('\n');
  if ((await realpath(root)) !== (await realpath(path))) {
    throw notARepository(opts.target, `it is inside the repository at ${root}; point at that directory`);
  }
  const run = (args: readonly string[], o?: GitRunOptions) =>
    git.run([...FIXED_CONFIG, ...args], { cwd: root, ...o });
  let branch = opts.branch;
  if (branch === undefined) {
    const head = await run(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    if (head.exitCode !== 0) {
      throw new StoreError(`${root} has a detached HEAD: name the branch to use (gitops.branch or --branch)`);
    }
    branch = head.stdout.toString().trim();
  }
  if ((await resolveRef(run, `refs/heads/${branch}`)) === undefined) {
    const list = await run(['for-each-ref', '--count=20', '--format=%(refname:short)', 'refs/heads']);
    throw missingBranch(branch, root, list.stdout.toString().split('\n'));
  }
  return new GitStore({
    git,
    run,
    kind: 'local',
    root,
    gitDir: commonDir,
    shown: path,
    branch,
    workDir,
    opts,
  });
}

async function openRemote(
  git: Git,
  opts: GitStoreOptions,
  url: string,
  workDir: string,
): Promise<GitOpsStore> {
  const shown = redact(opts.target);
  await mkdir(workDir, { recursive: true });
  const temp = await mkdtemp(join(workDir, 'pinback-git-'));
  try {
    const plain = (args: readonly string[]) => git.run([...FIXED_CONFIG, ...args], { cwd: temp });
    const wanted = opts.branch === undefined ? [] : [`refs/heads/${opts.branch}`];
    const ls = await plain(['ls-remote', '--symref', '--', url, 'HEAD', ...wanted]);
    if (ls.exitCode !== 0) throw notARepository(opts.target, ls.stderr);
    const lines = ls.stdout.toString().split('\n');
    let branch = opts.branch;
    if (branch === undefined) {
      const symref = lines.find((l) => l.startsWith('ref: ') && l.endsWith('\tHEAD'));
      if (!symref) {
        throw new StoreError(
          `${shown} has no default branch (is it empty?): push a first commit or name the branch (gitops.branch or --branch)`,
        );
      }
      branch = symref.slice('ref: refs/heads/'.length, -'\tHEAD'.length);
    }
    if (opts.branch !== undefined && !lines.some((l) => l.endsWith(`\trefs/heads/${branch}`))) {
      const heads = await plain(['ls-remote', '--heads', '--', url]);
      const names = heads.stdout
        .toString()
        .split('\n')
        .map((l) => l.split('\trefs/heads/')[1] ?? '');
      throw missingBranch(branch, shown, names);
    }
    const repo = join(temp, 'repo.git');
    const depth = positive(opts.depth, DEFAULT_DEPTH, 'depth');
    const clone = await plain([
      'clone',
      '--bare',
      '--no-local',
      '--no-tags',
      '--quiet',
      '--filter=blob:none',
      `--depth=${depth}`,
      '--single-branch',
      '--branch',
      branch,
      '--config',
      'gc.auto=0',
      '--config',
      'maintenance.auto=false',
      '--',
      url,
      repo,
    ]);
    if (clone.exitCode !== 0) throw notARepository(opts.target, clone.stderr);
    const run = (args: readonly string[], o?: GitRunOptions) =>
      git.run([...FIXED_CONFIG, ...args], { cwd: repo, ...o });
    const promisor = await run(['config', '--get', 'remote.origin.promisor']);
    return new GitStore({
      git,
      run,
      kind: 'remote',
      root: repo,
      gitDir: repo,
      shown,
      branch,
      workDir,
      opts,
      temp,
      partial: promisor.stdout.toString().trim() === 'true',
      depth,
    });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

type Run = (args: readonly string[], options?: GitRunOptions) => Promise<GitOutput>;

interface StoreInit {
  git: Git;
  run: Run;
  kind: 'local' | 'remote';
  /** The work tree (local) or the temporary bare clone (remote): every command's cwd. */
  root: string;
  gitDir: string;
  shown: string;
  branch: string;
  workDir: string;
  opts: GitStoreOptions;
  temp?: string;
  partial?: boolean;
  depth?: number;
}

class GitStore implements GitOpsStore {
  private readonly run: Run;
  private readonly branch: string;
  private readonly maxDepth: number;
  private depth: number;
  private queue: Promise<unknown> = Promise.resolve();
  /** Blobs known to be in a blob-less clone (fetched or written here), so reads fetch only the rest. */
  private readonly present = new Set<string>();
  private warnedShallow = false;
  private closed = false;

  constructor(private readonly s: StoreInit) {
    this.run = s.run;
    this.branch = s.branch;
    this.depth = s.depth ?? DEFAULT_DEPTH;
    this.maxDepth = positive(s.opts.maxDepth, DEFAULT_MAX_DEPTH, 'maxDepth');
  }

  describe(): string {
    return `${this.s.shown} (branch ${this.branch})`;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => {});
    if (this.s.temp) await rm(this.s.temp, { recursive: true, force: true });
  }

  read(request: { files: string[]; historyOf: string; limit: number }): Promise<Snapshot> {
    return this.exclusive(() => this.readNow(request));
  }

  commit(request: CommitRequest): Promise<CommitResult> {
    return this.exclusive(() => this.commitNow(request));
  }

  /** One operation at a time per store: a clone's refs, shallow file and index are shared state. */
  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError(`${this.describe()}: the store is closed`));
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => {});
    return next;
  }

  // ---- read -------------------------------------------------------------------------------------

  private async readNow(request: { files: string[]; historyOf: string; limit: number }): Promise<Snapshot> {
    const files = request.files.map((f) => ({ key: f, path: safeRepoPath(f) }));
    const historyOf = safeRepoPath(request.historyOf);
    const limit = request.limit;
    if (!Number.isInteger(limit) || limit < 0)
      throw new StoreError(`history limit must be a whole number, got ${limit}`);

    const head =
      this.s.kind === 'remote' ? await this.fetchBranch(this.branch) : await this.localTip(this.branch);
    if (head === undefined)
      throw new StoreError(`branch "${this.branch}" no longer exists in ${this.s.shown}`);

    const states = await this.pathStates(head, [...files.map((f) => f.path), historyOf]);
    const history = limit === 0 ? [] : await this.history(head, historyOf, limit);

    const wanted = new Set<string>();
    for (const f of files) {
      const st = states.get(f.path);
      if (st?.kind === 'file') wanted.add(st.oid);
    }
    for (const h of history) if (h.oid) wanted.add(h.oid);
    const blobs = await this.blobs([...wanted]);

    const text = (oid: string | undefined): string | null => {
      if (oid === undefined) return null;
      const b = blobs.get(oid);
      if (!b)
        throw new StoreError(`${this.describe()}: could not read object ${oid} (is the remote reachable?)`);
      return b.toString('utf8');
    };
    const out = new Map<string, string | null>();
    for (const f of files) {
      const st = states.get(f.path);
      out.set(f.key, text(st?.kind === 'file' ? st.oid : undefined));
    }
    return {
      head,
      files: out,
      history: history.map((h) => ({ sha: h.sha, time: h.time, message: h.message, text: text(h.oid) })),
    };
  }

  /** Commits that changed `path` from `head`, newest first; deepens a shallow clone when it must. */
  private async history(
    head: string,
    path: string,
    limit: number,
  ): Promise<(Omit<HistoryEntry, 'text'> & { oid?: string })[]> {
    for (;;) {
      const entries = await this.log(head, path, limit);
      const boundary = await this.shallowCommits();
      if (boundary.size === 0) return entries;
      const hitsBoundary = entries.some((e) => boundary.has(e.sha)) || entries.length < limit;
      // A shallow boundary commit looks like a root commit that adds every file: never report it.
      const trusted = entries.filter((e) => !boundary.has(e.sha));
      if (!hitsBoundary) return trusted;
      if (this.s.kind === 'local' || this.depth >= this.maxDepth) {
        if (this.s.kind === 'local' && !this.warnedShallow) {
          this.warnedShallow = true;
          this.warn(
            `${this.s.shown} is a shallow clone: the history of ${path} may be incomplete (fetch the full history, e.g. actions/checkout with fetch-depth: 0)`,
          );
        }
        return trusted;
      }
      const by = Math.min(this.depth, this.maxDepth - this.depth);
      await this.must(
        [
          'fetch',
          '--quiet',
          '--no-tags',
          '--no-write-fetch-head',
          `--deepen=${by}`,
          'origin',
          `refs/heads/${this.branch}`,
        ],
        'deepening the history',
      );
      this.depth += by;
    }
  }

  private async log(head: string, path: string, limit: number) {
    const out = await this.must(
      [
        '--literal-pathspecs',
        'log',
        '-z',
        `-n${limit}`,
        '--format=%H %ct%n%B',
        '--raw',
        '--no-abbrev',
        '--no-renames',
        '--no-relative',
        '--diff-merges=first-parent',
        head,
        '--',
        path,
      ],
      `reading the history of ${path}`,
    );
    const entries: (Omit<HistoryEntry, 'text'> & { oid?: string })[] = [];
    const tokens = out.toString('utf8').split('\0');
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] ?? '';
      if (token === '') continue;
      const raw = /^\n?:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/.exec(token);
      if (raw) {
        const rawPath = tokens[++i];
        const current = entries[entries.length - 1];
        const [, , newMode, , newOid, status] = raw;
        if (current && rawPath === path && status !== 'D' && /^100(644|755)$/.test(newMode ?? '') && newOid) {
          current.oid = newOid;
        }
        continue;
      }
      const nl = token.indexOf('\n');
      const [sha = '', time = '0'] = (nl < 0 ? token : token.slice(0, nl)).split(' ');
      const message = nl < 0 ? '' : token.slice(nl + 1).replace(/\n+$/, '');
      entries.push({ sha, time: Number(time), message });
    }
    return entries;
  }

  private async shallowCommits(): Promise<Set<string>> {
    const text = await readFile(join(this.s.gitDir, 'shallow'), 'utf8').catch(() => '');
    return new Set(text.split('\n').filter((l) => l !== ''));
  }

  /**
   * The state of each path at `commit`, from one `ls-tree` over the paths and their leading
   * directories. A symbolic link, a submodule or a directory on the way is a StoreError.
   */
  private async pathStates(commit: string, paths: string[]): Promise<Map<string, PathState>> {
    const all = new Set<string>();
    for (const p of paths) {
      for (const d of leadingDirectories(p)) all.add(d);
      all.add(p);
    }
    const out = await this.must(
      ['ls-tree', '-z', '-t', '--full-tree', commit, '--', ...all],
      'listing files',
    );
    const entries = new Map<string, Entry>();
    for (const rec of out.toString('utf8').split('\0')) {
      const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(rec);
      if (m) entries.set(m[4] ?? '', { mode: m[1] ?? '', type: m[2] ?? '', oid: m[3] ?? '' });
    }
    const states = new Map<string, PathState>();
    for (const p of paths) {
      let state: PathState | undefined;
      for (const d of leadingDirectories(p)) {
        const e = entries.get(d);
        if (!e || e.type === 'tree') continue;
        this.rejectSpecial(p, d, e);
        state = { kind: 'blocked', by: d };
        break;
      }
      if (!state) {
        const e = entries.get(p);
        if (!e) state = { kind: 'missing' };
        else {
          this.rejectSpecial(p, p, e);
          if (e.type === 'tree') {
            throw new StoreError(
              `"${p}" is a directory in ${this.describe()}, not a file: point the policy at a file inside it`,
            );
          }
          state = { kind: 'file', mode: e.mode, oid: e.oid };
        }
      }
      states.set(p, state);
    }
    return states;
  }

  private rejectSpecial(path: string, at: string, e: Entry): void {
    if (e.mode === '120000') throw symlinkError(path, at, this.describe());
    if (e.type === 'commit') {
      throw new StoreError(
        `"${path}" is inside the submodule "${at}" in ${this.describe()}: pinback edits files of this repository only; point it at the submodule's own repository`,
      );
    }
  }

  /** Blob contents by oid, through one `cat-file --batch` (after one batch fetch of the missing ones). */
  private async blobs(oids: string[]): Promise<Map<string, Buffer>> {
    const result = new Map<string, Buffer>();
    if (oids.length === 0) return result;
    if (this.s.kind === 'remote' && this.s.partial) {
      const missing = oids.filter((o) => !this.present.has(o));
      if (missing.length > 0) {
        // What git's own lazy fetch runs, for all objects at once instead of one round trip each.
        await this.must(
          [
            '-c',
            'fetch.negotiationAlgorithm=noop',
            'fetch',
            '--quiet',
            'origin',
            '--no-tags',
            '--no-write-fetch-head',
            '--recurse-submodules=no',
            '--filter=blob:none',
            '--stdin',
          ],
          'fetching file contents',
          { input: `${missing.join('\n')}\n` },
        );
        for (const o of missing) this.present.add(o);
      }
    }
    const out = await this.must(['cat-file', '--batch'], 'reading files', { input: `${oids.join('\n')}\n` });
    let at = 0;
    while (at < out.length) {
      const nl = out.indexOf(10, at);
      if (nl < 0) break;
      const header = out.subarray(at, nl).toString('utf8');
      at = nl + 1;
      const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
      if (!m) continue; // "<oid> missing": reported by the caller
      const size = Number(m[3]);
      result.set(m[1] ?? '', out.subarray(at, at + size));
      at += size + 1;
    }
    return result;
  }

  // ---- commit -----------------------------------------------------------------------------------

  private async commitNow(req: CommitRequest): Promise<CommitResult> {
    const expected = req.expectedHead;
    if (!OID.test(expected))
      throw new StoreError(`expected head ${JSON.stringify(expected)} is not a commit id`);
    if (req.changes.length === 0) throw new StoreError('a commit needs at least one file change');
    const target = req.branch ?? this.branch;
    if (req.branch !== undefined) await checkBranchName(this.s.git, req.branch);
    const changes = req.changes.map((c) => ({
      path: safeRepoPath(c.path),
      bytes: Buffer.from(c.content, 'utf8'),
    }));
    const seen = new Set<string>();
    for (const c of changes) {
      if (seen.has(c.path)) throw new StoreError(`"${c.path}" is changed twice in one commit`);
      seen.add(c.path);
    }

    // The head the change was decided on must be here to build on it.
    if (!(await this.hasCommit(expected))) {
      const tip = this.s.kind === 'remote' ? await this.fetchBranch(this.branch) : undefined;
      if (!(await this.hasCommit(expected))) {
        return stale(
          `${expected} is not a commit of ${this.describe()}${tip ? `; the branch is at ${tip}` : ''}`,
        );
      }
    }

    let lease: string | undefined = expected; // what the target branch must point at; undefined: must not exist
    if (this.s.kind === 'local') {
      const tip = await this.localTip(target);
      if (tip === undefined && target === this.branch) {
        throw new StoreError(`branch "${target}" no longer exists in ${this.s.shown}`);
      }
      if (tip === undefined) lease = undefined;
      else if (tip !== expected) return stale(`branch ${target} is at ${tip}, not ${expected}`);
    } else if (target !== this.branch) {
      lease = (await this.remoteTip(target)) === undefined ? undefined : expected;
    }

    const states = await this.pathStates(
      expected,
      changes.map((c) => c.path),
    );
    for (const c of changes) {
      const st = states.get(c.path);
      if (st?.kind === 'blocked') {
        throw new StoreError(
          `cannot write "${c.path}" in ${this.describe()}: "${st.by}" is a file, not a directory`,
        );
      }
    }
    const checkedOut = this.s.kind === 'local' && (await this.checkedOutBranch()) === target;
    if (this.s.kind === 'local') {
      for (const c of changes) await this.rejectWorkTreeSymlinks(c.path);
      const dirty = checkedOut ? await this.dirtyPaths(changes.map((c) => c.path)) : [];
      if (dirty.length > 0) {
        // Another writer that just won refreshes these very files: that is a stale head, not an edit.
        const tip = await this.localTip(target);
        if (tip !== lease) return stale(`branch ${target} moved to ${tip ?? '(deleted)'}, not ${expected}`);
        throw new StoreError(
          `${dirty.map((d) => `"${d}"`).join(', ')} in ${this.s.root} has uncommitted changes: commit or stash them, then run again`,
        );
      }
    }

    const scratch = await mkdtemp(join(this.s.temp ?? (await this.ensureWorkDir()), 'pinback-commit-'));
    let sha: string;
    let entries: { path: string; mode: string; oid: string }[];
    try {
      // Blobs from the exact bytes: --no-filters bypasses .gitattributes and eol conversion.
      const files = await Promise.all(
        changes.map(async (c, i) => {
          const file = join(scratch, `blob-${i}`);
          await writeFile(file, c.bytes);
          return file;
        }),
      );
      const hashed = (
        await this.must(['hash-object', '-w', '--no-filters', '--stdin-paths'], 'storing file contents', {
          input: `${files.join('\n')}\n`,
        })
      )
        .toString()
        .trim()
        .split('\n');
      entries = changes.map((c, i) => {
        const st = states.get(c.path);
        return { path: c.path, mode: st?.kind === 'file' ? st.mode : '100644', oid: hashed[i] ?? '' };
      });
      for (const e of entries) this.present.add(e.oid);

      // The tree: expectedHead's, with the changed entries, built in a private index.
      const index = { GIT_INDEX_FILE: join(scratch, 'index') };
      await this.must(['read-tree', expected], 'building the commit', { env: index });
      await this.must(['update-index', '-z', '--add', '--index-info'], 'building the commit', {
        env: index,
        input: indexInfo(entries),
      });
      // --missing-ok: a blob-less clone lacks the unchanged blobs, and they need not be fetched.
      const tree = (await this.must(['write-tree', '--missing-ok'], 'building the commit', { env: index }))
        .toString()
        .trim();
      const who = {
        GIT_AUTHOR_NAME: req.author.name,
        GIT_AUTHOR_EMAIL: req.author.email,
        GIT_COMMITTER_NAME: req.author.name,
        GIT_COMMITTER_EMAIL: req.author.email,
      };
      sha = (
        await this.must(
          ['commit-tree', '--no-gpg-sign', tree, '-p', expected, '-F', '-'],
          'creating the commit',
          {
            env: who,
            input: req.message,
          },
        )
      )
        .toString()
        .trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }

    if (this.s.kind === 'remote') return this.push(sha, target, lease);
    const moved = await this.updateRef(sha, target, lease);
    if (moved) return moved;
    if (checkedOut) await this.refreshWorkTree(entries);
    return { ok: true, sha };
  }

  /** Local: the branch moves from `lease` to `sha` atomically, or the result says it moved. */
  private async updateRef(
    sha: string,
    target: string,
    lease: string | undefined,
  ): Promise<CommitResult | undefined> {
    for (let attempt = 1; ; attempt++) {
      const out = await this.run(['update-ref', '-m', 'pinback', `refs/heads/${target}`, sha, lease ?? '']);
      if (out.exitCode === 0) return undefined;
      const tip = await this.localTip(target);
      if (tip !== lease) {
        return stale(
          lease === undefined
            ? `branch ${target} was created meanwhile (at ${tip})`
            : `branch ${target} moved to ${tip ?? '(deleted)'}, not ${lease}`,
        );
      }
      if (attempt >= 5 || !/\.lock|unable to (create|lock)/i.test(out.stderr)) {
        throw new StoreError(
          `${this.describe()}: could not update branch ${target} (git said: ${said(out.stderr)})`,
        );
      }
      await sleep(50 * attempt);
    }
  }

  /** Remote: push with a lease on the branch; a branch that moved answers stale (after a fetch). */
  private async push(sha: string, target: string, lease: string | undefined): Promise<CommitResult> {
    for (let attempt = 1; ; attempt++) {
      const out = await this.run([
        'push',
        '--porcelain',
        '--no-verify',
        '--no-thin', // a thin pack would fetch old blobs of a blob-less clone as delta bases
        `--force-with-lease=refs/heads/${target}:${lease ?? ''}`,
        'origin',
        `${sha}:refs/heads/${target}`,
      ]);
      if (out.exitCode === 0) {
        if (target === this.branch) await this.run(['update-ref', `refs/heads/${target}`, sha]);
        // Racing writers can build the byte-identical commit (same tree, parent, message and
        // second); the push of the second is "up to date", and the commit is not its own.
        if (/^=\t/m.test(out.stdout.toString()))
          return stale(`branch ${target} already holds ${sha}, written by another run`);
        return { ok: true, sha };
      }
      // Fetch, so the caller's next read sees the head that won.
      const tip = target === this.branch ? await this.fetchBranch(target) : await this.remoteTip(target);
      if (tip !== lease) {
        return stale(
          lease === undefined
            ? `branch ${target} was created meanwhile (at ${tip})`
            : `branch ${target} moved to ${tip ?? '(deleted)'}, not ${lease}`,
        );
      }
      const detail = said(`${out.stdout.toString()}\n${out.stderr}`);
      if (attempt >= 3 || !/lock|failed to update ref/i.test(detail)) {
        throw new StoreError(`pushing to ${this.describe()} failed (git said: ${detail})`);
      }
      await sleep(100 * attempt);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Remote: brings the branch up to date in the clone; its tip, or undefined when it is gone. */
  private async fetchBranch(branch: string): Promise<string | undefined> {
    const out = await this.run([
      'fetch',
      '--quiet',
      '--no-tags',
      'origin',
      `+refs/heads/${branch}:refs/heads/${branch}`,
    ]);
    if (out.exitCode !== 0) {
      if (/couldn't find remote ref/i.test(out.stderr)) return undefined;
      throw new StoreError(`fetching ${this.describe()} failed (git said: ${said(out.stderr)})`);
    }
    return this.localTip(branch);
  }

  private async remoteTip(branch: string): Promise<string | undefined> {
    const out = await this.must(
      ['ls-remote', 'origin', `refs/heads/${branch}`],
      `asking for branch ${branch}`,
    );
    const line = out
      .toString()
      .split('\n')
      .find((l) => l.endsWith(`\trefs/heads/${branch}`));
    return line?.split('\t')[0];
  }

  private localTip(branch: string): Promise<string | undefined> {
    return resolveRef(this.run, `refs/heads/${branch}`);
  }

  private async hasCommit(oid: string): Promise<boolean> {
    return (await this.run(['cat-file', '-e', `${oid}^{commit}`])).exitCode === 0;
  }

  private async checkedOutBranch(): Promise<string | undefined> {
    const out = await this.run(['symbolic-ref', '--quiet', 'HEAD']);
    const ref = out.stdout.toString().trim();
    return out.exitCode === 0 && ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  }

  private async rejectWorkTreeSymlinks(path: string): Promise<void> {
    for (const p of [...leadingDirectories(path), path]) {
      const st = await lstat(join(this.s.root, p)).catch(() => undefined);
      if (!st) return;
      if (st.isSymbolicLink()) throw symlinkError(path, p, this.describe());
    }
  }

  /** Paths among `paths` with staged, unstaged or untracked changes in the work tree. */
  private async dirtyPaths(paths: string[]): Promise<string[]> {
    const out = await this.must(
      ['--literal-pathspecs', 'status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths],
      'checking the work tree',
    );
    return out
      .toString('utf8')
      .split('\0')
      .filter((r) => r.length > 3)
      .map((r) => r.slice(3));
  }

  /** The branch is checked out here: bring the changed files' index entries and work tree along. */
  private async refreshWorkTree(entries: { path: string; mode: string; oid: string }[]): Promise<void> {
    const index = await this.run(['update-index', '-z', '--add', '--index-info'], {
      input: indexInfo(entries),
    });
    const files =
      index.exitCode === 0
        ? await this.run(['checkout-index', '-f', '-u', '-z', '--stdin'], {
            input: entries.map((e) => `${e.path}\0`).join(''),
          })
        : index;
    if (files.exitCode !== 0) {
      this.warn(
        `committed, but the work tree of ${this.s.root} was not updated (git said: ${said(files.stderr)}); run "git checkout -- ${entries.map((e) => e.path).join(' ')}" there`,
      );
    }
  }

  private async ensureWorkDir(): Promise<string> {
    await mkdir(this.s.workDir, { recursive: true });
    return this.s.workDir;
  }

  private async must(args: readonly string[], doing: string, options?: GitRunOptions): Promise<Buffer> {
    const out = await this.run(args, options);
    if (out.exitCode !== 0) {
      throw new StoreError(`${doing} in ${this.describe()} failed (git said: ${said(out.stderr)})`);
    }
    return out.stdout;
  }

  private warn(message: string): void {
    this.s.opts.onWarning?.(message);
  }
}

function indexInfo(entries: { path: string; mode: string; oid: string }[]): string {
  return entries.map((e) => `${e.mode} ${e.oid}\t${e.path}\0`).join('');
}

async function resolveRef(run: Run, ref: string): Promise<string | undefined> {
  const out = await run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return out.exitCode === 0 ? out.stdout.toString().trim() : undefined;
}

async function checkBranchName(git: Git, branch: string): Promise<void> {
  const ok =
    branch !== '' &&
    !branch.startsWith('-') &&
    (await git.run(['check-ref-format', `refs/heads/${branch}`])).exitCode === 0;
  if (!ok) throw new StoreError(`${JSON.stringify(branch)} is not a valid branch name`);
}

/** `scheme://...` or scp-like `[user@]host:path` (a colon before any slash; `C:` is a drive). */
export function isRemoteUrl(target: string): boolean {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target)) return true;
  const colon = target.indexOf(':');
  const slash = target.indexOf('/');
  return colon > 1 && (slash < 0 || colon < slash);
}

/** A URL for messages: any password or token in it replaced. */
function redact(target: string): string {
  return target.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@]*@/, '$1***@');
}

function said(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'Done' && !l.startsWith('To '));
  return redactAll(lines.slice(-3).join('; ') || 'no message');
}

function redactAll(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s]*@/g, '$1***@');
}

function notARepository(target: string, why: string): StoreError {
  return new StoreError(`"${redact(target)}" is not a git repository (git said: ${said(why)})`);
}

function missingBranch(branch: string, where: string, names: string[]): StoreError {
  const known = names.filter((n) => n !== '');
  return new StoreError(
    `branch "${branch}" does not exist in ${where}${known.length ? ` (branches: ${known.slice(0, 20).join(', ')})` : ''}: create it or name another branch (gitops.branch or --branch)`,
  );
}

function symlinkError(path: string, at: string, where: string): StoreError {
  const what = at === path ? 'is a symbolic link' : `goes through the symbolic link "${at}"`;
  return new StoreError(
    `"${path}" ${what} in ${where}: pinback writes only regular files inside the repository; point the policy at the link's target instead`,
  );
}

function stale(detail: string): CommitResult {
  return { ok: false, reason: 'stale', detail };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new StoreError(`${name} must be a whole number of commits >= 1`);
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
