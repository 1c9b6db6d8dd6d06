import { mergeEntry, planFirstParent, type Reached, type Slot } from '../gitops/first-parent.js';
import { HISTORY_SINCE_CAP, type HistoryEntry, historyKept, StoreError } from '../gitops/store.js';
import type { CommitAuthor } from '../history/entry.js';
import { historyFirst, type PlannedRead } from './read-plan.js';

/*
 * One request's history from what a batched read fetched (pure). A walk may be shared and read
 * deeper than this request needs: each request takes the part of it that it alone would have
 * read (the first `historyFirst(limit)` entries, the pages of changes since it would have fetched)
 * and plans its first-parent history from that, so a batch answers each request as a read of it
 * alone would.
 */

export interface BlobNode {
  text?: string | null;
  isBinary?: boolean | null;
  isTruncated?: boolean | null;
  byteSize?: number | null;
}
export interface FileNode {
  object: BlobNode | null;
}
export interface ActorNode {
  name: string | null;
  email: string | null;
}
/** A commit of a walk: a change of the walk's file. */
export interface ChangeNode {
  oid: string;
  committedDate: string;
  message: string;
  author: ActorNode | null;
  file?: FileNode | null;
}

/** What a walk read: `history` (up to `since` where set) and the pages of changes since. */
export interface WalkRead {
  older: ChangeNode[];
  recent: { nodes: ChangeNode[]; hasNextPage: boolean }[];
}

export interface MergeCommit {
  time: number;
  message: string;
  author: CommitAuthor | undefined;
}

/** What a batched read learned beside the walks, shared by every request. */
export interface Learned {
  /** owner/name, for messages. */
  repo: string;
  head: string;
  /** The branch's newest commits (CHAIN_WINDOW) with their parents. */
  window: { sha: string; parents: string[] }[];
  /** Per history file, its object id on each commit of `window` (null: no such file there). */
  fileIds: Map<string, (string | null)[]>;
  /** Merge commits read; null where GitHub has no such commit. */
  merges: Map<string, MergeCommit | null>;
  /** A file's object at a merge, by pairKey(merge, path). */
  mergeTexts: Map<string, FileNode | null>;
  /** The newest change of a file a commit reaches, by pairKey(commit, path); null: none. */
  reached: Map<string, Reached | null>;
}

export const pairKey = (sha: string, path: string): string => `${sha}\n${path}`;

export const seconds = (date: string): number => Math.floor(Date.parse(date) / 1000);

/** The commit author as git records it; undefined where GitHub has no email for it. */
export function authorOf(node: ActorNode | null | undefined): CommitAuthor | undefined {
  return typeof node?.email === 'string' ? { name: node.name ?? '', email: node.email } : undefined;
}

export function blobText(
  node: FileNode | null | undefined,
  path: string,
  /** A file pinback may write: its text must be its bytes, or an edit would corrupt it. */
  strict = false,
): string | null {
  if (!node?.object) return null;
  const b = node.object;
  // A directory (a history of `.pinback/locks`) has no text: the entry's commit is what counts.
  if (b.text === undefined && b.isBinary === undefined) return null;
  if (b.isBinary || b.text === null || b.text === undefined)
    throw new StoreError(`${path} is a binary file: a pin lives in a text file`);
  if (b.isTruncated) throw new StoreError(`${path} is too large for the GitHub API to return whole`);
  // GitHub answers `text` decoded as UTF-8, a byte that is not UTF-8 replaced by U+FFFD (3 bytes):
  // the sizes then differ, and writing the text back would change bytes nobody asked to change.
  const bytes = Buffer.byteLength(b.text, 'utf8');
  if (strict && typeof b.byteSize === 'number' && bytes !== b.byteSize) {
    throw new StoreError(
      `${path} is not UTF-8 text (${b.byteSize} bytes in the repository, ${bytes} as GitHub decodes them): pinback refuses to edit it rather than corrupt it; convert the file to UTF-8`,
    );
  }
  return b.text;
}

/**
 * The changes the request alone would have read: `history(first: historyFirst(limit))` and, with
 * `since`, the pages of changes since it would have fetched (the first, then more while another
 * follows and fewer than HISTORY_SINCE_CAP + limit came), the older ones after them unless some
 * since were left out (both ends are inclusive: a change at `since` itself comes once).
 */
