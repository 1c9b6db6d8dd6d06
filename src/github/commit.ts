import type { ChainedCommit, CommitResult } from '../gitops/store.js';
import { safeRepoPath } from '../gitops/paths.js';
import { StoreError } from '../gitops/store.js';
import type { Octokit } from './octokit.js';
import { COMMIT_MUTATION } from './queries.js';
import type { UsageMeter } from './usage.js';

/*
 * Writes of the GitHub store: one signed `createCommitOnBranch` per commit, guarded by
 * `expectedHeadOid` (a moved branch answers STALE_DATA), and chains of them.
 */

export interface CommitDeps {
  /** owner/name */
  repo: string;
  query: <T>(query: string, variables: Record<string, unknown>) => Promise<T>;
  meter: UsageMeter;
}

interface GraphqlErrorLike {
  errors?: { type?: string; message: string }[];
  message: string;
}

/** A commit that did not land: `stale` where the branch had moved, else the error GitHub gave. */
export type Landed = CommitResult | { ok: false; reason: 'failed'; detail: string };

/** One commit on `branch` on top of `expectedHead`. */
export async function commitOnBranch(
  deps: CommitDeps,
  branch: string,
  expectedHead: string,
  c: ChainedCommit,
): Promise<Landed> {
  const [headline, ...rest] = c.message.split('\n');
  const input = {
    branch: { repositoryNameWithOwner: deps.repo, branchName: branch },
    expectedHeadOid: expectedHead,
    message: { headline: headline!, body: rest.join('\n').replace(/^\n+/, '') },
    fileChanges: {
      additions: c.changes.map((f) => ({
        path: safeRepoPath(f.path),
        contents: Buffer.from(f.content, 'utf8').toString('base64'),
      })),
    },
  };
  deps.meter.write();
  try {
    const data = await deps.query<{ createCommitOnBranch: { commit: { oid: string; url: string } } }>(
      COMMIT_MUTATION,
      { input },
    );
    return { ok: true, sha: data.createCommitOnBranch.commit.oid, url: data.createCommitOnBranch.commit.url };
  } catch (e) {
    const err = e as GraphqlErrorLike;
    if (err.errors?.some((x) => x.type === 'STALE_DATA'))
      return { ok: false, reason: 'stale', detail: err.message };
    return { ok: false, reason: 'failed', detail: err.message };
  }
}

const failure = (repo: string, branch: string, detail: string) =>
  new StoreError(`committing to ${repo} branch ${branch} failed: ${detail}`);

/** `commit`: a failure other than a moved branch throws. */
export async function commitOne(
  deps: CommitDeps,
  branch: string,
  expectedHead: string,
  c: ChainedCommit,
): Promise<CommitResult> {
  const landed = await commitOnBranch(deps, branch, expectedHead, c);
  if (landed.ok || landed.reason === 'stale') return landed;
  throw failure(deps.repo, branch, landed.detail);
}

/**
 * Commits in order, each on the one before (the first on `expectedHead`). From the first that does
 * not land, every result is `stale`: the branch moved, or, once something landed, GitHub failed
 * (the error in `detail`: the caller reads again and sees what landed). A failure before anything
 * landed throws, as `commit` does.
 */
export async function commitChainOnBranch(
  deps: CommitDeps,
  branch: string,
  expectedHead: string,
  commits: readonly ChainedCommit[],
): Promise<CommitResult[]> {
  const results: CommitResult[] = [];
  let head = expectedHead;
  for (const [i, c] of commits.entries()) {
    const landed = await commitOnBranch(deps, branch, head, c);
    if (landed.ok) {
      results.push(landed);
      head = landed.sha;
      continue;
    }
    if (landed.reason === 'failed' && results.length === 0) throw failure(deps.repo, branch, landed.detail);
    const rest = commits.length - i - 1;
    results.push({ ok: false, reason: 'stale', detail: landed.detail });
    for (let k = 0; k < rest; k++)
      results.push({
        ok: false,
        reason: 'stale',
        detail: `not written: commit ${i + 1} of the chain did not land (${landed.detail})`,
      });
    break;
  }
  return results;
}

/** Points a proposal branch at `sha`: created when missing, moved (forced) when a re-run rebuilds it. */
export async function resetBranch(
  octokit: Octokit,
  meter: UsageMeter,
  owner: string,
  repo: string,
  branch: string,
  sha: string,
): Promise<void> {
  meter.write();
  try {
    await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
  } catch (e) {
    if ((e as { status?: number }).status !== 422)
      throw new StoreError(`creating branch ${branch} failed: ${(e as Error).message}`);
    meter.write();
    await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true });
  }
}
