import { createHash } from 'node:crypto';
import type {
  ChainedCommit,
  CommitRequest,
  ReadRequest,
  CommitResult,
  GitOpsStore,
  HistoryEntry,
  Snapshot,
} from '../../src/gitops/store.js';

interface Commit {
  sha: string;
  parent: string | undefined;
  /** Committer time, unix seconds (whole, as git keeps them). */
  time: number;
  message: string;
  author: string;
  files: ReadonlyMap<string, string>;
}

/**
 * A GitOps repository in memory behind the GitOpsStore port, for reconciler tests that need no
 * git: one branch of linear history (plus proposal branches), commits at the injected clock's time.
 * The real-git store has its own tests; this one keeps the port's contract: `commit` lands only on
 * the head it was decided on, and `read` gives the files at head and the watched file's history.
 */
export class MemoryGitOps implements GitOpsStore {
  private readonly commits = new Map<string, Commit>();
  private readonly branches = new Map<string, string>();
  private staged = new Map<string, string | null>();
  /** Runs before a commit is checked against the head: a test's chance to make it lose a race. */
  beforeCommit: ((request: CommitRequest) => void) | undefined;
  reads = 0;

  constructor(
    private readonly clock: () => number = () => Date.now(),
    readonly branch = 'main',
  ) {}

  /** Stages a file for the next `commitAt`, as a person edits the work tree. */
  write(path: string, text: string | null): this {
    this.staged.set(path, text);
    return this;
  }

  /** Commits what is staged, `agoSeconds` before the clock's now (a person's or a bot's commit). */
  commitAt(message: string, agoSeconds = 0, branch = this.branch): string {
    const changes = [...this.staged];
    this.staged = new Map();
    return this.land(branch, message, Math.floor(this.clock() / 1000) - agoSeconds, 'a person', changes);
  }

  file(path: string, branch = this.branch): string | null {
    const tip = this.branches.get(branch);
    return (tip && this.commits.get(tip)!.files.get(path)) ?? null;
  }

  /** Commits on the branch, newest first. */
  log(branch = this.branch): Commit[] {
    const out: Commit[] = [];
    for (let sha = this.branches.get(branch); sha; sha = this.commits.get(sha)!.parent) {
      out.push(this.commits.get(sha)!);
    }
    return out;
  }

  count(branch = this.branch): number {
    return this.log(branch).length;
  }

  head(branch = this.branch): string | undefined {
    return this.branches.get(branch);
  }

  describe(): string {
    return `memory:${this.branch}`;
  }

  async close(): Promise<void> {}

  async read(request: ReadRequest): Promise<Snapshot> {
    this.reads++;
    return this.readAt(request);
  }

  /** One read, as the port asks: every snapshot from the same head. */
  async readAll(requests: readonly ReadRequest[]): Promise<Snapshot[]> {
    this.reads++;
    return requests.map((r) => this.readAt(r));
  }

  async commitChain(expectedHead: string, commits: readonly ChainedCommit[]): Promise<CommitResult[]> {
    const out: CommitResult[] = [];
    let head = expectedHead;
    for (const c of commits) {
      const r = out.some((o) => !o.ok)
        ? ({ ok: false, reason: 'stale', detail: 'an earlier commit of the chain did not land' } as const)
        : await this.commit({ ...c, expectedHead: head });
      if (r.ok) head = r.sha;
      out.push(r);
    }
    return out;
  }

  private readAt(request: ReadRequest): Snapshot {
    const head = this.branches.get(this.branch);
    if (!head) throw new Error('memory store: the branch has no commit');
    const at = this.commits.get(head)!;
    const history: HistoryEntry[] = [];
    for (const c of this.log()) {
      if (history.length >= request.limit) break;
      const before = c.parent ? (this.commits.get(c.parent)!.files.get(request.historyOf) ?? null) : null;
      const text = c.files.get(request.historyOf) ?? null;
      if (text !== before) history.push({ sha: c.sha, time: c.time, message: c.message, text });
    }
    return {
      head,
      branch: this.branch,
      files: new Map(request.files.map((f) => [f, at.files.get(f) ?? null])),
      history,
    };
  }

  async commit(request: CommitRequest): Promise<CommitResult> {
    this.beforeCommit?.(request);
    const target = request.branch ?? this.branch;
    const tip = this.branches.get(target);
    // A new branch starts from the head the change was decided on; an existing one must not have moved.
    if (tip !== undefined && tip !== request.expectedHead && target === this.branch) {
      return { ok: false, reason: 'stale', detail: `${target} is at ${tip}, not ${request.expectedHead}` };
    }
    if (tip === undefined && this.branches.get(this.branch) !== request.expectedHead) {
      return { ok: false, reason: 'stale', detail: `${this.branch} moved` };
    }
    const sha = this.land(
      target,
      request.message,
      Math.floor(this.clock() / 1000),
      `${request.author.name} <${request.author.email}>`,
      request.changes.map((c) => [c.path, c.content]),
      tip ?? request.expectedHead,
    );
    return { ok: true, sha };
  }

  private land(
    branch: string,
    message: string,
    time: number,
    author: string,
    changes: [string, string | null][],
    parent = this.branches.get(branch),
  ): string {
    const files = new Map(parent ? this.commits.get(parent)!.files : []);
    for (const [path, text] of changes) {
      if (text === null) files.delete(path);
      else files.set(path, text);
    }
    const sha = createHash('sha1')
      .update(`${parent ?? ''}\n${time}\n${message}\n${this.commits.size}`)
      .digest('hex');
    this.commits.set(sha, { sha, parent, time, message, author, files });
    this.branches.set(branch, sha);
    return sha;
  }
}
