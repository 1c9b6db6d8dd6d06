import type { Octokit } from './octokit.js';
import { safeRepoPath } from '../gitops/paths.js';
import {
  type CommitRequest,
  type CommitResult,
  type GitOpsStore,
  type HistoryEntry,
  type Snapshot,
  StoreError,
} from '../gitops/store.js';

export interface GitHubStoreOptions {
  octokit: Octokit;
  /** `owner/name` */
  repo: string;
  /** Default: the repository's default branch. */
  branch?: string | undefined;
  /** GITHUB_GRAPHQL_URL, where it is not derivable from the REST URL. */
  graphqlUrl?: string | undefined;
}

interface BlobNode {
  text: string | null;
  isBinary: boolean | null;
  isTruncated?: boolean | null;
}
interface FileNode {
  object: BlobNode | null;
}
interface CommitNode {
  oid: string;
  history: { nodes: { oid: string; committedDate: string; message: string; file: FileNode | null }[] };
  [alias: string]: unknown;
}
interface ReadResponse {
  repository: { ref: { name: string; target: CommitNode | null } | null } | null;
}

const BLOB = '... on Blob { text isBinary isTruncated }';

/**
 * ONE query: the branch head, every requested file at that head, and the watched file's history
 * with its text and full message at each commit. Files are read from the head commit itself,
 * so everything comes from one consistent snapshot.
 */
export function readQuery(fileCount: number, useDefaultBranch: boolean): string {
  const vars = Array.from({ length: fileCount }, (_, i) => `, $f${i}: String!`).join('');
  const files = Array.from(
    { length: fileCount },
    (_, i) => `f${i}: file(path: $f${i}) { object { ${BLOB} } }`,
  ).join('\n          ');
  const ref = useDefaultBranch ? 'ref: defaultBranchRef' : 'ref(qualifiedName: $ref)';
  return `query PinbackRead($owner: String!, $name: String!${useDefaultBranch ? '' : ', $ref: String!'}, $historyPath: String!, $limit: Int!${vars}) {
  repository(owner: $owner, name: $name) {
    ${ref} {
      name
      target {
        ... on Commit {
          oid
          ${files}
          history(first: $limit, path: $historyPath) {
            nodes { oid committedDate message file(path: $historyPath) { object { ${BLOB} } } }
          }
        }
      }
    }
  }
}`;
}

export const COMMIT_MUTATION = `mutation PinbackCommit($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`;

interface GraphqlErrorLike {
  errors?: { type?: string; message: string }[];
  message: string;
}

function blobText(node: FileNode | null | undefined, path: string): string | null {
  if (!node?.object) return null;
  const b = node.object;
  if (b.isBinary || b.text === null)
    throw new StoreError(`${path} is a binary file: a pin lives in a text file`);
  if (b.isTruncated) throw new StoreError(`${path} is too large for the GitHub API to return whole`);
  return b.text;
}

/**
 * The GitOps repo on GitHub: reads with one GraphQL query and writes with one signed
 * `createCommitOnBranch` guarded by `expectedHeadOid` (a moved branch answers STALE_DATA).
 */
export function openGitHubStore(o: GitHubStoreOptions): GitOpsStore {
  const [owner, name] = o.repo.split('/') as [string, string];
  let branch = o.branch;
  // The one-object form: beside a query string, @octokit/graphql rejects `url` as a variable name.
  const gql = <T>(query: string, variables: Record<string, unknown>) =>
    o.octokit.graphql<T>({ query, ...variables, ...(o.graphqlUrl ? { url: o.graphqlUrl } : {}) });
  const describe = () => `${o.repo} (branch ${branch ?? 'default'})`;

  return {
    describe,
    async close() {},
    async read({ files, historyOf, limit }): Promise<Snapshot> {
      const paths = files.map(safeRepoPath);
      const historyPath = safeRepoPath(historyOf);
      const variables: Record<string, unknown> = { owner, name, historyPath, limit: Math.min(limit, 100) };
      paths.forEach((p, i) => {
        variables[`f${i}`] = p;
      });
      if (branch) variables.ref = `refs/heads/${branch}`;
      let data: ReadResponse;
      try {
        data = await gql<ReadResponse>(readQuery(paths.length, !branch), variables);
      } catch (e) {
        throw new StoreError(`reading ${describe()} from GitHub failed: ${(e as Error).message}`);
      }
      if (!data.repository)
        throw new StoreError(`GitHub repository ${o.repo} not found, or the token cannot read it`);
      const ref = data.repository.ref;
      if (!ref?.target) throw new StoreError(`branch ${branch ?? '(default)'} not found in ${o.repo}`);
      branch ??= ref.name;
      const head = ref.target;
      const history: HistoryEntry[] = head.history.nodes.map((n) => ({
        sha: n.oid,
        time: Math.floor(Date.parse(n.committedDate) / 1000),
        message: n.message,
        text: blobText(n.file, historyPath),
      }));
      return {
        head: head.oid,
        branch,
        files: new Map(paths.map((p, i) => [files[i]!, blobText(head[`f${i}`] as FileNode | null, p)])),
        history,
      };
    },
    async commit(req: CommitRequest): Promise<CommitResult> {
      const target = req.branch ?? branch;
      if (!target) throw new StoreError(`${describe()}: read before commit, so the branch is known`);
      if (req.branch) await resetBranch(o.octokit, owner, name, req.branch, req.expectedHead);
      const [headline, ...rest] = req.message.split('\n');
      const input = {
        branch: { repositoryNameWithOwner: o.repo, branchName: target },
        expectedHeadOid: req.expectedHead,
        message: { headline: headline!, body: rest.join('\n').replace(/^\n+/, '') },
        fileChanges: {
          additions: req.changes.map((c) => ({
            path: safeRepoPath(c.path),
            contents: Buffer.from(c.content, 'utf8').toString('base64'),
          })),
        },
      };
      try {
        const data = await gql<{ createCommitOnBranch: { commit: { oid: string; url: string } } }>(
          COMMIT_MUTATION,
          { input },
        );
        return {
          ok: true,
          sha: data.createCommitOnBranch.commit.oid,
          url: data.createCommitOnBranch.commit.url,
        };
      } catch (e) {
        const err = e as GraphqlErrorLike;
        if (err.errors?.some((x) => x.type === 'STALE_DATA'))
          return { ok: false, reason: 'stale', detail: err.message };
        throw new StoreError(`committing to ${o.repo} branch ${target} failed: ${err.message}`);
      }
    },
  };
}

/** Points a proposal branch at `sha`: created when missing, moved (forced) when a re-run rebuilds it. */
async function resetBranch(
  octokit: Octokit,
  owner: string,
  repo: string,
  branch: string,
  sha: string,
): Promise<void> {
  try {
    await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
  } catch (e) {
    if ((e as { status?: number }).status !== 422)
      throw new StoreError(`creating branch ${branch} failed: ${(e as Error).message}`);
    await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true });
  }
}
