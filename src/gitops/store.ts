import type { HistoryEntry } from '../history/entry.js';

export type { HistoryEntry };

/** What one read returns: everything a decision needs, from one consistent head. */
export interface Snapshot {
  head: string;
  /** The branch read, where the store resolved a default one. */
  branch?: string | undefined;
  /** Each requested file's text at `head`; null where it does not exist. */
  files: Map<string, string | null>;
  /**
   * Commits that changed `historyOf`, newest first: at most `limit`; with `since`, every one
   * newer than `since` (up to HISTORY_SINCE_CAP) and then at most `limit` older ones.
   */
  history: HistoryEntry[];
  /**
   * Set where the history stopped before the file's first commit for another reason than the
   * request's bounds (a shallow clone deepened as far as the store allows): older changes exist,
   * so a short history says nothing about "the first version ever pinned".
   */
  historyCut?: boolean | undefined;
}

export interface FileChange {
  path: string;
  content: string;
}

export interface Identity {
  name: string;
  email: string;
}

export interface CommitRequest {
  /** The head the change was decided on; the commit lands only if the branch still points there. */
  expectedHead: string;
  message: string;
  changes: FileChange[];
  author: Identity;
  /** Write to this branch instead of the store's branch (created from expectedHead when missing). */
  branch?: string | undefined;
  /**
   * The paths the change was decided from (the service's pin, lock, hold and kill-switch files).
   * Where given, the commit may land on a newer head than `expectedHead` when every commit since
   * is one this process made and none of them touched these paths or `changes` (group-commit.ts):
   * another service's rollback does not make this one's decision stale.
   */
  reads?: readonly string[] | undefined;
}

/** One commit of a chain (GitOpsStore.commitChain): its parent is the commit before it. */
export type ChainedCommit = Omit<CommitRequest, 'expectedHead' | 'branch' | 'reads'>;

/** What a store spent talking to its backend, for the job summary (the GitHub store's API budget). */
export interface StoreUsage {
  /** Requests made to the backend (GraphQL queries and mutations, REST calls). */
  requests: number;
  reads: number;
  writes: number;
  /** GraphQL rate-limit points, where the backend reports them. */
  points?: { used: number; remaining: number; limit: number; resetAt?: string | undefined } | undefined;
}

export type CommitResult =
  | {
      ok: true;
      sha: string /** A web page for the commit, where the store has one. */;
      url?: string | undefined;
    }
  | { ok: false; reason: 'stale'; detail: string };

/**
 * A GitOps repository behind one branch. Implementations: the git CLI (any remote or local path)
 * and the GitHub API. `commit` is atomic and race-safe: it answers `stale` when the branch moved.
 */
/** The most commits newer than a read's `since` that a history holds: a bound for safety. */
export const HISTORY_SINCE_CAP = 1000;

export interface ReadRequest {
  files: string[];
  historyOf: string;
  /** The most history entries; with `since`, the most entries older than `since`. */
  limit: number;
  /**
   * Read the history back to this time whatever the number of commits since (up to
   * HISTORY_SINCE_CAP), then at most `limit` older commits.
   */
  since?: Date | undefined;
}

/**
 * How many of `history` (newest first) a read keeps: the leading entries not older than `since`
 * (at most HISTORY_SINCE_CAP), then `limit` more; just `limit` without `since`.
 */
export function historyKept(history: readonly { time: number }[], limit: number, since?: Date): number {
  if (since === undefined) return limit;
  const at = since.getTime() / 1000;
  const older = history.findIndex((h) => h.time < at);
  return Math.min(older < 0 ? history.length : older, HISTORY_SINCE_CAP) + limit;
}

/** Whether a read's history goes back to the file's first commit: fewer than `limit` older than `since` came back. */
export function historyComplete(history: readonly { time: number }[], limit: number, since?: Date): boolean {
  return history.length < historyKept(history, limit, since);
}

export interface GitOpsStore {
  read(request: ReadRequest): Promise<Snapshot>;
  /**
   * Several reads from ONE head, in as few round trips as the store can make (the git store: one
   * history walk for all the files; the GitHub store: one query per page of history files). One
   * Snapshot per request, in order, all with the same `head`. Requests naming the same history
   * file share its walk, and each snapshot holds exactly what its request alone would have read.
   */
  readAll(requests: readonly ReadRequest[]): Promise<Snapshot[]>;
  commit(request: CommitRequest): Promise<CommitResult>;
  /**
   * Commits in order as one chain on the store's branch: the first on `expectedHead`, each next on
   * the one before; one push where the store can. Results in order. From the first commit that
   * does not land on, every result is `stale` and nothing of it was written; a failure before
   * anything landed throws, as `commit` does.
   */
  commitChain(expectedHead: string, commits: readonly ChainedCommit[]): Promise<CommitResult[]>;
  /** Requests made and API budget, where the store counts them: for the job summary. */
  usage?(): StoreUsage | undefined;
  /** Where the store points, for messages: a path, a URL or owner/name plus the branch. */
  describe(): string;
  close(): Promise<void>;
}

/** A user-facing store failure: the message says what was wrong and what to do. */
export class StoreError extends Error {
  override name = 'StoreError';
}
