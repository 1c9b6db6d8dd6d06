import { buildChain } from './commit-build.js';
import { mergeMessage } from './first-parent.js';
import { type Change, HistoryWalker, type HistoryWant } from './git-history.js';
import { commitAuthor, commitMessage, parseCatFileBatch, parseLsTree } from './git-parse.js';
import { pauseAt, processState } from './lifecycle.js';
import { type PathState, pathStates, treePaths } from './path-states.js';
import { safeRepoPath } from './paths.js';
import { decodeUtf8 } from '../pins/utf8.js';
import { checkBranchName, type Repo } from './repo.js';
import type {
  ChainedCommit,
  CommitRequest,
  CommitResult,
  GitOpsStore,
  HistoryEntry,
  ReadRequest,
  Snapshot,
} from './store.js';
import { historyKept, StoreError } from './store.js';
import type { Transport } from './transport.js';

const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

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

  private readonly walker: HistoryWalker;

  constructor(private readonly transport: Transport) {
    this.repo = transport.repo;
    this.walker = new HistoryWalker(this.repo, transport);
  }

  describe(): string {
    return this.repo.describe();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => {});
    await this.transport.close();
  }

  async read(request: ReadRequest): Promise<Snapshot> {
    return (await this.readAll([request]))[0]!;
  }

  readAll(requests: readonly ReadRequest[]): Promise<Snapshot[]> {
    return this.exclusive(() => this.readAllNow(requests));
  }

  async commit(request: CommitRequest): Promise<CommitResult> {
    const { expectedHead, branch, reads: _reads, ...commit } = request;
    return (await this.exclusive(() => this.commitNow(expectedHead, [commit], branch)))[0]!;
  }

  commitChain(expectedHead: string, commits: readonly ChainedCommit[]): Promise<CommitResult[]> {
    if (commits.length === 0) return Promise.resolve([]);
    return this.exclusive(() => this.commitNow(expectedHead, commits, undefined));
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

  private async readAllNow(requests: readonly ReadRequest[]): Promise<Snapshot[]> {
    for (const r of requests) {
      if (!Number.isInteger(r.limit) || r.limit < 0)
        throw new StoreError(`history limit must be a whole number, got ${r.limit}`);
      if (r.since !== undefined && Number.isNaN(r.since.getTime()))
        throw new StoreError('history since must be a valid time');
    }
    const files = [...new Set(requests.flatMap((r) => r.files))].map((f) => ({
      key: f,
      path: safeRepoPath(f),
    }));
    const wants = historyWants(requests);

    await this.transport.settle?.();
    const head = await this.transport.head();
    if (head === undefined)
      throw new StoreError(`branch "${this.repo.branch}" no longer exists in ${this.repo.shown}`);

    const historyPaths = new Set(wants.map((w) => w.path));
    const states = await this.pathStates(head, [...files.map((f) => f.path), ...historyPaths], historyPaths);
    const histories = await this.walker.histories(head, wants);

    const wanted = new Set<string>();
    for (const f of files) {
      const st = states.get(f.path);
      if (st?.kind === 'file') wanted.add(st.oid);
    }
    const brought = new Set<string>();
    for (const history of histories.byPath.values()) {
      for (const h of history) {
        if (h.oid) wanted.add(h.oid);
        if (h.brought !== undefined) brought.add(h.brought);
      }
    }
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
    const entryOf = (h: Change): HistoryEntry => {
      const entry: HistoryEntry = { sha: h.sha, time: h.time, message: h.message, text: lossy(h.oid) };
      const author = h.brought === undefined ? h.author : commitAuthor(object(h.brought));
      if (h.brought !== undefined) entry.message = mergeMessage(h.message, commitMessage(object(h.brought)));
      if (author !== undefined) entry.author = author;
      return entry;
    };
    const fileTexts = new Map<string, string | null>();
    for (const f of files) {
      const st = states.get(f.path);
      fileTexts.set(f.key, text(st?.kind === 'file' ? st.oid : undefined, f.path));
    }
    // History texts are only read: an old non-UTF-8 version there says nothing about today's file.
    const entries = new Map([...histories.byPath].map(([path, history]) => [path, history.map(entryOf)]));
    return requests.map((r) => {
      const path = safeRepoPath(r.historyOf);
      const history = entries.get(path) ?? [];
      const kept = history.slice(0, historyKept(history, r.limit, r.since));
      // Cut short only where the request would have read further than it got.
      const cut = histories.cut.has(path) && kept.length < historyKept(kept, r.limit, r.since);
      return {
        head,
        files: new Map(r.files.map((f) => [f, fileTexts.get(f) ?? null])),
        history: kept,
        ...(cut ? { historyCut: true } : {}),
      };
    });
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

  private async commitNow(
    expected: string,
    commits: readonly ChainedCommit[],
    branch: string | undefined,
  ): Promise<CommitResult[]> {
    if (!OID.test(expected))
      throw new StoreError(`expected head ${JSON.stringify(expected)} is not a commit id`);
    const target = branch ?? this.repo.branch;
    if (branch !== undefined) await checkBranchName(this.repo.git, branch);
    const specs = commits.map((req) => {
      if (req.changes.length === 0) throw new StoreError('a commit needs at least one file change');
      const changes = req.changes.map((c) => ({
        path: safeRepoPath(c.path),
        bytes: Buffer.from(c.content, 'utf8'),
      }));
      const seen = new Set<string>();
      for (const c of changes) {
        if (seen.has(c.path)) throw new StoreError(`"${c.path}" is changed twice in one commit`);
        seen.add(c.path);
      }
      return { req, changes };
    });
    const paths = [...new Set(specs.flatMap((s) => s.changes.map((c) => c.path)))];

    const landing = await this.transport.land(target, expected);
    if ('reason' in landing) return commits.map(() => landing);

    const states = await this.pathStates(expected, paths);
    for (const path of paths) {
      const st = states.get(path);
      if (st?.kind === 'blocked') {
        throw new StoreError(
          `cannot write "${path}" in ${this.describe()}: "${st.by}" is a file, not a directory`,
        );
      }
    }
    const refused = await landing.check(paths);
    if (refused) return commits.map(() => refused);

    const built = await buildChain(
      this.repo,
      expected,
      specs.map(({ req, changes }) => ({
        message: req.message,
        author: req.author,
        files: changes.map((c) => {
          const st = states.get(c.path);
          return { ...c, mode: st?.kind === 'file' ? st.mode : '100644' };
        }),
      })),
      (oids) => {
        for (const o of oids) this.present.add(o);
      },
    );
    // One publish for the chain: its tip, with every path it changed (the newest entry of each).
    const entries = new Map(built.flatMap((b) => b.entries.map((e) => [e.path, e] as const)));
    await pauseAt('before-commit');
    const result = await landing.publish({
      sha: built[built.length - 1]!.sha,
      entries: [...entries.values()],
    });
    if (!result.ok) return commits.map(() => result);
    await pauseAt('after-commit');
    return built.map((b, i) => (i === built.length - 1 ? result : { ok: true, sha: b.sha }));
  }
}

/**
 * One history want per watched path: requests naming the same path share its walk, reading as
 * far back as the one that asks most (the longest limit, the earliest since); each request's
 * snapshot is then cut back to what it asked (historyKept).
 */
function historyWants(requests: readonly ReadRequest[]): HistoryWant[] {
  const byPath = new Map<string, HistoryWant>();
  for (const r of requests) {
    const path = safeRepoPath(r.historyOf);
    const w = byPath.get(path);
    if (w === undefined) {
      byPath.set(path, { path, limit: r.limit, since: r.since });
      continue;
    }
    w.limit = Math.max(w.limit, r.limit);
    // A request without `since` asks only its `limit` newest: any `since` covers that.
    if (r.since !== undefined && (w.since === undefined || r.since < w.since)) w.since = r.since;
  }
  return [...byPath.values()];
}
