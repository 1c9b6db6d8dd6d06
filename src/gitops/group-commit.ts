import type {
  ChainedCommit,
  CommitRequest,
  CommitResult,
  GitOpsStore,
  ReadRequest,
  Snapshot,
  StoreUsage,
} from './store.js';

/** A commit this process landed (or is landing): what a later commit may be stacked on. */
export interface OwnCommit {
  parent: string;
  sha: string;
  /** The paths it changed. */
  paths: readonly string[];
}

/** Whether two repository paths are the same file or one lies under the other (a directory). */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * Pure: the head a commit decided on `expected` may land on. Following this process's own commits
 * from `expected` (each the child of the one before): as long as none of them changed a path the
 * decision read or the commit writes (`touched`), the decision still holds on top of them, so the
 * commit lands on the newest; `expected` itself when no own commit follows it. `conflict` names
 * the path where an own commit changed what the decision rests on: the service must read again.
 */
export function landingHead(
  expected: string,
  touched: readonly string[],
  children: ReadonlyMap<string, OwnCommit>,
): { head: string } | { conflict: string } {
  let head = expected;
  for (let next = children.get(head); next !== undefined; next = children.get(head)) {
    const clash = next.paths.find((p) => touched.some((t) => overlaps(p, t)));
    if (clash !== undefined) return { conflict: clash };
    head = next.sha;
  }
  return { head };
}

interface Waiting {
  request: CommitRequest;
  settle: (result: CommitResult) => void;
  fail: (error: unknown) => void;
}

/**
 * Group commit over any store: the commits that services of one run ask for while a write is in
 * flight are written together as one chain (one push for the git store), each on top of the one
 * before where the paths its decision read are untouched by them (landingHead). Without it, each
 * rollback makes every other in-flight decision stale and hundreds of services re-read and retry
 * one after another. A commit to another branch, or one without `reads`, goes alone, exactly as
 * asked. Only this process's own commits are stacked on: another writer's makes the chain stale.
 */
export class GroupCommitStore implements GitOpsStore {
  private readonly children = new Map<string, OwnCommit>();
  private waiting: Waiting[] = [];
  private writing: Promise<void> | undefined;

  constructor(private readonly store: GitOpsStore) {}

  describe(): string {
    return this.store.describe();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  usage(): StoreUsage | undefined {
    return this.store.usage?.();
  }

  read(request: ReadRequest): Promise<Snapshot> {
    return this.store.read(request);
  }

  readAll(requests: readonly ReadRequest[]): Promise<Snapshot[]> {
    return this.store.readAll(requests);
  }

  commitChain(expectedHead: string, commits: readonly ChainedCommit[]): Promise<CommitResult[]> {
    return this.store.commitChain(expectedHead, commits);
  }

  commit(request: CommitRequest): Promise<CommitResult> {
    return new Promise((settle, fail) => {
      this.waiting.push({ request, settle, fail });
      this.writing ??= this.drain();
    });
  }

  /** Writes what waits, group by group, until nothing does. */
  private async drain(): Promise<void> {
    // Let the commits asked for in the same turn join the first group.
    await Promise.resolve();
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting;
        this.waiting = [];
        const later = await this.writeGroup(group);
        this.waiting.unshift(...later);
      }
    } finally {
      this.writing = undefined;
    }
  }

  /**
   * Writes one chain from `group`: the first commit that can land, then every other that lands on
   * top of it. Those decided on a head the chain does not reach wait for the next group; those
   * whose decision an own commit changed are stale at once.
   */
  private async writeGroup(group: Waiting[]): Promise<Waiting[]> {
    const [first, ...rest] = group;
    if (first === undefined) return [];
    if (!stackable(first.request)) {
      await this.alone(first);
      return rest;
    }
    const chain: Waiting[] = [];
    const later: Waiting[] = [];
    let base: string | undefined;
    let tip: string | undefined;
    const pending = new Map(this.children);
    for (const w of group) {
      if (!stackable(w.request)) {
        later.push(w);
        continue;
      }
      const landing = landingHead(w.request.expectedHead, touchedBy(w.request), pending);
      if ('conflict' in landing) {
        w.settle({
          ok: false,
          reason: 'stale',
          detail: `a commit of this run changed ${landing.conflict} since the decision`,
        });
        continue;
      }
      if (tip !== undefined && landing.head !== tip) {
        later.push(w);
        continue;
      }
      base ??= landing.head;
      // A placeholder child, so the next commit of the group sees this one's paths on its way.
      const placeholder = `pending:${chain.length}`;
      pending.set(landing.head, { parent: landing.head, sha: placeholder, paths: pathsOf(w.request) });
      tip = placeholder;
      chain.push(w);
    }
    if (base === undefined || chain.length === 0) return later;
    let results: CommitResult[];
    try {
      results = await this.store.commitChain(
        base,
        chain.map(({ request: { expectedHead: _e, branch: _b, reads: _r, ...c } }) => c),
      );
    } catch (e) {
      for (const w of chain) w.fail(e);
      return later;
    }
    let parent = base;
    chain.forEach((w, i) => {
      const r = results[i]!;
      if (r.ok) {
        this.children.set(parent, { parent, sha: r.sha, paths: pathsOf(w.request) });
        parent = r.sha;
      }
      w.settle(r);
    });
    return later;
  }

  private async alone(w: Waiting): Promise<void> {
    try {
      const r = await this.store.commit(w.request);
      if (r.ok && w.request.branch === undefined) {
        this.children.set(w.request.expectedHead, {
          parent: w.request.expectedHead,
          sha: r.sha,
          paths: pathsOf(w.request),
        });
      }
      w.settle(r);
    } catch (e) {
      w.fail(e);
    }
  }
}

/** A commit to the store's branch whose decision names what it read: one that may join a chain. */
function stackable(r: CommitRequest): boolean {
  return r.branch === undefined && r.reads !== undefined;
}

function pathsOf(r: CommitRequest): string[] {
  return r.changes.map((c) => c.path);
}

function touchedBy(r: CommitRequest): string[] {
  return [...(r.reads ?? []), ...pathsOf(r)];
}
