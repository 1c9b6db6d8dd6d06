import type { Stale } from './git-errors.js';
import type { Repo } from './repo.js';
import type { CommitResult } from './store.js';

/** A file as a commit holds it. */
export interface IndexEntry {
  path: string;
  mode: string;
  oid: string;
}

/** A commit built on the expected head, on no branch yet. */
export interface BuiltCommit {
  sha: string;
  /** The files it changed. */
  entries: IndexEntry[];
}

/**
 * How a git store reaches the branch it serves: all that differs between a local repository, read
 * and written in place, and a remote, reached through a temporary shallow, blob-less clone. The
 * store (reading, building commits) is the same for both.
 */
export interface Transport {
  /** Where every command runs: the work tree, or the temporary clone. */
  readonly repo: Repo;
  /**
   * Called before each read: puts right what an earlier run left half done where the transport
   * can (a local work tree's refresh, refresh.ts).
   */
  settle?(): Promise<void>;
  /** The tip of the store's branch, fetched first where the branch lives elsewhere; undefined when it is gone. */
  head(): Promise<string | undefined>;
  /** Makes these blobs readable here (one batch fetch in a blob-less clone). */
  fetchBlobs(oids: string[]): Promise<void>;
  /**
   * The history met the shallow boundary while looking for the changes of `path`: fetches deeper
   * and answers true, or answers false where it cannot (and the history stays short).
   */
  deepen(path: string): Promise<boolean>;
  /**
   * Starts a commit on `expected` to `target`: makes sure `expected` is here (fetching where it
   * can) and settles what `target` must point at when the commit lands; stale when it cannot land.
   */
  land(target: string, expected: string): Promise<Landing | Stale>;
  /** Releases what the transport holds (a temporary clone). */
  close(): Promise<void>;
}

/** One commit on its way to its branch. */
export interface Landing {
  /**
   * Checks made before the commit is built, once its paths are known to be writable files: a
   * checked-out work tree must be clean there. Stale, a thrown StoreError, or undefined to go on.
   */
  check(paths: string[]): Promise<Stale | undefined>;
  /**
   * Moves the branch to the commit if it is still where it was when the landing started
   * (update-ref with the old value locally, push with a lease remotely); stale otherwise.
   */
  publish(commit: BuiltCommit): Promise<CommitResult>;
}
