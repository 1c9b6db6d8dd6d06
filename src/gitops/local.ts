import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Git } from './git-command.js';
import {
  missingBranch,
  moved,
  notACommit,
  notARepository,
  said,
  type Stale,
  stale,
  symlinkError,
} from './git-errors.js';
import { outputLines, parseStatusPaths } from './git-parse.js';
import { pauseAt, processState } from './lifecycle.js';
import { leadingDirectories } from './paths.js';
import { WorkTreeRefresh } from './refresh.js';
import { Repo, runIn, sleep } from './repo.js';
import { type CommitResult, StoreError } from './store.js';
import type { BuiltCommit, Landing, Transport } from './transport.js';

export interface LocalOptions {
  git: Git;
  /** The repository's directory, absolute: a work tree (not a bare repository). */
  path: string;
  /** The target as the user gave it, for messages. */
  target: string;
  branch?: string | undefined;
  workDir: string;
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * A local work tree, read and committed in place: the commit lands with `git update-ref`
 * compare-and-swap; where the branch is checked out, the changed files (which must have no
 * uncommitted changes) are updated in the index and work tree too, under a journal that lets the
 * next run finish a refresh a killed run left half done (refresh.ts).
 */
export async function openLocal(opts: LocalOptions): Promise<Transport> {
  const { git, path } = opts;
  const top = await git.run(
    ['rev-parse', '--show-toplevel', '--path-format=absolute', '--git-common-dir', '--absolute-git-dir'],
    { cwd: path },
  );
  if (top.exitCode !== 0) throw notARepository(opts.target, top.stderr);
  const [root = path, commonDir = join(path, '.git'), gitDir = commonDir] = top.stdout
    .toString()
    .trim()
    .split('\n');
  if ((await realpath(root)) !== (await realpath(path))) {
    throw notARepository(opts.target, `it is inside the repository at ${root}; point at that directory`);
  }
  const run = runIn(git, root);
  let branch = opts.branch;
  if (branch === undefined) {
    const head = await run(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    if (head.exitCode !== 0) {
      throw new StoreError(`${root} has a detached HEAD: name the branch to use (gitops.branch or --branch)`);
    }
    branch = head.stdout.toString().trim();
  }
  const repo = new Repo({
    git,
    root,
    gitDir: commonDir,
    shown: path,
    branch,
    scratchParent: async () => {
      await mkdir(opts.workDir, { recursive: true });
      return opts.workDir;
    },
    onWarning: opts.onWarning,
  });
  if ((await repo.tip(branch)) === undefined) {
    const list = await run(['for-each-ref', '--count=20', '--format=%(refname:short)', 'refs/heads']);
    throw missingBranch(branch, root, outputLines(list.stdout.toString()));
  }
  return new LocalTransport(repo, new WorkTreeRefresh(repo, gitDir));
}

/** The branch checked out in the work tree of `repo`, or undefined (a detached HEAD). */
async function checkedOutBranch(repo: Repo): Promise<string | undefined> {
  const out = await repo.run(['symbolic-ref', '--quiet', 'HEAD']);
  const ref = out.stdout.toString().trim();
  return out.exitCode === 0 && ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

class LocalTransport implements Transport {
  private warnedShallow = false;

  constructor(
    readonly repo: Repo,
    private readonly refresh: WorkTreeRefresh,
  ) {}

  /** Each read first finishes a work-tree refresh an earlier run left half done (refresh.ts). */
  async settle(): Promise<void> {
    const repo = this.repo;
    try {
      await this.refresh.repair(repo.branch, async () => (await checkedOutBranch(repo)) === repo.branch);
    } catch (e) {
      // The read does not depend on it: the branch is read from git, not from the work tree.
      repo.warn(
        `could not check ${repo.root} for a work-tree update an earlier run left unfinished: ${(e as Error).message}`,
      );
    }
  }

  head(): Promise<string | undefined> {
    return this.repo.tip(this.repo.branch);
  }

  async fetchBlobs(): Promise<void> {
    // Every object of a local repository is at hand.
  }

  async deepen(path: string): Promise<boolean> {
    if (!this.warnedShallow) {
      this.warnedShallow = true;
      this.repo.warn(
        `${this.repo.shown} is a shallow clone: the history of ${path} may be incomplete (fetch the full history, e.g. actions/checkout with fetch-depth: 0)`,
      );
    }
    return false;
  }

  async land(target: string, expected: string): Promise<Landing | Stale> {
    const repo = this.repo;
    if (!(await repo.hasCommit(expected))) return notACommit(expected, repo.describe());
    const tip = await repo.tip(target);
    if (tip === undefined && target === repo.branch) {
      throw new StoreError(`branch "${target}" no longer exists in ${repo.shown}`);
    }
    if (tip !== undefined && tip !== expected) return stale(`branch ${target} is at ${tip}, not ${expected}`);
    // What the branch must point at: expectedHead, or nothing where the commit creates it.
    return new LocalLanding(repo, this.refresh, target, expected, tip === undefined ? undefined : expected);
  }

  async close(): Promise<void> {}
}

class LocalLanding implements Landing {
  private checkedOut = false;

  constructor(
    private readonly repo: Repo,
    private readonly refresh: WorkTreeRefresh,
    private readonly target: string,
    private readonly expected: string,
    private readonly lease: string | undefined,
  ) {}

  async check(paths: string[]): Promise<Stale | undefined> {
    const { repo, target } = this;
    this.checkedOut = (await checkedOutBranch(repo)) === target;
    for (const p of paths) await this.rejectWorkTreeSymlinks(p);
    const dirty = this.checkedOut ? await this.dirtyPaths(paths) : [];
    if (dirty.length === 0) return undefined;
    // Another writer that just won refreshes these very files: that is a stale head, not an edit.
    const tip = await repo.tip(target);
    if (tip !== this.lease)
      return stale(`branch ${target} moved to ${tip ?? '(deleted)'}, not ${this.expected}`);
    throw new StoreError(
      `${dirty.map((d) => `"${d}"`).join(', ')} in ${repo.root} has uncommitted changes: commit or stash them, then run again`,
    );
  }

  /**
   * The point of no return: a process told to stop waits for it (the branch and the work tree
   * move together). A checked-out branch's journal is written first, so that a run killed between
   * the two has the next one finish the work tree (refresh.ts).
   */
  async publish(commit: BuiltCommit): Promise<CommitResult> {
    processState.beginCommit();
    try {
      const paths = commit.entries.map((e) => e.path);
      const journal = this.checkedOut
        ? await this.refresh.begin(commit.sha, this.expected, paths)
        : undefined;
      let lost: Stale | undefined;
      try {
        lost = await this.updateRef(commit.sha);
      } catch (e) {
        await journal?.abandoned();
        throw e;
      }
      if (lost) {
        await journal?.abandoned();
        return lost;
      }
      processState.committed(commit.sha);
      await journal?.landed();
      await pauseAt('after-ref');
      if (journal) {
        // The branch moved: whatever happens to the work tree now, the commit landed.
        const failed = await this.refresh
          .write(commit.entries, paths)
          .catch((e: unknown) => (e as Error).message);
        if (failed === undefined) await journal.refreshed();
        else {
          journal.unfinished();
          this.repo.warn(
            `committed ${commit.sha.slice(0, 12)} to ${this.target}, but could not update the index and work tree of ${this.repo.root} (${failed}): "git status" shows ${paths.map((p) => `"${p}"`).join(', ')} with the commit reverted; do not commit them as they are: fix that and run pinback again (it finishes the update), or run "git checkout ${commit.sha.slice(0, 12)} -- ${paths.join(' ')}" there`,
          );
        }
      }
      return { ok: true, sha: commit.sha };
    } finally {
      processState.endCommit();
    }
  }

  /** The branch moves from the lease to `sha` atomically, or the answer says it moved. */
  private async updateRef(sha: string): Promise<Stale | undefined> {
    const { repo, target, lease } = this;
    for (let attempt = 1; ; attempt++) {
      const out = await repo.run(['update-ref', '-m', 'pinback', `refs/heads/${target}`, sha, lease ?? '']);
      if (out.exitCode === 0) return undefined;
      const tip = await repo.tip(target);
      if (tip !== lease) return moved(target, lease, tip);
      if (attempt >= 5 || !/\.lock|unable to (create|lock)/i.test(out.stderr)) {
        throw new StoreError(
          `${repo.describe()}: could not update branch ${target} (git said: ${said(out.stderr)})`,
        );
      }
      await sleep(50 * attempt);
    }
  }

  private async rejectWorkTreeSymlinks(path: string): Promise<void> {
    for (const p of [...leadingDirectories(path), path]) {
      const st = await lstat(join(this.repo.root, p)).catch(() => undefined);
      if (!st) return;
      if (st.isSymbolicLink()) throw symlinkError(path, p, this.repo.describe());
    }
  }

  /** Paths among `paths` with staged, unstaged or untracked changes in the work tree. */
  private async dirtyPaths(paths: string[]): Promise<string[]> {
    const out = await this.repo.must(
      ['--literal-pathspecs', 'status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths],
      'checking the work tree',
    );
    return parseStatusPaths(out.toString('utf8'));
  }
}
