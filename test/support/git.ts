import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import type { Git, GitRunOptions } from '../../src/gitops/git-command.js';
import { type GitStoreOptions, openGitStore } from '../../src/gitops/git.js';
import type { GitOpsStore } from '../../src/gitops/store.js';

/**
 * Real git repositories in temporary directories, for tests. Every command runs with a fixed
 * identity, fixed dates and no end-of-line conversion, whatever the machine's git config says.
 *
 * No temporary directory outlives its test file: test/support/cleanup.ts (a setup file) removes
 * every directory the helpers made once the file is done.
 */

/** Directories the helpers made, removed after the test file (or by removeTempDirs()). */
const made: string[] = [];

/**
 * Removes `dir` (recursively) after the test file that made it. Not after the test: the global
 * `onTestFinished` attaches to whichever test is current, which under `it.concurrent` (or files
 * sharing a worker) may be another test's, and removed a repository still in use.
 */
export function removeWhenDone(dir: string): void {
  made.push(dir);
}

/** A fresh temporary directory, removed after the test file. */
export async function tempDir(prefix = 'pinback-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  removeWhenDone(dir);
  return dir;
}

/** Removes every directory made so far: test/support/cleanup.ts runs it after each test file. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A git invocation that exited non-zero where success was required. */
export class GitCommandError extends Error {
  override name = 'GitCommandError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} exited with ${exitCode}: ${stderr.trim() || '(no message)'}`);
  }
}

/** Runs git through the port and returns its standard output; a non-zero exit throws GitCommandError. */
export async function gitOk(git: Git, args: readonly string[], options?: GitRunOptions): Promise<Buffer> {
  const out = await git.run(args, options);
  if (out.exitCode !== 0) throw new GitCommandError(args, out.exitCode, out.stderr);
  return out.stdout;
}

/** Like gitOk, as text with the trailing newline removed. */
export async function gitText(git: Git, args: readonly string[], options?: GitRunOptions): Promise<string> {
  return (await gitOk(git, args, options)).toString('utf8').replace(/\n$/, '');
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.test',
};

/** Runs git in `cwd` (no shell) and returns stdout; a non-zero exit rejects with git's stderr. */
export function git(
  cwd: string,
  args: string[],
  opts: { env?: Record<string, string>; input?: string | Buffer } = {},
): Promise<string> {
  return gitBuffer(cwd, args, opts).then((b) => b.toString('utf8'));
}

/** Like git(), the output as bytes. */
export function gitBuffer(
  cwd: string,
  args: string[],
  opts: { env?: Record<string, string>; input?: string | Buffer } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-c', 'core.autocrlf=false', '-c', 'core.eol=lf', '-c', 'init.defaultBranch=main', ...args],
      {
        cwd,
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', ...IDENTITY, ...opts.env },
      },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`git ${args.join(' ')} (in ${cwd}): ${stderr.toString() || error.message}`));
        else resolve(stdout);
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  });
}

/** File contents to write (exact bytes), or null to delete the file. */
export type Files = Record<string, string | Buffer | null>;

export interface CommitOptions {
  /** Files to write or delete before committing. */
  files?: Files;
  /** Commit time, unix seconds (author and committer); a clock ticking one minute per commit by default. */
  time?: number;
}

let clock = 1_700_000_000;

export class TestRepo {
  constructor(
    readonly dir: string,
    readonly branch: string,
  ) {}

  git(args: string[], opts?: { env?: Record<string, string>; input?: string | Buffer }): Promise<string> {
    return git(this.dir, args, opts);
  }

  /** Writes (or deletes) files in the work tree, creating directories. */
  async write(files: Files): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (content === null) await rm(full, { force: true });
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    }
  }

  /** Writes `files`, stages everything and commits; returns the new commit's sha. */
  async commit(message: string, opts: CommitOptions = {}): Promise<string> {
    if (opts.files) await this.write(opts.files);
    clock += 60;
    const when = `@${opts.time ?? clock} +0000`;
    await this.git(['add', '-A']);
    await this.git(
      ['commit', '--allow-empty', '--no-verify', '--no-gpg-sign', '--cleanup=verbatim', '-F', '-'],
      {
        input: message,
        env: { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when },
      },
    );
    return this.head();
  }

  async head(ref = 'HEAD'): Promise<string> {
    return (await this.git(['rev-parse', `${ref}^{commit}`])).trim();
  }

  /** The exact bytes of `path` at `rev`. */
  show(rev: string, path: string): Promise<Buffer> {
    return gitBuffer(this.dir, ['cat-file', 'blob', `${rev}:${path}`]);
  }

  async push(ref = this.branch): Promise<void> {
    await this.git(['push', '--quiet', 'origin', `HEAD:refs/heads/${ref}`]);
  }
}

/** A non-bare repository with one commit holding `files` (a README when none). */
export async function initRepo(
  opts: { branch?: string; files?: Files; message?: string } = {},
): Promise<TestRepo> {
  const branch = opts.branch ?? 'main';
  const dir = await tempDir('pinback-repo-');
  await git(dir, ['init', '--quiet', `--initial-branch=${branch}`]);
  const repo = new TestRepo(dir, branch);
  await repo.commit(opts.message ?? 'initial', { files: opts.files ?? { 'README.md': 'test\n' } });
  return repo;
}

export interface TestRemote {
  /** The bare repository's path (usable as a target or a remote URL). */
  dir: string;
  /** file:// URL of the bare repository. */
  url: string;
  /** A work clone that commits and pushes to the remote. */
  seed: TestRepo;
  /** Another work clone, for a second writer. */
  clone(): Promise<TestRepo>;
  /** The branch's tip in the bare repository. */
  tip(branch?: string): Promise<string | undefined>;
}

/**
 * A bare repository that serves partial and shallow clones (like GitHub), seeded with one commit
 * from a work clone that can push more.
 */
export async function initRemote(opts: { branch?: string; files?: Files } = {}): Promise<TestRemote> {
  const branch = opts.branch ?? 'main';
  const dir = join(await tempDir('pinback-remote-'), 'origin.git');
  await git(tmpdir(), ['init', '--quiet', '--bare', `--initial-branch=${branch}`, dir]);
  await git(dir, ['config', 'uploadpack.allowFilter', 'true']);
  await git(dir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  const clone = async (): Promise<TestRepo> => {
    const work = join(await tempDir('pinback-work-'), 'work');
    await git(tmpdir(), ['clone', '--quiet', dir, work]);
    return new TestRepo(work, branch);
  };
  const seed = await clone();
  await seed.git(['checkout', '--quiet', '-B', branch]);
  await seed.commit('initial', { files: opts.files ?? { 'README.md': 'test\n' } });
  await seed.push();
  const tip = async (b = branch): Promise<string | undefined> => {
    const out = await git(dir, ['for-each-ref', '--format=%(objectname)', `refs/heads/${b}`]);
    return out.trim() || undefined;
  };
  return { dir, url: `file://${dir}`, seed, clone, tip };
}

/**
 * Opens git stores for a test file, each with its own temporary work directory, closed after each
 * test (and the directories removed after the file). Call it at the top of the file.
 */
export function useGitStores(): (opts: GitStoreOptions) => Promise<GitOpsStore> {
  const opened: GitOpsStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(removeTempDirs);
  return async (opts) => {
    const store = await openGitStore({ workDir: await tempDir('pinback-work-'), ...opts });
    opened.push(store);
    return store;
  };
}
