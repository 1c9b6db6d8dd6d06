import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCommit } from './commit-build.js';
import { type Brought, mergeMessage, newestBrought } from './first-parent.js';
import {
  commitMessage,
  type LogEntry,
  parseCatFileBatch,
  parseLog,
  parseLsTree,
  parseShallow,
  parseWalk,
} from './git-parse.js';
import { pauseAt, processState } from './lifecycle.js';
import { type PathState, pathStates, treePaths } from './path-states.js';
import { safeRepoPath } from './paths.js';
import { decodeUtf8 } from '../pins/utf8.js';
import { checkBranchName, type Repo } from './repo.js';
import type { CommitRequest, CommitResult, GitOpsStore, ReadRequest, Snapshot } from './store.js';
import { HISTORY_SINCE_CAP, historyKept, StoreError } from './store.js';
import type { Transport } from './transport.js';

const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** A first-parent change of the watched file; for a merge, the commit it brought in whose message it lends. */
type Change = LogEntry & { brought?: string | undefined };

/**
 * A GitOps store over the git CLI: reads with `ls-tree`, `log` and `cat-file`, and commits with
 * plumbing on top of `expectedHead`. Where the branch lives, and how a commit lands on it, is the
 * transport's business.
 */
export class GitStore implements GitOpsStore {
  private readonly repo: Repo;
  private queue: Promise<unknown> = Promise.resolve();
  /** Blobs known to be here (fetched or written), so a blob-less clone fetches only the rest. */
  private readonly present = new Set<string>();
  private closed = false;

  constructor(private readonly transport: Transport) {
    this.repo = transport.repo;
  }

