/**
 * `K/N`: this run's share of the services when N runs (an Actions matrix) split them; which service
 * falls in which shard is shard-of.ts. Parsing lives apart from the hash so that reading a command
 * line (and `--help`) loads no crypto.
 */
export interface Shard {
  /** K, from 1. */
  index: number;
  /** N. */
  count: number;
}

/** Past this, a matrix is no longer the tool (GitHub runs at most 256 jobs per matrix). */
export const MAX_SHARDS = 256;

const FORM = /^(\d+)\/(\d+)$/;

/** `2/4`, or why the text is not a shard; the caller says where it came from (a flag, an input). */
export function parseShard(text: string): { ok: true; shard: Shard } | { ok: false; problem: string } {
  const m = FORM.exec(text.trim());
  const bad = (why: string) => ({
    ok: false as const,
    problem: `${why}: K/N picks the K-th of N shards, 1 <= K <= N <= ${MAX_SHARDS}, as in 2/4; not "${text}"`,
  });
  if (!m) return bad('must be K/N');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return bad(`N must be from 1 to ${MAX_SHARDS}`);
  if (index < 1 || index > count) return bad('K must be from 1 to N');
  return { ok: true, shard: { index, count } };
}

export function formatShard(s: Shard): string {
  return `${s.index}/${s.count}`;
}
