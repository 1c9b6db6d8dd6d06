import type { HistoryEntry } from '../history/entry.js';

export type { HistoryEntry };

/** What one read returns: everything a decision needs, from one consistent head. */
export interface Snapshot {
  head: string;
  /** The branch read, where the store resolved a default one. */
  branch?: string | undefined;
  /** Each requested file's text at `head`; null where it does not exist. */
  files: Map<string, string | null>;
  /** Commits that changed `historyOf`, newest first, at most `limit`. */
  history: HistoryEntry[];
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
export interface GitOpsStore {
  read(request: { files: string[]; historyOf: string; limit: number }): Promise<Snapshot>;
  commit(request: CommitRequest): Promise<CommitResult>;
  /** Where the store points, for messages: a path, a URL or owner/name plus the branch. */
  describe(): string;
  close(): Promise<void>;
}

/** A user-facing store failure: the message says what was wrong and what to do. */
export class StoreError extends Error {
  override name = 'StoreError';
}