  describe(): string {
    return this.repo.describe();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => {});
    await this.transport.close();
  }

  read(request: ReadRequest): Promise<Snapshot> {
    return this.exclusive(() => this.readNow(request));
  }

  commit(request: CommitRequest): Promise<CommitResult> {
    return this.exclusive(() => this.commitNow(request));
  }

  /** One operation at a time per store: a clone's refs, shallow file and index are shared state. */
  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError(`${this.describe()}: the store is closed`));
    const guarded = () =>
      processState.isStopping
        ? Promise.reject(new StoreError('pinback is stopping: nothing more is read or written'))
        : op();
    const next = this.queue.then(guarded, guarded);
    this.queue = next.catch(() => {});
    return next;
  }

  // ---- read -------------------------------------------------------------------------------------

  private async readNow(request: ReadRequest): Promise<Snapshot> {
    const files = request.files.map((f) => ({ key: f, path: safeRepoPath(f) }));
    const historyOf = safeRepoPath(request.historyOf);
    const limit = request.limit;
    if (!Number.isInteger(limit) || limit < 0)
      throw new StoreError(`history limit must be a whole number, got ${limit}`);
    const since = request.since;
    if (since !== undefined && Number.isNaN(since.getTime()))
      throw new StoreError('history since must be a valid time');

    await this.transport.settle?.();
    const head = await this.transport.head();
    if (head === undefined)
      throw new StoreError(`branch "${this.repo.branch}" no longer exists in ${this.repo.shown}`);

    const states = await this.pathStates(
      head,
      [...files.map((f) => f.path), historyOf],
      new Set([historyOf]),
    );
    const history = limit === 0 ? [] : await this.history(head, historyOf, limit, since);

    const wanted = new Set<string>();
    for (const f of files) {
      const st = states.get(f.path);
      if (st?.kind === 'file') wanted.add(st.oid);
    }
    for (const h of history) if (h.oid) wanted.add(h.oid);
    const brought = new Set(history.flatMap((h) => (h.brought === undefined ? [] : [h.brought])));
    const objects = await this.objects([...wanted], [...brought]);

    const object = (oid: string): Buffer => {
      const b = objects.get(oid);
      if (!b)
        throw new StoreError(`${this.describe()}: could not read object ${oid} (is the remote reachable?)`);
      return b;
    };
    const lossy = (oid: string | undefined): string | null =>
      oid === undefined ? null : object(oid).toString('utf8');
    // The files pinback may write are decoded strictly: a byte that is not UTF-8 is refused here,
    // with its place, before any edit could turn it into U+FFFD in a commit.
    const text = (oid: string | undefined, path: string): string | null =>
      oid === undefined ? null : decodeUtf8(object(oid), path);
    const message = (h: Change): string =>
      h.brought === undefined ? h.message : mergeMessage(h.message, commitMessage(object(h.brought)));
    const out = new Map<string, string | null>();
    for (const f of files) {
      const st = states.get(f.path);
      out.set(f.key, text(st?.kind === 'file' ? st.oid : undefined, f.path));
    }
    return {
      head,
      files: out,
      // History texts are only read: an old non-UTF-8 version there says nothing about today's file.
      history: history.map((h) => ({ sha: h.sha, time: h.time, message: message(h), text: lossy(h.oid) })),
    };
  }

  /**
   * Commits that changed `path` along the first-parent chain from `head` (a merge counts where it
   * changed the file relative to its first parent: the change reached the branch then), newest
   * first; for each merge, the newest commit it brought in that changed the file. Deepens a
   * shallow clone when it must. With `since`, `limit` counts the commits older than `since` only:
   * the walk grows until it reaches them (or the file's first commit).
   */
  private async history(head: string, path: string, limit: number, since?: Date): Promise<Change[]> {
    let count = limit;
    for (;;) {
      const log = await this.repo.must(
        [
          '--literal-pathspecs',
          'log',
          '-z',
          `-n${count}`,
          '--first-parent',
          '--format=%H %ct %P%n%B',
          '--raw',
          '--no-abbrev',
          '--no-renames',
          '--no-relative',
          '--diff-merges=first-parent',
          head,
          '--',
          path,
        ],
        `reading the history of ${path}`,
      );
      const entries = parseLog(log.toString('utf8'), path);
      const boundary = parseShallow(
        await readFile(join(this.repo.gitDir, 'shallow'), 'utf8').catch(() => ''),
      );
      const hitsBoundary =
        boundary.size > 0 && (entries.some((e) => boundary.has(e.sha)) || entries.length < count);
      if (hitsBoundary && (await this.transport.deepen(path))) continue;
      // A shallow boundary commit looks like a root commit that adds every file: never report it.
      const trusted = entries.filter((e) => !boundary.has(e.sha));
      // Every commit read is newer than `since`: read further back, past them.
      const kept = historyKept(trusted, limit, since);
      if (kept > count && entries.length === count) {
        // Doubling: a busy file takes a few walks, not one per `limit` commits.
        count = Math.min(Math.max(kept, 2 * count), HISTORY_SINCE_CAP + limit);
        continue;
      }
      trusted.splice(kept);
      const brought = await this.brought(trusted, path, boundary);
      if ([...brought.values()].some((b) => b.cut) && (await this.transport.deepen(path))) continue;
      return trusted.map((e) => ({ ...e, brought: brought.get(e.sha)?.sha }));
    }
  }

  /**
   * For each merge among `entries`, the newest commit it brought in that changed `path`: one walk
   * over every commit from the newest merge down to the oldest merge's first parent, listing each
   * commit's parents and whether it changed the file. No command at all without a merge.
   */
  private async brought(
    entries: LogEntry[],
    path: string,
    boundary: ReadonlySet<string>,
  ): Promise<Map<string, Brought>> {
    const merges = entries.flatMap((e) =>
      e.parents !== undefined && e.parents.length > 1 ? [{ sha: e.sha, parents: e.parents }] : [],
    );
    const newest = merges[0];
    const base = merges[merges.length - 1]?.parents[0];
    if (newest === undefined || base === undefined) return new Map();
    const walk = await this.repo.must(
      [
        '--literal-pathspecs',
        'log',
        '-z',
        '--format=%H %P',
        '--raw',
        '--no-abbrev',
        '--no-renames',
        '--no-relative',
        '--full-history',
        '--sparse',
        '--diff-merges=off',
        newest.sha,
        `^${base}`,
        '--',
        path,
      ],
      `reading what merges brought into ${path}`,
    );
    return newestBrought(merges, parseWalk(walk.toString('utf8'), path), boundary);
  }

  /** The state of each path at `commit`, from one `ls-tree` over the paths and their leading directories. */
  private async pathStates(
    commit: string,
    paths: string[],
    directories?: ReadonlySet<string>,
  ): Promise<Map<string, PathState>> {
    const out = await this.repo.must(
      ['ls-tree', '-z', '-t', '--full-tree', commit, '--', ...treePaths(paths)],
      'listing files',
    );
    return pathStates(parseLsTree(out.toString('utf8')), paths, this.describe(), directories);
  }

  /**
   * Blob contents by oid, and commit objects (which every clone holds), through one `cat-file
   * --batch` (after one batch fetch of the missing blobs).
   */
  private async objects(blobs: string[], commits: string[]): Promise<Map<string, Buffer>> {
    const oids = [...blobs, ...commits];
    if (oids.length === 0) return new Map();
    const missing = blobs.filter((o) => !this.present.has(o));
    if (missing.length > 0) {
      await this.transport.fetchBlobs(missing);
      for (const o of missing) this.present.add(o);
    }
    const out = await this.repo.must(['cat-file', '--batch'], 'reading files', {
      input: `${oids.join('\n')}\n`,
    });
    return parseCatFileBatch(out);
  }

  // ---- commit -----------------------------------------------------------------------------------

  private async commitNow(req: CommitRequest): Promise<CommitResult> {
    const expected = req.expectedHead;
    if (!OID.test(expected))
      throw new StoreError(`expected head ${JSON.stringify(expected)} is not a commit id`);
    if (req.changes.length === 0) throw new StoreError('a commit needs at least one file change');
    const target = req.branch ?? this.repo.branch;
    if (req.branch !== undefined) await checkBranchName(this.repo.git, req.branch);
    const changes = req.changes.map((c) => ({
      path: safeRepoPath(c.path),
      bytes: Buffer.from(c.content, 'utf8'),
    }));
    const seen = new Set<string>();
    for (const c of changes) {
      if (seen.has(c.path)) throw new StoreError(`"${c.path}" is changed twice in one commit`);
      seen.add(c.path);
    }
    const paths = changes.map((c) => c.path);

    const landing = await this.transport.land(target, expected);
    if ('reason' in landing) return landing;

    const states = await this.pathStates(expected, paths);
    for (const c of changes) {
      const st = states.get(c.path);
      if (st?.kind === 'blocked') {
        throw new StoreError(
          `cannot write "${c.path}" in ${this.describe()}: "${st.by}" is a file, not a directory`,
        );
      }
    }
    const refused = await landing.check(paths);
    if (refused) return refused;

    const commit = await buildCommit(
      this.repo,
      {
        parent: expected,
        message: req.message,
        author: req.author,
        files: changes.map((c) => {
          const st = states.get(c.path);
          return { ...c, mode: st?.kind === 'file' ? st.mode : '100644' };
        }),
      },
      (oids) => {
        for (const o of oids) this.present.add(o);
      },
    );
    await pauseAt('before-commit');
    const result = await landing.publish(commit);
    if (result.ok) await pauseAt('after-commit');
    return result;
  }
}
