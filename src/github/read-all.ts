import { type ReadRequest, type Snapshot, StoreError } from '../gitops/store.js';
import { absorb, type Gathered, gathered, type RoundAnswer } from './read-answer.js';
import { blobText, mergesNeeded, pairKey, parentsOf, requestHistory } from './read-assemble.js';
import { type PlannedRead, planReads, type Walk } from './read-plan.js';
import { type RoundQuery, roundQuery, type RoundSpec } from './read-query.js';
import type { UsageMeter } from './usage.js';

/*
 * The batched read of the GitHub store: one GraphQL query per page of history files (read-plan.ts),
 * the first resolving the branch's head and the later ones reading that same commit by id, so
 * every snapshot comes from one head. What a page's answer calls for (more changes since, merges
 * to read) rides along with the next page, or follows on its own after the last one.
 */

/** Connections a round spends on follow-ups at most (1 point per 100, beside its page's 2 or 3). */
export const FOLLOW_UPS_PER_QUERY = 500;

export interface ReadAllDeps {
  owner: string;
  name: string;
  /** owner/name, for messages. */
  repo: string;
  /** The branch to read; undefined: the repository's default branch. */
  branch: string | undefined;
  query: <T>(query: string, variables: Record<string, unknown>) => Promise<T>;
  meter: UsageMeter;
  describe: () => string;
  /** History files and files per query (read-plan.ts): lower them where GitHub times out. */
  perQuery?: { paths: number; files: number } | undefined;
}

const FAILED: Record<RoundQuery['operation'], string> = {
  PinbackRead: 'reading',
  PinbackMerges: 'reading the merges of',
  PinbackRecent: 'reading the history of',
};

/** What is left to read once a page has answered: more changes since, merges. */
function followUpQueue(g: Gathered, readsOf: ReadonlyMap<number, readonly PlannedRead[]>) {
  const recent: { walk: Walk; after: string }[] = [];
  const merges: { sha: string; path: string }[] = [];
  const asked = new Set<string>();
  const reachAsked = new Set<string>();
  return {
    pending: () => recent.length > 0 || merges.length > 0,
    /** A walk's page came: its next page is queued, or, once it is whole, the merges it needs. */
    advance(walk: Walk): void {
      const w = g.walks.get(walk.id)!;
      const after = g.cursors.get(walk.id) ?? null;
      const count = w.recent.reduce((n, p) => n + p.nodes.length, 0);
      if (w.recent.at(-1)?.hasNextPage && after !== null && count < walk.want) {
        recent.push({ walk, after });
        return;
      }
      for (const r of readsOf.get(walk.id) ?? [])
        for (const sha of mergesNeeded(r, w, g.learned)) {
          const key = pairKey(sha, walk.path);
          if (asked.has(key)) continue;
          asked.add(key);
          merges.push({ sha, path: walk.path });
        }
    },
    /** The next round's follow-ups, within FOLLOW_UPS_PER_QUERY connections. */
    take(): Pick<RoundSpec, 'recent' | 'merges' | 'reach'> {
      let budget = FOLLOW_UPS_PER_QUERY;
      const pages = recent.splice(0, budget);
      budget -= pages.length;
      const bySha = new Map<string, string[]>();
      const reach = new Map<string, string[]>();
      while (merges.length > 0 && budget > 0) {
        const { sha, path } = merges.shift()!;
        bySha.set(sha, [...(bySha.get(sha) ?? []), path]);
        // Each parent's newest change of the file, once per parent and file however many merges share it.
        for (const parent of parentsOf(g.learned, sha)) {
          const key = pairKey(parent, path);
          if (reachAsked.has(key)) continue;
          reachAsked.add(key);
          reach.set(parent, [...(reach.get(parent) ?? []), path]);
          budget--;
        }
      }
      const list = (m: Map<string, string[]>) => [...m].map(([sha, paths]) => ({ sha, paths }));
      return { recent: pages, merges: list(bySha), reach: list(reach) };
    },
  };
}

/** Several reads from one head in as few queries as the pages allow (GitOpsStore.readAll). */
export async function readAllFromGitHub(
  deps: ReadAllDeps,
  requests: readonly ReadRequest[],
): Promise<{ snapshots: Snapshot[]; branch: string | undefined }> {
  const plan = planReads(requests, deps.perQuery);
  let branch = deps.branch;
  if (plan.reads.length === 0) return { snapshots: [], branch };
  const readsOf = new Map<number, PlannedRead[]>();
  for (const r of plan.reads) if (r.walk) readsOf.set(r.walk.id, [...(readsOf.get(r.walk.id) ?? []), r]);
  const g = gathered(deps.repo);
  const queue = followUpQueue(g, readsOf);

  for (let round = 0; round < plan.pages.length || queue.pending(); round++) {
    const page = plan.pages[round];
    const spec: RoundSpec = {
      at: round === 0 ? { branch } : { head: g.learned.head },
      files: page?.files ?? [],
      walks: page?.walks ?? [],
      chain: page && page.walks.length > 0 ? { paths: page.paths, parents: !g.windowRead } : undefined,
      ...queue.take(),
    };
    const q = roundQuery(spec, deps.owner, deps.name);
    deps.meter.read();
    let answer: RoundAnswer;
    try {
      answer = await deps.query<RoundAnswer>(q.query, q.variables);
    } catch (e) {
      throw new StoreError(
        `${FAILED[q.operation]} ${deps.describe()} from GitHub failed: ${(e as Error).message}`,
      );
    }
    deps.meter.rate(answer.rateLimit);
    const resolved = absorb(g, spec, answer);
    branch ??= resolved;
    // Walks are planned once the window and their files' ids on it are known: the merges come next.
    for (const w of spec.walks) queue.advance(w);
    for (const { walk } of spec.recent) queue.advance(walk);
  }

  const snapshots = plan.reads.map((r): Snapshot => ({
    head: g.learned.head,
    branch,
    files: new Map(r.files.map((f) => [f.key, blobText(g.files.get(f.path), f.path, true)])),
    history: r.walk ? requestHistory(r, g.walks.get(r.walk.id)!, g.learned) : [],
  }));
  return { snapshots, branch };
}
