/** Who wrote a commit, as git records it (`%an`, `%ae`). */
export interface CommitAuthor {
  name: string;
  email: string;
}

/** One commit that changed the watched file, newest first in a history. */
export interface HistoryEntry {
  sha: string;
  /** Committer time, unix seconds. */
  time: number;
  /** The full commit message (subject, body, trailers). */
  message: string;
  /** The watched file's text at this commit; null where the commit deleted it. */
  text: string | null;
  /**
   * The author of the commit whose trailers `message` ends with: the commit's own, or, for a merge
   * that lends the message of a commit it brought in (src/gitops/first-parent.ts), that commit's.
   * Optional: where a store leaves it out, no check depends on it.
   */
  author?: CommitAuthor | undefined;
  /**
   * Set where the entry comes from a history simplified past the first-parent chain the store
   * could walk (the GitHub store beyond its chain window): there a change merged with a merge
   * commit appears as the commit it brought in, so `sha` may not be the pin commit pinback saw
   * (and named rollback ids after) while the change was newer. Optional: absent is first-parent.
   */
  simplified?: boolean | undefined;
}
