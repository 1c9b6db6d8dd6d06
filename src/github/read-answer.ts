import { StoreError } from '../gitops/store.js';
import {
  authorOf,
  type ChangeNode,
  type FileNode,
  type Learned,
  pairKey,
  seconds,
  type WalkRead,
} from './read-assemble.js';
import { ALIAS, type RoundSpec } from './read-query.js';
import type { RateLimitNode } from './usage.js';

/*
 * One round's answer taken in (no I/O): what it says about the head, the files, the walks and the
 * merges is added to what the batched read has gathered so far (read-all.ts).
 */

interface PageNode {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: ChangeNode[];
}
interface ChainNode {
  oid: string;
  parents?: { nodes: { oid: string }[] };
  [alias: string]: unknown;
}
type HeadCommit = { oid: string; chain?: { nodes: ChainNode[] } } & Record<string, unknown>;
type MergeNode = {
  committedDate: string;
  message: string;
  author: ChangeNode['author'];
} & Record<string, unknown>;
type ReachNode = Record<string, { nodes: ChangeNode[] } | null>;

/** The answer to a round (read-query.ts): aliases by ALIAS. */
export interface RoundAnswer {
  rateLimit: RateLimitNode | null;
  repository:
    | ({ ref?: { name: string; target: HeadCommit | null } | null; at?: HeadCommit | null } & Record<
        string,
        unknown
      >)
    | null;
}

/** Everything a batched read gathered: for every request (Learned), the files, each walk. */
export interface Gathered {
  learned: Learned;
  files: Map<string, FileNode | null>;
  walks: Map<number, WalkRead>;
  /** Where each walk's changes since continue (null: no further page). */
  cursors: Map<number, string | null>;
  /** Whether the window's commits and parents are known (read with the first chain). */
  windowRead: boolean;
}

export function gathered(repo: string): Gathered {
  return {
    learned: {
      repo,
      head: '',
      window: [],
      fileIds: new Map(),
      merges: new Map(),
      mergeTexts: new Map(),
      reached: new Map(),
    },
    files: new Map(),
    walks: new Map(),
    cursors: new Map(),
    windowRead: false,
  };
}

/** The commit the round read at the head: the branch's on the first round, `at` on later ones. */
function headOf(g: Gathered, spec: RoundSpec, answer: RoundAnswer): { commit?: HeadCommit; branch?: string } {
  const repo = g.learned.repo;
  const repository = answer.repository!;
  if ('branch' in spec.at) {
    if (!repository.ref?.target)
      throw new StoreError(`branch ${spec.at.branch ?? '(default)'} not found in ${repo}`);
    g.learned.head = repository.ref.target.oid;
    return { commit: repository.ref.target, branch: repository.ref.name };
  }
  if (spec.files.length === 0 && spec.walks.length === 0 && spec.recent.length === 0) return {};
  if (!repository.at) throw new StoreError(`commit ${g.learned.head} not found in ${repo}`);
  return { commit: repository.at };
}

function takeChain(g: Gathered, chain: NonNullable<RoundSpec['chain']>, at: HeadCommit): void {
  const nodes = at.chain?.nodes ?? [];
  if (chain.parents) {
    g.learned.window = nodes.map((n) => ({ sha: n.oid, parents: n.parents?.nodes.map((p) => p.oid) ?? [] }));
    g.windowRead = true;
  } else if (nodes.map((n) => n.oid).join() !== g.learned.window.map((c) => c.sha).join()) {
    // The same commit read by id has the same ancestors: anything else is not GitHub as we know it.
    throw new StoreError(`the newest commits of ${g.learned.repo} came back different: read again`);
  }
  chain.paths.forEach((p, j) =>
    g.learned.fileIds.set(
      p,
      nodes.map((n) => (n[ALIAS.chainFile(j)] as { oid: string } | null)?.oid ?? null),
    ),
  );
}

function takeHead(g: Gathered, spec: RoundSpec, at: HeadCommit): void {
  spec.files.forEach((f, i) => g.files.set(f, (at[ALIAS.file(i)] as FileNode | null) ?? null));
  if (spec.chain) takeChain(g, spec.chain, at);
  spec.walks.forEach((w, i) => {
    const recent = at[ALIAS.recent(i)] as PageNode | null | undefined;
    g.walks.set(w.id, {
      older: (at[ALIAS.history(i)] as { nodes: ChangeNode[] } | null)?.nodes ?? [],
      recent: recent ? [{ nodes: recent.nodes, hasNextPage: recent.pageInfo.hasNextPage }] : [],
    });
    g.cursors.set(w.id, recent?.pageInfo.endCursor ?? null);
  });
  spec.recent.forEach(({ walk }, i) => {
    const next = at[ALIAS.next(i)] as PageNode | null;
    if (!next) throw new StoreError(`commit ${g.learned.head} not found in ${g.learned.repo}`);
    g.walks.get(walk.id)!.recent.push({ nodes: next.nodes, hasNextPage: next.pageInfo.hasNextPage });
    g.cursors.set(walk.id, next.pageInfo.endCursor);
  });
}

function takeFollowUps(g: Gathered, spec: RoundSpec, repository: Record<string, unknown>): void {
  const { learned } = g;
  spec.merges.forEach((m, i) => {
    const node = repository[ALIAS.merge(i)] as MergeNode | null | undefined;
    learned.merges.set(
      m.sha,
      node
        ? { time: seconds(node.committedDate), message: node.message, author: authorOf(node.author) }
        : null,
    );
    m.paths.forEach((p, j) =>
      learned.mergeTexts.set(pairKey(m.sha, p), (node?.[ALIAS.mergeFile(j)] as FileNode | null) ?? null),
    );
  });
  spec.reach.forEach((r, i) => {
    const node = repository[ALIAS.reach(i)] as ReachNode | null | undefined;
    r.paths.forEach((p, j) => {
      const n = node?.[ALIAS.reached(j)]?.nodes[0];
      learned.reached.set(
        pairKey(r.sha, p),
        n
          ? { sha: n.oid, time: seconds(n.committedDate), message: n.message, author: authorOf(n.author) }
          : null,
      );
    });
  });
}

/**
 * Takes in a round's answer; returns the branch's name where the round resolved it. A missing
 * repository, branch or head commit is a StoreError saying which.
 */
export function absorb(g: Gathered, spec: RoundSpec, answer: RoundAnswer): string | undefined {
  if (!answer.repository)
    throw new StoreError(`GitHub repository ${g.learned.repo} not found, or the token cannot read it`);
  const { commit, branch } = headOf(g, spec, answer);
  if (commit) takeHead(g, spec, commit);
  takeFollowUps(g, spec, answer.repository);
  return branch;
}