export function requestNodes(read: PlannedRead, walk: WalkRead): ChangeNode[] {
  const older = walk.older.slice(0, historyFirst(read.limit));
  if (read.since === undefined) return older;
  const want = HISTORY_SINCE_CAP + read.limit;
  const recent: ChangeNode[] = [];
  let more = false;
  for (const page of walk.recent) {
    recent.push(...page.nodes);
    more = page.hasNextPage;
    if (!more || recent.length >= want) break;
  }
  const seen = new Set(recent.map((n) => n.oid));
  return more ? recent : [...recent, ...older.filter((n) => !seen.has(n.oid))];
}

interface Planned {
  nodes: ChangeNode[];
  slots: Slot[];
  /** Entries planned before the merges are read: all with `since`, else the limit (at most 100). */
  horizon: number;
  cap: number;
}

function plan(read: PlannedRead, walk: WalkRead, learned: Learned): Planned {
  const nodes = requestNodes(read, walk);
  const ids = learned.fileIds.get(read.path) ?? [];
  const window = learned.window.map((c, i) => ({ ...c, file: ids[i] ?? null }));
  const simplified = nodes.map((n): HistoryEntry => {
    const entry: HistoryEntry = {
      sha: n.oid,
      time: seconds(n.committedDate),
      message: n.message,
      text: null,
    };
    const author = authorOf(n.author);
    if (author !== undefined) entry.author = author;
    return entry;
  });
  const slots = planFirstParent(learned.head, window, simplified);
  const cap = Math.min(read.limit, 100);
  return { nodes, slots, cap, horizon: read.since === undefined ? cap : slots.length };
}

/** The merges of the request's first-parent history whose details are still to be read. */
export function mergesNeeded(read: PlannedRead, walk: WalkRead, learned: Learned): string[] {
  const { slots, horizon } = plan(read, walk, learned);
  return slots.slice(0, horizon).flatMap((s) => (s.kind === 'merge' ? [s.sha] : []));
}

/** The parents of a merge of the window: the commits whose reach of the file is read. */
export function parentsOf(learned: Learned, merge: string): string[] {
  return learned.window.find((c) => c.sha === merge)?.parents ?? [];
}

/** A merge's entry from its details: dated by the merge, with the message of what it brought. */
function mergeOf(
  sha: string,
  path: string,
  learned: Learned,
  chain: ReadonlySet<string>,
): { entry: HistoryEntry; brought: string | undefined } {
  const node = learned.merges.get(sha);
  if (!node) throw new StoreError(`merge commit ${sha} not found in ${learned.repo}`);
  const reached = parentsOf(learned, sha).map((p) => learned.reached.get(pairKey(p, path)) ?? undefined);
  const entry: HistoryEntry = {
    sha,
    time: node.time,
    message: node.message,
    text: blobText(learned.mergeTexts.get(pairKey(sha, path)), path),
  };
  if (node.author !== undefined) entry.author = node.author;
  return mergeEntry(entry, reached, chain);
}

/**
 * The request's history: its first-parent entries (the merges among them with their details, the
 * commits they brought in left out), kept as `historyKept` says, each with the file's text.
 */
export function requestHistory(read: PlannedRead, walk: WalkRead, learned: Learned): HistoryEntry[] {
  const { nodes, slots, horizon, cap } = plan(read, walk, learned);
  const merges = slots.slice(0, horizon).flatMap((s) => (s.kind === 'merge' ? [s.sha] : []));
  let planned: HistoryEntry[];
  if (merges.length === 0) {
    planned = slots.slice(0, horizon).flatMap((s) => (s.kind === 'entry' ? [s.entry] : []));
  } else {
    // Commits of the first-parent chain are changes of their own, never what a merge brought in.
    const chain = new Set(slots.flatMap((s) => (s.kind === 'entry' && s.chain ? [s.entry.sha] : [])));
    const entries = new Map<string, HistoryEntry>();
    const brought = new Set<string>();
    for (const sha of merges) {
      const merged = mergeOf(sha, read.path, learned, chain);
      entries.set(sha, merged.entry);
      if (merged.brought !== undefined) brought.add(merged.brought);
    }
    planned = [];
    for (const s of slots) {
      if (s.kind === 'merge') {
        const entry = entries.get(s.sha);
        if (!entry) break;
        planned.push(entry);
      } else if (!brought.has(s.entry.sha)) planned.push(s.entry);
    }
    planned = planned.slice(0, horizon);
  }
  // With `since`, `cap` counts only the changes older than it.
  planned.splice(historyKept(planned, cap, read.since));
  // Texts are checked (binary, truncated) only for the entries kept: more are read than kept.
  const byId = new Map(nodes.map((n) => [n.oid, n]));
  return planned.map((h) => {
    const n = byId.get(h.sha);
    return n ? { ...h, text: blobText(n.file, read.path) } : h;
  });
}
