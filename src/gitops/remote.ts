import { join } from 'node:path';
import type { Git } from './git-command.js';
import {
  missingBranch,
  moved,
  notACommit,
  notARepository,
  redact,
  said,
  type Stale,
  stale,
} from './git-errors.js';
import { lsRemoteBranches, lsRemoteDefaultBranch, lsRemoteOid, pushWasUpToDate } from './git-parse.js';
import { pauseAt, processState } from './lifecycle.js';
import { Repo, runIn, sleep } from './repo.js';
import { type CommitResult, StoreError } from './store.js';
import { makeTempDir, removeTempDir, touchTempDir } from './temp.js';
import type { Landing, Transport } from './transport.js';

export const DEFAULT_DEPTH = 50;
export const DEFAULT_MAX_DEPTH = 10_000;

export interface RemoteOptions {
  git: Git;
  /** What to clone: a URL or the path of a bare repository. */
  url: string;
  /** The target as the user gave it, for messages (redacted). */
  target: string;
  branch?: string | undefined;
  workDir: string;
  depth?: number | undefined;
  maxDepth?: number | undefined;
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * A remote URL or a bare repository, cloned shallow (`depth`) and blob-less into a temporary
 * directory; blobs are fetched in one batch when read; a commit is pushed with
 * `--force-with-lease=BRANCH:expectedHead`, so a branch that moved answers `stale`.
 */
export async function openRemote(opts: RemoteOptions): Promise<Transport> {
  const { git, url } = opts;
  const shown = redact(opts.target);
  // Marked as pinback's and removed at exit, whatever ends the process but SIGKILL; a later run
  // sweeps what a killed one left (temp.ts).
  const temp = await makeTempDir(opts.workDir, 'pinback-git-');
  try {
    const plain = runIn(git, temp);
    const wanted = opts.branch === undefined ? [] : [`refs/heads/${opts.branch}`];
    const ls = await plain(['ls-remote', '--symref', '--', url, 'HEAD', ...wanted]);
    if (ls.exitCode !== 0) throw notARepository(opts.target, ls.stderr);
    const listed = ls.stdout.toString();
    let branch = opts.branch;
    if (branch === undefined) {
      branch = lsRemoteDefaultBranch(listed);
      if (branch === undefined) {
        throw new StoreError(
          `${shown} has no default branch (is it empty?): push a first commit or name the branch (gitops.branch or --branch)`,
        );
      }
    } else if (lsRemoteOid(listed, `refs/heads/${branch}`) === undefined) {
      const heads = await plain(['ls-remote', '--heads', '--', url]);
      throw missingBranch(branch, shown, lsRemoteBranches(heads.stdout.toString()));
    }
    const dir = join(temp, 'repo.git');
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
      dir,
    ]);
    if (clone.exitCode !== 0) throw notARepository(opts.target, clone.stderr);
    await pauseAt('cloned');
    const repo = new Repo({
      git,
      root: dir,
      gitDir: dir,
      shown,
      branch,
      scratchParent: async () => temp,
      onWarning: opts.onWarning,
    });
    const promisor = await repo.run(['config', '--get', 'remote.origin.promisor']);
    const maxDepth = positive(opts.maxDepth, DEFAULT_MAX_DEPTH, 'maxDepth');
    return new RemoteTransport(repo, temp, promisor.stdout.toString().trim() === 'true', depth, maxDepth);
  } catch (error) {
    await removeTempDir(temp);
    throw error;
  }
}

class RemoteTransport implements Transport {
  constructor(
    readonly repo: Repo,
    private readonly temp: string,
    /** A blob-less clone: blobs are fetched when needed. */
    private readonly partial: boolean,
    private depth: number,
    private readonly maxDepth: number,
  ) {}

  async head(): Promise<string | undefined> {
    await touchTempDir(this.temp);
    return this.fetchBranch(this.repo.branch);
  }

  async fetchBlobs(oids: string[]): Promise<void> {
    if (!this.partial || oids.length === 0) return;
    // What git's own lazy fetch runs, for all objects at once instead of one round trip each.
    await this.repo.must(
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
      { input: `${oids.join('\n')}\n` },
    );
  }

