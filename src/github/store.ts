import type { Octokit } from './octokit.js';
import type { CommitRequest, CommitResult, GitOpsStore, ReadRequest, Snapshot } from '../gitops/store.js';
import { StoreError } from '../gitops/store.js';
import { commitChainOnBranch, commitOne, resetBranch } from './commit.js';
import { readAllFromGitHub } from './read-all.js';
import { usageMeter } from './usage.js';

export { CHAIN_WINDOW, COMMIT_MUTATION } from './queries.js';

export interface GitHubStoreOptions {
  octokit: Octokit;
  /** `owner/name` */
  repo: string;
  /** Default: the repository's default branch. */
  branch?: string | undefined;
  /** GITHUB_GRAPHQL_URL, where it is not derivable from the REST URL. */
  graphqlUrl?: string | undefined;
  /**
   * History files and files read per query (default PATHS_PER_PAGE and FILES_PER_PAGE): fewer
   * where a repository's histories are slow for GitHub to walk within its 10-second limit.
   */
  perQuery?: { paths: number; files: number } | undefined;
}

/**
 * The GitOps repo on GitHub: reads with one GraphQL query per page of history files (read-all.ts)
 * and writes with signed `createCommitOnBranch` mutations guarded by `expectedHeadOid`
 * (commit.ts). Counts its requests and the rate-limit points they cost (`usage`).
 */
export function openGitHubStore(o: GitHubStoreOptions): GitOpsStore {
  const [owner, name] = o.repo.split('/') as [string, string];
  let branch = o.branch;
  const meter = usageMeter();
  // The one-object form: beside a query string, @octokit/graphql rejects `url` as a variable name.
  const query = <T>(q: string, variables: Record<string, unknown>) =>
    o.octokit.graphql<T>({ query: q, ...variables, ...(o.graphqlUrl ? { url: o.graphqlUrl } : {}) });
  const describe = () => `${o.repo} (branch ${branch ?? 'default'})`;
  const writes = { repo: o.repo, query, meter };

  async function readAll(requests: readonly ReadRequest[]): Promise<Snapshot[]> {
    const read = await readAllFromGitHub(
      { owner, name, repo: o.repo, branch, query, meter, describe, perQuery: o.perQuery },
      requests,
    );
    branch ??= read.branch;
    return read.snapshots;
  }

  const branchToWrite = (): string => {
    if (!branch) throw new StoreError(`${describe()}: read before commit, so the branch is known`);
    return branch;
  };

  return {
    describe,
    async close() {},
    readAll,
    async read(request): Promise<Snapshot> {
      return (await readAll([request]))[0]!;
    },
    async commit(req: CommitRequest): Promise<CommitResult> {
      const target = req.branch ?? branchToWrite();
      if (req.branch) await resetBranch(o.octokit, meter, owner, name, req.branch, req.expectedHead);
      return commitOne(writes, target, req.expectedHead, req);
    },
    async commitChain(expectedHead, commits) {
      if (commits.length === 0) return [];
      return commitChainOnBranch(writes, branchToWrite(), expectedHead, commits);
    },
    usage: () => meter.usage(),
  };
}
