import type { CommitAuthor } from '../history/entry.js';
import type { HistoryEntry } from './store.js';

/*
 * A file's history along a branch's first-parent chain, as both stores build it (pure). A change
 * reaches the branch with the first-parent commit that brought it: a pull request merged with a
 * merge commit was deployed when it was merged, not when its own commit was made hours before.
 * The commits a merge brought in are no entries of their own; the newest of them that changed the
 * file lends the merge its message, so a merged rollback proposal's trailers are still read.
 */

/** A commit of a graph read from git or GitHub, parents first parent first. */
export interface GraphCommit {
  sha: string;
  parents: readonly string[];
}

/**
 * What each merge of a first-parent chain brought in: the commits of `graph` reachable from its
 * other parents and not from its first. `merges` are newest first, each reachable from the one
 * before through first parents (as a first-parent walk lists them). A commit outside `graph` is
 * taken as reachable from the oldest merge's first parent: the graph holds what lies between that
 * commit and the newest merge (`git log NEWEST ^OLDEST^1`). Each commit is visited once.
 */
export function broughtIn(
  merges: readonly GraphCommit[],
  graph: ReadonlyMap<string, readonly string[]>,
): Map<string, string[]> {
  const seen = new Set<string>();
  const walk = (starts: readonly string[], into: string[]): void => {
    const stack: string[] = [];
    const visit = (c: string): void => {
      if (!graph.has(c) || seen.has(c)) return;
      seen.add(c);
      stack.push(c);
    };
    starts.forEach(visit);
    for (let c = stack.pop(); c !== undefined; c = stack.pop()) {
      into.push(c);
      (graph.get(c) ?? []).forEach(visit);
    }
  };
  const out = new Map<string, string[]>();
  // Oldest first: what the older merges reach is what the newer ones' first parents reach too.
  for (const m of [...merges].reverse()) {
    const [first, ...others] = m.parents;
    walk(first === undefined ? [] : [first], []);
    const side: string[] = [];
    walk(others, side);
    seen.add(m.sha);
    out.set(m.sha, side);
  }
  return out;
}

/** A merge's message followed by that of the newest commit it brought in that changed the file: its trailers stay the last paragraph. */
export function mergeMessage(merge: string, brought: string | undefined): string {
  return brought === undefined ? merge : `${merge.replace(/\n+$/, '')}\n\n${brought}`;
}

export interface Brought {
  /** The newest commit the merge brought in that changed the file; undefined when none did. */
  sha: string | undefined;
  /** The walk met the boundary of a shallow clone before finding one: deepen and look again. */
  cut: boolean;
}

/**
 * For each of a file's `merges` (newest first along first parents), the newest commit it brought
 * in (by walk `order`) that `touched` the file. What a merge of a first-parent chain brought in
 * (`sides`, one broughtIn over every merge of the chain) is the same whichever file is asked
 * about, so it is found once for all files. A commit of `boundary` (the edge of a shallow clone,
 * which looks like a root commit adding every file) is never one; a side that reaches it without
 * one is `cut`: deepen and look again.
 */
export function newestBroughtOf(
  sides: ReadonlyMap<string, readonly string[]>,
  merges: readonly string[],
  order: ReadonlyMap<string, number>,
  touched: (sha: string) => boolean,
  boundary: ReadonlySet<string>,
): Map<string, Brought> {
  const out = new Map<string, Brought>();
  for (const merge of merges) {
    const side = sides.get(merge) ?? [];
    let best: string | undefined;
    for (const c of side) {
      if (boundary.has(c) || !touched(c)) continue;
      if (best === undefined || order.get(c)! < order.get(best)!) best = c;
    }
    out.set(merge, { sha: best, cut: best === undefined && side.some((c) => boundary.has(c)) });
  }
  return out;
}

// ---- GitHub: the first-parent history from the API's simplified one ------------------------------

