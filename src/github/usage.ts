import type { StoreUsage } from '../gitops/store.js';

/** What a GraphQL query answers in `rateLimit { cost remaining limit resetAt }`. */
export interface RateLimitNode {
  cost: number;
  remaining: number;
  limit: number;
  resetAt: string;
}

export interface UsageMeter {
  /** A read made (counted when sent: a failed one was spent too). */
  read(): void;
  /** A write made: a mutation or a REST call. */
  write(): void;
  /** The rate limit a query reported: its cost is added, the rest is the latest word. */
  rate(node: RateLimitNode | null | undefined): void;
  usage(): StoreUsage;
}

/**
 * The GitHub store's API budget, for the job summary: requests by kind, and the rate-limit points
 * the queries reported. Mutations report none (GitHub's Mutation type has no `rateLimit`), so
 * `used` sums what the reads cost and `remaining` is the latest any read reported.
 */
export function usageMeter(): UsageMeter {
  let reads = 0;
  let writes = 0;
  let used = 0;
  let latest: RateLimitNode | undefined;
  return {
    read: () => void reads++,
    write: () => void writes++,
    rate(node) {
      if (!node) return;
      used += node.cost;
      latest = node;
    },
    usage: () => ({
      requests: reads + writes,
      reads,
      writes,
      points: latest && {
        used,
        remaining: latest.remaining,
        limit: latest.limit,
        resetAt: latest.resetAt,
      },
    }),
  };
}

/** Two meters' spending as one: requests add up; points add up, the latest remaining wins. */
export function sumUsage(a: StoreUsage | undefined, b: StoreUsage | undefined): StoreUsage | undefined {
  if (!a || !b) return a ?? b;
  const points =
    a.points && b.points ? { ...b.points, used: a.points.used + b.points.used } : (a.points ?? b.points);
  return {
    requests: a.requests + b.requests,
    reads: a.reads + b.reads,
    writes: a.writes + b.writes,
    ...(points ? { points } : {}),
  };
}
