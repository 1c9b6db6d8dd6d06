import type { Octokit } from './octokit.js';
import {
  mergeEntry,
  planFirstParent,
  type Reached,
  type Slot,
  type WindowCommit,
} from '../gitops/first-parent.js';
import { safeRepoPath } from '../gitops/paths.js';
import {
  type CommitRequest,
  type CommitResult,
  type GitOpsStore,
  HISTORY_SINCE_CAP,
  type HistoryEntry,
  historyKept,
  type Snapshot,
  StoreError,
} from '../gitops/store.js';
import { CHAIN_WINDOW, COMMIT_MUTATION, mergesQuery, RECENT_QUERY, readQuery } from './queries.js';

export { CHAIN_WINDOW, COMMIT_MUTATION, mergesQuery, readQuery } from './queries.js';

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
interface Parents {
  parents: { nodes: { oid: string }[] };
}
interface HistoryNode {
  oid: string;
  committedDate: string;
  message: string;
  file: FileNode | null;
}
interface HistoryPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: HistoryNode[];
}
interface CommitNode {
  oid: string;
  history: { nodes: HistoryNode[] };
  /** With `since`: the changes since then (the first page). */
  recent?: HistoryPage;
  chain: { nodes: (Parents & { oid: string; file: { oid: string } | null })[] };
  [alias: string]: unknown;
}
interface ReadResponse {
  repository: { ref: { name: string; target: CommitNode | null } | null } | null;
}
interface RecentResponse {
  repository: { object: { history: HistoryPage } | null } | null;
}
interface ReachNode {
  history: { nodes: { oid: string; committedDate: string; message: string }[] };
}
interface MergeNode {
  oid: string;
  committedDate: string;
  message: string;
  file: FileNode | null;
  parents: { nodes: ReachNode[] };
}
interface MergesResponse {
  repository: Record<string, MergeNode | null> | null;
}

interface GraphqlErrorLike {
  errors?: { type?: string; message: string }[];
  message: string;
}

const seconds = (date: string): number => Math.floor(Date.parse(date) / 1000);

/** The history entries a read wants beyond `limit`: merges may leave some of the simplified history out. */
export function historyFirst(limit: number): number {
  return Math.min(100, limit + Math.ceil(limit / 4));
}

