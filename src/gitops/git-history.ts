import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { broughtIn, type Brought, newestBroughtOf } from './first-parent.js';
import {
  type LogEntry,
  type LoggedCommit,
  logEntryOf,
  parseLogAll,
  parseShallow,
  parseRevListParents,
  parseWalkAll,
  type WalkAllEntry,
} from './git-parse.js';
import type { Repo } from './repo.js';
import { historyKept } from './store.js';
import type { Transport } from './transport.js';

/** A first-parent change of a watched file; for a merge, the commit it brought in whose message it lends. */
export type Change = LogEntry & { brought?: string | undefined };

/** One watched path's history as a read asks for it (ReadRequest's `limit` and `since`). */
export interface HistoryWant {
  path: string;
  limit: number;
  since?: Date | undefined;
}

/**
 * The most paths a walk names as pathspecs. git matches each entry of every tree it walks against
 * every pathspec, so the cost grows with their number (and with how far down its directory a
 * file sorts): on the 100,000-commit repository of bench/README.md, walking the whole first-parent
 * history took 7.9 s naming one late-sorting file, 10.4 s naming two, 13.4 s three, 27 s ten and
 * 67 s 256, and 9.5 s naming none (every change listed, the watched ones picked here). One file
 * is named: its walk can use changed-path Bloom filters where a commit-graph has them (0.2 s).
 */
const PATHSPEC_MAX = 1;

/** The first walk's commit count; each further walk doubles it (a busy repository takes a few walks). */
const FIRST_WALK = 256;
/** The most commits one walk of the chunked history reads. */
const MAX_WALK = 65_536;

/** `git log` with its revisions and, where it names them, its paths. */
function logArgs(flags: string[], revs: string[], paths: string[] | undefined): string[] {
  return paths === undefined ? [...flags, ...revs] : [...flags, ...revs, '--', ...paths];
}

/**
 * The histories of many watched paths from ONE first-parent walk of the branch, rather than one
 * `git log -- PATH` per path: on a monorepo of thousands of services the walk is the cost, and
 * walking once is what makes a run over all of them cost about as much as a run over one.
 */
export class HistoryWalker {
  constructor(
    private readonly repo: Repo,
    private readonly transport: Transport,
  ) {}

  /**
   * Commits that changed each wanted path along the first-parent chain from `head` (a merge counts
   * where it changed the path relative to its first parent: the change reached the branch then),
   * newest first, as many as `historyKept` keeps for its limit and since; for each merge, the
   * newest commit it brought in that changed the path. The walk goes back in chunks, dropping the
   * paths that have all they need, and stops when none is left or the first commit is reached;
   * it deepens a shallow clone when it meets the boundary with paths still open.
   */
  async histories(head: string, wants: readonly HistoryWant[]): Promise<Histories> {
    for (;;) {
      const boundary = parseShallow(
        await readFile(join(this.repo.gitDir, 'shallow'), 'utf8').catch(() => ''),
      );
      const walked = await this.walk(head, wants, boundary);
      if (walked === 'deepen') continue;
      const brought = await this.brought(walked, boundary);
      if (brought === 'deepen') continue;
      const out = new Map<string, Change[]>();
      for (const [path, entries] of walked.byPath) {
        out.set(
          path,
          entries.map((e) => ({ ...e, brought: brought.get(path)?.get(e.sha)?.sha })),
        );
      }
      return { byPath: out, cut: walked.cut };
    }
  }

  private async walk(
    head: string,
    wants: readonly HistoryWant[],
    boundary: ReadonlySet<string>,
  ): Promise<Walked | 'deepen'> {
    const byPath = new Map<string, LogEntry[]>(wants.map((w) => [w.path, []]));
    // Commits of the chain in walk order (newest first): the merges among them are ordered by it.
    const order = new Map<string, number>();
    let open = new Map(wants.filter((w) => w.limit > 0).map((w) => [w.path, w]));
    let start: string | undefined = head;
    let count = FIRST_WALK;
    // The walk met a shallow boundary it could not pass: the paths still open were cut short.
    let boundaryMet = false;
    while (open.size > 0 && start !== undefined) {
      // git matches each tree entry against every pathspec: past a few dozen paths, listing every
      // change and picking the watched ones here is faster (measured in bench/README.md).
      const paths = open.size <= PATHSPEC_MAX ? [...open.keys()] : undefined;
      const args = logArgs(
        [
          '--literal-pathspecs',
          'log',
          '-z',
          `-n${count}`,
          '--first-parent',
          '--format=%H %ct %P%x09%ae%x09%an%n%B',
          '--raw',
          '--no-abbrev',
          '--no-renames',
          '--no-relative',
          '--diff-merges=first-parent',
        ],
        [start],
        paths,
      );
      const log = await this.repo.must(args, `reading the history of ${describePaths([...open.keys()])}`);
      const commits = parseLogAll(log.toString('utf8'));
      const hitsBoundary =
        boundary.size > 0 && (commits.some((c) => boundary.has(c.sha)) || commits.length < count);
      if (hitsBoundary && (await this.transport.deepen([...open.keys()][0]!))) return 'deepen';
      boundaryMet ||= hitsBoundary;
      for (const c of commits) {
        // A shallow boundary commit looks like a root commit that adds every file: never report it.
        if (boundary.has(c.sha)) continue;
        order.set(c.sha, order.size);
        for (const path of watchedIn(c, open)) byPath.get(path)!.push(logEntryOf(c, path));
      }
      open = new Map(
        [...open].filter(([path, w]) => {
          const entries = byPath.get(path)!;
          return entries.length < historyKept(entries, w.limit, w.since);
        }),
      );
      // Fewer than asked: the walk reached the first commit (or the shallow boundary it cannot pass).
      if (commits.length < count) break;
      start = lastParent(commits);
      count = Math.min(count * 2, MAX_WALK);
    }
    for (const w of wants) {
      const entries = byPath.get(w.path)!;
      entries.splice(historyKept(entries, w.limit, w.since));
    }
    return { byPath, order, cut: new Set(boundaryMet ? open.keys() : []) };
  }

