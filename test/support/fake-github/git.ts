import { type ChildProcessByStdio, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * The fake's view of one bare repository: every read and write goes through real git commands
 * (execFile with argument arrays, never a shell), isolated from the machine's git config.
 */

export const ZERO_OID = '0'.repeat(40);

const ENV: Record<string, string> = {
  LC_ALL: 'C',
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

const BASE_ARGS = [
  '-c',
  'core.autocrlf=false',
  '-c',
  'core.quotePath=false',
  '-c',
  'log.showSignature=false',
];

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} exited ${code}: ${stderr.trim()}`);
  }
}

export interface Person {
  name: string;
  email: string;
  /** Unix seconds. */
  time: number;
  /** Time zone offset as git writes it, e.g. +0100. */
  tz: string;
}

export interface CommitInfo {
  oid: string;
  tree: string;
  parents: string[];
  author: Person;
  committer: Person;
  /** The raw message, exactly as stored (usually ending with a newline). */
  rawMessage: string;
  /** True when the commit object carries a gpgsig header. */
  signed: boolean;
}

export interface GitObject {
  oid: string;
  type: 'blob' | 'tree' | 'commit' | 'tag';
  size: number;
  content: Buffer;
}

export interface TreeChange {
  path: string;
  /** null deletes the path. */
  blob: { oid: string; mode: string } | null;
}

/** Runs git against a bare repository. Rejects on a non-zero exit unless `ok` lists the code. */
export function runGit(
  gitDir: string,
  args: string[],
  opts: { env?: Record<string, string>; input?: string | Buffer; ok?: number[] } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [`--git-dir=${gitDir}`, ...BASE_ARGS, ...args],
      {
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, ...ENV, ...opts.env },
      },
      (error, stdout, stderrBuf) => {
        const stderr = stderrBuf.toString('utf8');
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (code === 0 || opts.ok?.includes(code)) resolve({ stdout, stderr, code });
        else reject(new GitCommandError(args, code, stderr || (error?.message ?? '')));
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  });
}

/** A git ref name component check, strict enough that no name can be read as an option or a revision expression. */
export function isValidRefName(ref: string): boolean {
  if (!ref.startsWith('refs/') || ref.endsWith('/') || ref.endsWith('.lock') || ref.endsWith('.'))
    return false;
  if ([...ref].some((ch) => ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f)) return false;
  if (/[~^:?*[\\]/.test(ref) || ref.includes('..') || ref.includes('@{') || ref.includes('//')) return false;
  return ref.split('/').every((part) => part.length > 0 && !part.startsWith('.'));
}

/** A repository path check, as GitHub refuses to write outside the tree or into .git. */
export function isValidTreePath(path: string): boolean {
  if (path.length === 0 || path.startsWith('/') || path.endsWith('/') || path.includes('\0')) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && part !== '.git');
}

function parsePerson(line: string): Person {
  const m = /^(.*) <(.*)> (-?\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return { name: line, email: '', time: 0, tz: '+0000' };
  return { name: m[1]!, email: m[2]!, time: Number(m[3]), tz: m[4]! };
}

export function parseCommit(oid: string, content: Buffer): CommitInfo {
  const text = content.toString('utf8');
  const split = text.indexOf('\n\n');
  const head = split === -1 ? text : text.slice(0, split);
  const rawMessage = split === -1 ? '' : text.slice(split + 2);
  const info: CommitInfo = {
    oid,
    tree: '',
    parents: [],
    author: parsePerson(''),
    committer: parsePerson(''),
    rawMessage,
    signed: false,
  };
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) continue; // continuation of a multi-line header (gpgsig)
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'tree') info.tree = value;
    else if (key === 'parent') info.parents.push(value);
    else if (key === 'author') info.author = parsePerson(value);
    else if (key === 'committer') info.committer = parsePerson(value);
    else if (key === 'gpgsig' || key === 'gpgsig-sha256') info.signed = true;
  }
  return info;
}

interface Pending {
  resolve: (o: GitObject | null) => void;
  reject: (e: Error) => void;
}

/** One long-lived `git cat-file --batch` per repository: object reads without a process each. */
class CatFileBatch {
  private proc: ChildProcessByStdio<Writable, Readable, null> | undefined;
  private pending: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly gitDir: string) {}

  read(spec: string): Promise<GitObject | null> {
    if (spec.includes('\n')) return this.readSlow(spec);
    const proc = this.start();
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      proc.stdin.write(`${spec}\n`);
    });
  }

  close(): void {
    const proc = this.proc;
    this.proc = undefined;
    if (proc) {
      proc.stdin.end();
      proc.kill();
    }
    this.fail(new Error('cat-file closed'));
  }

  private start(): ChildProcessByStdio<Writable, Readable, null> {
    if (this.proc) return this.proc;
    const proc = spawn('git', [`--git-dir=${this.gitDir}`, ...BASE_ARGS, 'cat-file', '--batch'], {
      env: { ...process.env, ...ENV },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.proc = proc;
    this.buf = Buffer.alloc(0);
    proc.stdin.on('error', () => {});
    proc.stdout.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.drain();
    });
    proc.on('exit', () => {
      if (this.proc === proc) this.proc = undefined;
      this.fail(new Error('git cat-file --batch exited'));
    });
    proc.on('error', (e) => this.fail(e));
    return proc;
  }

  private fail(e: Error): void {
    for (const p of this.pending.splice(0)) p.reject(e);
  }

  private drain(): void {
    for (;;) {
      const next = this.pending[0];
      if (!next) return;
      const nl = this.buf.indexOf(10);
      if (nl === -1) return;
      const header = this.buf.subarray(0, nl).toString('utf8');
      if (/ (missing|ambiguous)$/.test(header)) {
        this.buf = this.buf.subarray(nl + 1);
        this.pending.shift();
        next.resolve(null);
        continue;
      }
      const [oid, type, sizeText] = header.split(' ');
      const size = Number(sizeText);
      if (this.buf.length < nl + 1 + size + 1) return;
      const content = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.pending.shift();
      next.resolve({ oid: oid!, type: type as GitObject['type'], size, content });
    }
  }

  private async readSlow(spec: string): Promise<GitObject | null> {
    const r = await runGit(this.gitDir, ['rev-parse', '--verify', '--quiet', spec], { ok: [1, 128] });
    if (r.code !== 0) return null;
    const oid = r.stdout.toString('utf8').trim();
    return this.read(oid);
  }
}

/** A per-key promise chain: one write at a time per repository. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => {});
    return result;
  }
}

export class BareRepo {
  readonly lock = new Mutex();
  private readonly batch: CatFileBatch;
  private readonly commits = new Map<string, CommitInfo>();

  constructor(readonly gitDir: string) {
    this.batch = new CatFileBatch(gitDir);
  }

  git(args: string[], opts: { env?: Record<string, string>; input?: string | Buffer; ok?: number[] } = {}) {
    return runGit(this.gitDir, args, opts);
  }

  async text(args: string[]): Promise<string> {
    return (await this.git(args)).stdout.toString('utf8');
  }

  close(): void {
    this.batch.close();
  }

  /** Reads any object by name (`<oid>`, `<oid>:<path>`); null when it does not exist. */
  object(spec: string): Promise<GitObject | null> {
    return this.batch.read(spec);
  }

  async commit(oid: string): Promise<CommitInfo | null> {
    const cached = this.commits.get(oid);
    if (cached) return cached;
    const o = await this.object(oid);
    if (o?.type !== 'commit') return null;
    const info = parseCommit(o.oid, o.content);
    this.commits.set(o.oid, info);
    return info;
  }

  /** The object id a full ref name points at, or null. */
  async resolveRef(ref: string): Promise<string | null> {
    if (!isValidRefName(ref)) return null;
    const r = await this.git(['rev-parse', '--verify', '--quiet', ref], { ok: [1, 128] });
    return r.code === 0 ? r.stdout.toString('utf8').trim() : null;
  }

  /** Every ref under a prefix (e.g. refs/heads/), with its object id. */
  async listRefs(prefix: string): Promise<{ ref: string; oid: string; type: string }[]> {
    const out = await this.text(['for-each-ref', '--format=%(objectname) %(objecttype) %(refname)', prefix]);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [oid, type, ...rest] = line.split(' ');
        return { oid: oid!, type: type!, ref: rest.join(' ') };
      });
  }

  /** The branch HEAD names (the default branch), or null. */
  async defaultBranch(): Promise<string | null> {
    const r = await this.git(['symbolic-ref', '--quiet', 'HEAD'], { ok: [1, 128] });
    if (r.code !== 0) return null;
    const ref = r.stdout.toString('utf8').trim();
    return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
  }

  /** `git log --format=%H -n N --skip S <oid> [-- path]`: newest first. */
  async log(
    oid: string,
    o: { path?: string | null; limit: number; skip?: number; since?: string; until?: string },
  ): Promise<string[]> {
    const args = ['--literal-pathspecs', 'log', '--format=%H', `-n${o.limit}`];
    if (o.skip) args.push(`--skip=${o.skip}`);
    if (o.since) args.push(`--since=${o.since}`);
    if (o.until) args.push(`--until=${o.until}`);
    args.push(oid, '--');
    if (o.path) args.push(o.path);
    const out = await this.text(args);
    return out.split('\n').filter(Boolean);
  }

  async countCommits(oid: string, path?: string | null): Promise<number> {
    const args = ['--literal-pathspecs', 'rev-list', '--count', oid, '--'];
    if (path) args.push(path);
    return Number((await this.text(args)).trim());
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const r = await this.git(['merge-base', '--is-ancestor', ancestor, descendant], { ok: [1] });
    return r.code === 0;
  }

  /** Tree entries (mode, type, oid) for exact paths of a commit or tree. */
  async treeEntries(
    treeish: string,
    paths: string[],
  ): Promise<Map<string, { mode: string; type: string; oid: string }>> {
    const found = new Map<string, { mode: string; type: string; oid: string }>();
    if (paths.length === 0) return found;
    const r = await this.git([
      '--literal-pathspecs',
      'ls-tree',
      '-z',
      '--full-tree',
      treeish,
      '--',
      ...paths,
    ]);
    for (const rec of r.stdout.toString('utf8').split('\0')) {
      if (!rec) continue;
      const tab = rec.indexOf('\t');
      const [mode, type, oid] = rec.slice(0, tab).split(' ');
      found.set(rec.slice(tab + 1), { mode: mode!, type: type!, oid: oid! });
    }
    return found;
  }

  async hashObject(content: Buffer): Promise<string> {
    return (await this.git(['hash-object', '-w', '--stdin'], { input: content })).stdout
      .toString('utf8')
      .trim();
  }

  /** A new tree: `base` (a tree-ish, or null for empty) with the changes applied, through a temporary index. */
  async writeTree(base: string | null, changes: TreeChange[]): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'fake-github-index-'));
    try {
      const env = { GIT_INDEX_FILE: join(dir, 'index') };
      await this.git(base ? ['read-tree', base] : ['read-tree', '--empty'], { env });
      if (changes.length > 0) {
        const input = changes
          .map((c) => (c.blob ? `${c.blob.mode} ${c.blob.oid}\t${c.path}\0` : `0 ${ZERO_OID}\t${c.path}\0`))
          .join('');
        await this.git(['update-index', '-z', '--index-info'], { env, input });
      }
      return (await this.git(['write-tree'], { env })).stdout.toString('utf8').trim();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async commitTree(o: {
    tree: string;
    parents: string[];
    message: string;
    author: Person;
    committer: Person;
  }): Promise<string> {
    const args = ['commit-tree', '--no-gpg-sign', o.tree];
    for (const p of o.parents) args.push('-p', p);
    const env = {
      GIT_AUTHOR_NAME: o.author.name,
      GIT_AUTHOR_EMAIL: o.author.email,
      GIT_AUTHOR_DATE: `@${o.author.time} ${o.author.tz}`,
      GIT_COMMITTER_NAME: o.committer.name,
      GIT_COMMITTER_EMAIL: o.committer.email,
      GIT_COMMITTER_DATE: `@${o.committer.time} ${o.committer.tz}`,
    };
    return (await this.git(args, { env, input: o.message })).stdout.toString('utf8').trim();
  }

  /**
   * Compare-and-swap a ref: `old` a sha the ref must hold, ZERO_OID for "must not exist", or
   * undefined for no check. False when the ref was not where expected.
   */
  async updateRef(ref: string, newOid: string, old?: string): Promise<boolean> {
    if (!isValidRefName(ref)) return false;
    const args = ['update-ref', '-m', 'fake-github', ref, newOid];
    if (old !== undefined) args.push(old);
    const r = await this.git(args, { ok: [1, 128] });
    return r.code === 0;
  }

  async deleteRef(ref: string, old?: string): Promise<boolean> {
    if (!isValidRefName(ref)) return false;
    const args = ['update-ref', '-d', ref];
    if (old !== undefined) args.push(old);
    const r = await this.git(args, { ok: [1, 128] });
    return r.code === 0;
  }

  /** `git merge-tree --write-tree ours theirs`: the merged tree, or null on conflicts. */
  async mergeTree(ours: string, theirs: string): Promise<string | null> {
    const r = await this.git(['merge-tree', '--write-tree', ours, theirs], { ok: [1] });
    if (r.code !== 0) return null;
    return r.stdout.toString('utf8').split('\n')[0]!.trim();
  }

  /** A three-way tree merge (base, ours, theirs) in a temporary index; null on conflicts. */
  async threeWayTree(base: string, ours: string, theirs: string): Promise<string | null> {
    const dir = await mkdtemp(join(tmpdir(), 'fake-github-index-'));
    try {
      const env = { GIT_INDEX_FILE: join(dir, 'index') };
      const r = await this.git(['read-tree', '-m', '-i', '--aggressive', base, ours, theirs], {
        env,
        ok: [128],
      });
      if (r.code !== 0) return null;
      const unmerged = await this.git(['ls-files', '-u'], { env });
      if (unmerged.stdout.length > 0) return null;
      return (await this.git(['write-tree'], { env })).stdout.toString('utf8').trim();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Commits in `base..head`, oldest first (as a rebase replays them). */
  async commitsBetween(base: string, head: string): Promise<string[]> {
    const out = await this.text(['rev-list', '--reverse', '--topo-order', `${base}..${head}`]);
    return out.split('\n').filter(Boolean);
  }
}

/** True when the bytes look binary to git (a NUL in the first 8000 bytes). */
export function looksBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

/** Unix seconds to GitHub's DateTime form: 2024-01-02T03:04:05Z. */
export function isoUtc(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Unix seconds + git offset to GitHub's GitTimestamp form: 2024-01-02T04:04:05+01:00. */
export function isoWithOffset(seconds: number, tz: string): string {
  const sign = tz.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5)));
  const local = new Date((seconds + minutes * 60) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${local}${tz.slice(0, 3)}:${tz.slice(3, 5)}`;
}