function blobText(node: FileNode | null | undefined, path: string): string | null {
  if (!node?.object) return null;
  const b = node.object;
  // A directory (a history of `.pinback/locks`) has no text: the entry's commit is what counts.
  if (b.text === undefined && b.isBinary === undefined) return null;
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

  /**
   * The entries of a planned first-parent history, at most `cap`: the merges among them read in
   * one more query (none without a merge), and the commits they brought in left out.
   */
  async function firstParent(slots: Slot[], cap: number, historyPath: string): Promise<HistoryEntry[]> {
    const merges = slots.slice(0, cap).flatMap((s) => (s.kind === 'merge' ? [s.sha] : []));
    if (merges.length === 0) return slots.slice(0, cap).flatMap((s) => (s.kind === 'entry' ? [s.entry] : []));
    const variables: Record<string, unknown> = { owner, name, historyPath };
    merges.forEach((m, i) => {
      variables[`m${i}`] = m;
    });
    let data: MergesResponse;
    try {
      data = await gql<MergesResponse>(mergesQuery(merges.length), variables);
    } catch (e) {
      throw new StoreError(`reading the merges of ${describe()} from GitHub failed: ${(e as Error).message}`);
    }
    // Commits of the first-parent chain are changes of their own, never what a merge brought in.
    const chain = new Set(slots.flatMap((s) => (s.kind === 'entry' && s.chain ? [s.entry.sha] : [])));
    const read = new Map<string, HistoryEntry>();
    const brought = new Set<string>();
    merges.forEach((sha, i) => {
      const node = data.repository?.[`m${i}`];
      if (!node) throw new StoreError(`merge commit ${sha} not found in ${o.repo}`);
      const reached = node.parents.nodes.map((p): Reached | undefined => {
        const r = p.history.nodes[0];
        return r && { sha: r.oid, time: seconds(r.committedDate), message: r.message };
      });
      const merged = mergeEntry(
        {
          sha: node.oid,
          time: seconds(node.committedDate),
          message: node.message,
          text: blobText(node.file, historyPath),
        },
        reached,
        chain,
      );
      read.set(sha, merged.entry);
      if (merged.brought !== undefined) brought.add(merged.brought);
    });
    const history: HistoryEntry[] = [];
    for (const s of slots) {
      if (s.kind === 'merge') {
        const entry = read.get(s.sha);
        if (!entry) break;
        history.push(entry);
      } else if (!brought.has(s.entry.sha)) history.push(s.entry);
    }
    return history.slice(0, cap);
  }

  /**
   * The changes since `since`: the first page and as many more as there are, up to `want`;
   * `more` where some are left out.
   */
  async function recentHistory(
    head: string,
    page: HistoryPage,
    historyPath: string,
    since: string,
    want: number,
  ): Promise<{ nodes: HistoryNode[]; more: boolean }> {
    const nodes = [...page.nodes];
    let info = page.pageInfo;
    while (info.hasNextPage && info.endCursor !== null && nodes.length < want) {
      let data: RecentResponse;
      try {
        data = await gql<RecentResponse>(RECENT_QUERY, {
          owner,
          name,
          head,
          historyPath,
          since,
          after: info.endCursor,
        });
      } catch (e) {
        throw new StoreError(
          `reading the history of ${describe()} from GitHub failed: ${(e as Error).message}`,
        );
      }
      const next = data.repository?.object?.history;
      if (!next) throw new StoreError(`commit ${head} not found in ${o.repo}`);
      nodes.push(...next.nodes);
      info = next.pageInfo;
    }
    return { nodes, more: info.hasNextPage };
  }

  return {
    describe,
    async close() {},
    async read({ files, historyOf, limit, since }): Promise<Snapshot> {
      const paths = files.map(safeRepoPath);
      const historyPath = safeRepoPath(historyOf);
      if (since !== undefined && Number.isNaN(since.getTime()))
        throw new StoreError('history since must be a valid time');
      const bySince = since !== undefined && limit > 0;
      const variables: Record<string, unknown> = {
        owner,
        name,
        historyPath,
        limit: historyFirst(limit),
        window: limit === 0 ? 0 : CHAIN_WINDOW,
      };
      if (bySince) variables.since = since.toISOString();
      paths.forEach((p, i) => {
        variables[`f${i}`] = p;
      });
      if (branch) variables.ref = `refs/heads/${branch}`;
      let data: ReadResponse;
      try {
        data = await gql<ReadResponse>(readQuery(paths.length, !branch, bySince), variables);
      } catch (e) {
        throw new StoreError(`reading ${describe()} from GitHub failed: ${(e as Error).message}`);
      }
      if (!data.repository)
        throw new StoreError(`GitHub repository ${o.repo} not found, or the token cannot read it`);
      const ref = data.repository.ref;
      if (!ref?.target) throw new StoreError(`branch ${branch ?? '(default)'} not found in ${o.repo}`);
      branch ??= ref.name;
      const head = ref.target;
      // Texts are checked (binary, truncated) only for the entries returned: more are read than kept.
      let read = head.history.nodes;
      if (bySince && head.recent) {
        const recent = await recentHistory(
          head.oid,
          head.recent,
          historyPath,
          since.toISOString(),
          HISTORY_SINCE_CAP + limit,
        );
        // Both ends are inclusive: a change at `since` itself comes once. Where changes since
        // are left out, the older ones would leave a gap: the history ends with the recent ones.
        const seen = new Set(recent.nodes.map((n) => n.oid));
        read = recent.more ? recent.nodes : [...recent.nodes, ...read.filter((n) => !seen.has(n.oid))];
      }
      const nodes = new Map(read.map((n) => [n.oid, n]));
      const simplified: HistoryEntry[] = read.map((n) => ({
        sha: n.oid,
        time: seconds(n.committedDate),
        message: n.message,
        text: null,
      }));
      const window: WindowCommit[] = head.chain.nodes.map((n) => ({
        sha: n.oid,
        parents: n.parents.nodes.map((p) => p.oid),
        file: n.file?.oid ?? null,
      }));
      const cap = Math.min(limit, 100);
      const slots = planFirstParent(head.oid, window, simplified);
      const planned = await firstParent(slots, bySince ? slots.length : cap, historyPath);
      // With `since`, `cap` counts only the changes older than it.
      planned.splice(historyKept(planned, cap, bySince ? since : undefined));
      return {
        head: head.oid,
        branch,
        files: new Map(paths.map((p, i) => [files[i]!, blobText(head[`f${i}`] as FileNode | null, p)])),
        history: planned.map((h) => {
          const n = nodes.get(h.sha);
          return n ? { ...h, text: blobText(n.file, historyPath) } : h;
        }),
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
