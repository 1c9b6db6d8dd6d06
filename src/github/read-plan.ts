import { safeRepoPath } from '../gitops/paths.js';
import { HISTORY_SINCE_CAP, type ReadRequest, StoreError } from '../gitops/store.js';

/*
 * How the GitHub store batches reads (pure): the requests' history files become walks, read once
 * each however many requests name them, and the walks and files are cut into pages, one GraphQL
 * query each (read-all.ts).
 */

/**
 * History files per query. Each costs one or two `history(path:)` connections (about 2 points a
 * page of 100, 3 with `since`) and at most 200 nodes; the chain shared by a page holds one
 * `file(path:)` per file on each of its commits (125 x 100 lookups at most). 125 rather than 100:
 * the merges of a page are read with the next page, so 1,000 services take 8 pages and at most
 * one more query for the last page's merges, within the 10 reads issue 13 allows.
 */
export const PATHS_PER_PAGE = 125;
/** Files read at the head per query: tree lookups, no connection, but text in the answer. */
export const FILES_PER_PAGE = 300;

/** The history entries a read wants beyond `limit`: merges may leave some of the simplified history out. */
export function historyFirst(limit: number): number {
  return Math.min(100, limit + Math.ceil(limit / 4));
}

/** One history read of a file, shared by every request naming that file (and `since`). */
export interface Walk {
  /** Its place among the plan's walks. */
  id: number;
  path: string;
  /** ISO time: the changes since then are read in full (`recent`, paged), the older ones by count. */
  since: string | undefined;
  /** `history(first:)`: the most any of its requests reads. */
  first: number;
  /** With `since`: how many changes since then are read at most (the most any request wants). */
  want: number;
}

/** One request, normalized: what its snapshot holds. */
export interface PlannedRead {
  /** The request's files: the snapshot's keys (as asked) and the paths read. */
  files: { key: string; path: string }[];
  path: string;
  limit: number;
  /** Set where the history is read back by time (`since` and a limit above 0). */
  since: Date | undefined;
  /** Undefined where the request reads no history (limit 0). */
  walk: Walk | undefined;
}

export interface Page {
  /** The history files whose walks this page reads (the chain's aliases). */
  paths: string[];
  walks: Walk[];
  files: string[];
}

export interface ReadPlan {
  reads: PlannedRead[];
  walks: Walk[];
  pages: Page[];
}

function chunks<T>(items: readonly T[], count: number): T[][] {
  const size = Math.ceil(items.length / count);
  return Array.from({ length: count }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/**
 * The walks and pages of a batch of reads. Requests naming the same file with the same `since`
 * share a walk read as deep as the deepest of them needs; each still keeps only what it alone
 * would have read (read-assemble.ts). Pages are as even as the limits allow.
 */
export function planReads(
  requests: readonly ReadRequest[],
  limits: { paths: number; files: number } = { paths: PATHS_PER_PAGE, files: FILES_PER_PAGE },
): ReadPlan {
  const walks = new Map<string, Walk>();
  const files = new Set<string>();
  const reads = requests.map((r): PlannedRead => {
    const planned = r.files.map((key) => ({ key, path: safeRepoPath(key) }));
    const path = safeRepoPath(r.historyOf);
    if (r.since !== undefined && Number.isNaN(r.since.getTime()))
      throw new StoreError('history since must be a valid time');
    planned.forEach((f) => files.add(f.path));
    const since = r.since !== undefined && r.limit > 0 ? r.since : undefined;
    if (r.limit <= 0) return { files: planned, path, limit: r.limit, since, walk: undefined };
    const iso = since?.toISOString();
    const key = `${path}\n${iso ?? ''}`;
    let walk = walks.get(key);
    if (!walk) {
      walk = { id: walks.size, path, since: iso, first: 0, want: 0 };
      walks.set(key, walk);
    }
    walk.first = Math.max(walk.first, historyFirst(r.limit));
    if (iso !== undefined) walk.want = Math.max(walk.want, HISTORY_SINCE_CAP + r.limit);
    return { files: planned, path, limit: r.limit, since, walk };
  });
  if (reads.length === 0) return { reads, walks: [], pages: [] };
  const all = [...walks.values()];
  const paths = [...new Set(all.map((w) => w.path))];
  const count = Math.max(1, Math.ceil(paths.length / limits.paths), Math.ceil(files.size / limits.files));
  const pathPages = chunks(paths, count);
  const filePages = chunks([...files], count);
  const pages = pathPages
    .map((p, i) => {
      const on = new Set(p);
      return { paths: p, walks: all.filter((w) => on.has(w.path)), files: filePages[i]! };
    })
    // The first page is read even when empty: it resolves the head.
    .filter((p, i) => i === 0 || p.paths.length > 0 || p.files.length > 0);
  return { reads, walks: all, pages };
}