  async deepen(): Promise<boolean> {
    if (this.depth >= this.maxDepth) return false;
    const by = Math.min(this.depth, this.maxDepth - this.depth);
    await this.repo.must(
      [
        'fetch',
        '--quiet',
        '--no-tags',
        '--no-write-fetch-head',
        `--deepen=${by}`,
        'origin',
        `refs/heads/${this.repo.branch}`,
      ],
      'deepening the history',
    );
    this.depth += by;
    return true;
  }

  async land(target: string, expected: string): Promise<Landing | Stale> {
    const repo = this.repo;
    // The head the change was decided on must be here to build on it.
    if (!(await repo.hasCommit(expected))) {
      const tip = await this.fetchBranch(repo.branch);
      if (!(await repo.hasCommit(expected))) return notACommit(expected, repo.describe(), tip);
    }
    // What the branch must point at: expectedHead, or nothing where the commit creates it. The
    // push's lease does the checking; only another branch is looked up, as it may not exist yet.
    const lease =
      target === repo.branch || (await this.remoteTip(target)) !== undefined ? expected : undefined;
    return {
      check: async () => undefined,
      publish: (commit) => this.publish(commit.sha, target, lease),
    };
  }

  async close(): Promise<void> {
    await removeTempDir(this.temp);
  }

  /** The push is the point of no return: a process told to stop waits for it to be answered. */
  private async publish(sha: string, target: string, lease: string | undefined): Promise<CommitResult> {
    processState.beginCommit();
    try {
      const result = await this.push(sha, target, lease);
      if (result.ok) {
        processState.committed(sha);
        await pauseAt('after-ref');
      }
      return result;
    } finally {
      processState.endCommit();
    }
  }

  /** Push with a lease on the branch; a branch that moved answers stale (after a fetch). */
  private async push(sha: string, target: string, lease: string | undefined): Promise<CommitResult> {
    const repo = this.repo;
    for (let attempt = 1; ; attempt++) {
      const out = await repo.run([
        'push',
        '--porcelain',
        '--no-verify',
        '--no-thin', // a thin pack would fetch old blobs of a blob-less clone as delta bases
        `--force-with-lease=refs/heads/${target}:${lease ?? ''}`,
        'origin',
        `${sha}:refs/heads/${target}`,
      ]);
      if (out.exitCode === 0) {
        if (target === repo.branch) await repo.run(['update-ref', `refs/heads/${target}`, sha]);
        // Racing writers can build the byte-identical commit (same tree, parent, message and
        // second); the push of the second is "up to date", and the commit is not its own.
        if (pushWasUpToDate(out.stdout.toString()))
          return stale(`branch ${target} already holds ${sha}, written by another run`);
        return { ok: true, sha };
      }
      // Fetch, so the caller's next read sees the head that won.
      const tip = target === repo.branch ? await this.fetchBranch(target) : await this.remoteTip(target);
      if (tip !== lease) return moved(target, lease, tip);
      const detail = said(`${out.stdout.toString()}\n${out.stderr}`);
      if (attempt >= 3 || !/lock|failed to update ref/i.test(detail)) {
        throw new StoreError(`pushing to ${repo.describe()} failed (git said: ${detail})`);
      }
      await sleep(100 * attempt);
    }
  }

  /** Brings the branch up to date in the clone; its tip, or undefined when it is gone. */
  private async fetchBranch(branch: string): Promise<string | undefined> {
    const out = await this.repo.run([
      'fetch',
      '--quiet',
      '--no-tags',
      'origin',
      `+refs/heads/${branch}:refs/heads/${branch}`,
    ]);
    if (out.exitCode !== 0) {
      if (/couldn't find remote ref/i.test(out.stderr)) return undefined;
      throw new StoreError(`fetching ${this.repo.describe()} failed (git said: ${said(out.stderr)})`);
    }
    return this.repo.tip(branch);
  }

  /** The branch's tip on the remote, without fetching it. */
  private async remoteTip(branch: string): Promise<string | undefined> {
    const out = await this.repo.must(
      ['ls-remote', 'origin', `refs/heads/${branch}`],
      `asking for branch ${branch}`,
    );
    return lsRemoteOid(out.toString(), `refs/heads/${branch}`);
  }
}

/** A number of commits from the options: whole and at least 1. */
export function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new StoreError(`${name} must be a whole number of commits >= 1`);
  return value;
}
