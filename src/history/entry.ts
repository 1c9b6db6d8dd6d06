/** One commit that changed the watched file, newest first in a history. */
export interface HistoryEntry {
  sha: string;
  /** Committer time, unix seconds. */
  time: number;
  /** The full commit message (subject, body, trailers). */
  message: string;
  /** The watched file's text at this commit; null where the commit deleted it. */
  text: string | null;
}
