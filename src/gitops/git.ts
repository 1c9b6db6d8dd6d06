import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createGit, type Git } from './git-command.js';
import { notARepository } from './git-errors.js';
import { GitStore } from './git-store.js';
import { openLocal } from './local.js';
import { DEFAULT_MAX_DEPTH, openRemote, positive } from './remote.js';
import { checkBranchName } from './repo.js';
import type { GitOpsStore } from './store.js';
import { classifyTarget } from './target.js';
import { sweepStaleTempDirs } from './temp.js';
import type { Transport } from './transport.js';

export interface GitStoreOptions {
  /** A local path (a work tree or a bare repository) or any git remote URL (file://, https://, ssh). */
  target: string;
  /** Default: the current branch of a local work tree, else the remote's default branch. */
  branch?: string;
  /**
   * Parent directory for temporary clones and scratch files; os.tmpdir() by default. Each open
   * also removes what killed runs left there (marked as pinback's, over an hour old: temp.ts).
   */
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
  /**
   * Told about problems that do not fail the operation (a work tree that could not be refreshed, a
   * shallow clone's short history); the CLI prints them, the Action makes them warnings.
   */
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * Opens a GitOps store on a git repository through the git CLI.
 *
 * - A local work tree is read and committed in place: the commit is built with plumbing on top of
 *   `expectedHead` and lands with `git update-ref` compare-and-swap; when the branch is checked
 *   out, the changed files (which must have no uncommitted changes) are updated in the index and
 *   work tree too (src/gitops/local.ts).
 * - A remote URL or a bare repository is cloned shallow (`depth`) and blob-less into a temporary
 *   directory; blobs are fetched in one batch when read; a commit is pushed with
 *   `--force-with-lease=BRANCH:expectedHead`, so a branch that moved answers `stale`
 *   (src/gitops/remote.ts).
 *
 * The target is told apart by classifyTarget: a URL or scp-like address is a remote; anything else
 * (an owner/name too) is a path here.
 */
export async function openGitStore(opts: GitStoreOptions): Promise<GitOpsStore> {
  const git = opts.git ?? createGit();
  const workDir = resolve(opts.workDir ?? tmpdir());
  if (opts.branch !== undefined) await checkBranchName(git, opts.branch);
  await sweepStaleTempDirs(workDir, { warn: opts.onWarning });
  const common = {
    git,
    target: opts.target,
    branch: opts.branch,
    workDir,
    onWarning: opts.onWarning,
  };
  const remote = { ...common, depth: opts.depth, maxDepth: opts.maxDepth };
  if (classifyTarget(opts.target, existsSync).kind === 'remote') {
    return new GitStore(await openRemote({ ...remote, url: opts.target }));
  }

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
  let transport: Transport;
  if (probe.stdout.toString().trim() === 'true') transport = await openRemote({ ...remote, url: path });
  else {
    transport = await openLocal({ ...common, path });
    // Checked as for a remote, though a local repository is never deepened.
    positive(opts.maxDepth, DEFAULT_MAX_DEPTH, 'maxDepth');
  }
  return new GitStore(transport);
}