  /**
   * For each merge among the histories, the newest commit it brought in that changed the path:
   * one walk over every commit from the newest merge down to the oldest merge's first parent,
   * listing each commit's parents and the watched paths it changed. What a merge brought in is
   * found once for all paths. No command at all without a merge.
   */
  private async brought(
    walked: Walked,
    boundary: ReadonlySet<string>,
  ): Promise<Map<string, Map<string, Brought>> | 'deepen'> {
    const merges = new Map<string, string[]>();
    const pathsWithMerges: string[] = [];
    for (const [path, entries] of walked.byPath) {
      let any = false;
      for (const e of entries) {
        if (e.parents === undefined || e.parents.length < 2) continue;
        merges.set(e.sha, e.parents);
        any = true;
      }
      if (any) pathsWithMerges.push(path);
    }
    if (merges.size === 0) return new Map();
    const chain = [...merges.keys()].sort((a, b) => walked.order.get(a)! - walked.order.get(b)!);
    const newest = chain[0]!;
    const base = merges.get(chain[chain.length - 1]!)![0]!;
    // The graph alone (no diffs) from the newest merge down to the oldest one's first parent: what
    // each merge brought in is found from it in memory. Only those commits are then diffed: on a
    // long history, diffing every commit of the range cost as much as the history walk itself.
    const graph = parseRevListParents(
      (
        await this.repo.must(['rev-list', '--parents', newest, `^${base}`], 'reading what merges brought in')
      ).toString('utf8'),
    );
    const order = new Map([...graph.keys()].map((sha, i) => [sha, i]));
    const sides = broughtIn(
      chain.map((sha) => ({ sha, parents: merges.get(sha)! })),
      graph,
    );
    const brought = [...new Set([...sides.values()].flat())];
    const changed = new Map<string, WalkAllEntry>();
    if (brought.length > 0) {
      const diffs = await this.repo.must(
        [
          'log',
          '-z',
          '--no-walk=unsorted',
          '--stdin',
          '--format=%H %P',
          '--raw',
          '--no-abbrev',
          '--no-renames',
          '--no-relative',
          '--diff-merges=off',
        ],
        `reading what merges brought into ${pathsWithMerges.length} files`,
        { input: `${brought.join('\n')}\n` },
      );
      for (const c of parseWalkAll(diffs.toString('utf8'))) changed.set(c.sha, c);
    }
    const out = new Map<string, Map<string, Brought>>();
    let cut = false;
    for (const path of pathsWithMerges) {
      const own = walked.byPath.get(path)!.flatMap((e) => (merges.has(e.sha) ? [e.sha] : []));
      const touched = (sha: string) => {
        const c = changed.get(sha);
        if (c === undefined) return false;
        if (c.changed.has(path)) return true;
        for (const p of c.changed) if (p.startsWith(`${path}/`)) return true;
        return false;
      };
      const found = newestBroughtOf(sides, own, order, touched, boundary);
      if ([...found.values()].some((b) => b.cut)) cut = true;
      out.set(path, found);
    }
    if (cut && (await this.transport.deepen(pathsWithMerges[0]!))) return 'deepen';
    return out;
  }
}

interface Walked {
  byPath: Map<string, LogEntry[]>;
  order: Map<string, number>;
  cut: Set<string>;
}

/** Each watched path's changes, and the paths whose history a shallow boundary cut short. */
export interface Histories {
  byPath: Map<string, Change[]>;
  /**
   * Paths whose walk met the boundary of a shallow clone it could not deepen past (the transport's
   * most commits): older changes exist that were not read, so the history is not the file's whole.
   */
  cut: ReadonlySet<string>;
}

/** Where the next chunk of a first-parent walk starts: the first parent of the last commit read. */
function lastParent(commits: readonly LoggedCommit[]): string | undefined {
  return commits[commits.length - 1]?.parents[0];
}

function describePaths(paths: readonly string[]): string {
  return paths.length === 1 ? paths[0]! : `${paths.length} files`;
}

/**
 * The watched paths a commit changed: a changed file itself, or a directory above it (the history
 * of `.pinback/locks` is the history of the files in it). Looked up from the commit's side, so a
 * walk over thousands of watched paths costs what the commit changed, not what is watched.
 */
function watchedIn(commit: LoggedCommit, watched: ReadonlyMap<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const changed of commit.changed.keys()) {
    if (watched.has(changed)) out.add(changed);
    for (let cut = changed.lastIndexOf('/'); cut > 0; cut = changed.lastIndexOf('/', cut - 1)) {
      const dir = changed.slice(0, cut);
      if (watched.has(dir)) out.add(dir);
    }
  }
  return out;
}