/** A commit of the branch's newest ones, with the watched file's object id there (null: no file). */
export interface WindowCommit extends GraphCommit {
  file: string | null;
}

/**
 * One place of a first-parent history: an entry as read (`chain`: a commit of the first-parent
 * chain, rather than one from past the window), or a merge whose details are still to be read.
 */
export type Slot = { kind: 'entry'; entry: HistoryEntry; chain: boolean } | { kind: 'merge'; sha: string };

/**
 * The first-parent history of a file from what GitHub's API gives in one read: `history`, the
 * file's history as `git log -- FILE` simplifies it (a merge's change appears as the commit it
 * brought in), and `window`, the branch's newest commits from `head` with their parents and the
 * file's object id at each. Along the window's first-parent chain, each commit whose file differs
 * from its first parent's is a change: its entry of `history`, or a merge whose time, message and
 * text are still to be read. Commits brought in by the chain's merges are left out; the changes
 * older than the window are `history`'s, as they are.
 */
export function planFirstParent(
  head: string,
  window: readonly WindowCommit[],
  history: readonly HistoryEntry[],
): Slot[] {
  const byId = new Map(window.map((c) => [c.sha, c]));
  const entries = new Map(history.map((h) => [h.sha, h]));
  // The chain's commits whose first parent is in the window too: those can be judged.
  const judged: { commit: WindowCommit; parent: WindowCommit }[] = [];
  for (let c = byId.get(head); c !== undefined;) {
    const parent = c.parents[0] === undefined ? undefined : byId.get(c.parents[0]);
    if (parent === undefined) break;
    judged.push({ commit: c, parent });
    c = parent;
  }
  const merges = judged.map((j) => j.commit).filter((c) => c.parents.length > 1);
  const left = new Set(judged.map((j) => j.commit.sha));
  for (const side of broughtIn(merges, new Map(window.map((c) => [c.sha, c.parents]))).values()) {
    for (const c of side) left.add(c);
  }
  const slots: Slot[] = [];
  for (const { commit, parent } of judged) {
    const entry = entries.get(commit.sha);
    const merge = commit.parents.length > 1;
    // A mode change keeps the object id; `history` lists it all the same.
    if (commit.file === parent.file && (merge || entry === undefined)) continue;
    if (merge) slots.push({ kind: 'merge', sha: commit.sha });
    else if (entry) slots.push({ kind: 'entry', entry, chain: true });
    // The history read ended before this change: nothing older is known for sure.
    else return slots;
  }
  for (const h of history)
    if (!left.has(h.sha)) slots.push({ kind: 'entry', entry: { ...h, simplified: true }, chain: false });
  return slots;
}

/** The newest change of the file a commit reaches (`history(path:, first: 1)`). */
export interface Reached {
  sha: string;
  time: number;
  message: string;
  /** Who wrote it: the merge entry's author where the merge lends its message. */
  author?: CommitAuthor | undefined;
}

/**
 * A merge's first-parent entry from its own time, message and text and, for each parent (first
 * parent first), the newest change of the file that parent reaches. What it brought in is the
 * newest such change of its other parents that its first parent does not already have (nor is a
 * commit of the first-parent chain, `chain`).
 */
export function mergeEntry(
  merge: HistoryEntry,
  reached: readonly (Reached | undefined)[],
  chain: ReadonlySet<string> = new Set(),
): { entry: HistoryEntry; brought: string | undefined } {
  const [first, ...others] = reached;
  let best: Reached | undefined;
  for (const r of others) {
    if (r === undefined || r.sha === first?.sha || chain.has(r.sha)) continue;
    if (best === undefined || r.time > best.time) best = r;
  }
  const entry: HistoryEntry = { ...merge, message: mergeMessage(merge.message, best?.message) };
  // The author of the commit whose trailers the message ends with (HistoryEntry.author).
  if (best !== undefined) {
    delete entry.author;
    if (best.author !== undefined) entry.author = best.author;
  }
  return { entry, brought: best?.sha };
}
