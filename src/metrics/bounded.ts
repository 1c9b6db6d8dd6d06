/**
 * A per-provider bound on queries in flight. A run reads many services at once; without a bound a
 * thousand services would open thousands of requests against one Prometheus, and with one bound
 * shared by all providers a backend that hangs would hold every slot and stall the others. So each
 * provider gets its own slots (`concurrency` in its policy entry), and a query waits in a FIFO queue
 * for one of them.
 *
 * A retry keeps its slot while it waits (the HTTP client sleeps inside `query`, http-client.ts).
 * That is deliberate: a `Retry-After` or a backoff after a 5xx or a timeout means the backend asked
 * for less load, and handing the slot to the next query would send that query straight into the same
 * 429. The wait is bounded (`maxRetryWaitMs`, 30 s, and at most two retries), ends when the query's
 * signal aborts, and holds only its own provider's slot: other providers never wait for it.
 */
import type { MetricQuery, MetricResult, MetricsProvider } from './provider.js';

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

export interface Slots {
  /** Resolves with a release once a slot is free, or undefined when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Release | undefined>;
  /** Slots taken now. */
  readonly active: number;
  /** Queries waiting for a slot now. */
  readonly waiting: number;
}

interface Waiter {
  grant(release: Release): void;
}

/** `limit` slots, handed out in the order they were asked for. */
export function slots(limit: number): Slots {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`a concurrency bound is a positive integer, got ${limit}`);
  }
  let active = 0;
  // A Set keeps insertion order (FIFO) and lets an aborted waiter leave from anywhere in O(1).
  const queue = new Set<Waiter>();

  const releaser = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.values().next();
      if (next.done) {
        active--;
        return;
      }
      // The slot passes straight to the oldest waiter: `active` is unchanged, and no query that
      // arrives meanwhile can take it ahead of the queue.
      queue.delete(next.value);
      next.value.grant(releaser());
    };
  };

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.resolve(undefined);
      if (active < limit) {
        active++;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve) => {
        const onAbort = () => {
          queue.delete(waiter);
          resolve(undefined);
        };
        const waiter: Waiter = {
          grant: (release) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(release);
          },
        };
        queue.add(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.size;
    },
  };
}

/**
 * `provider` with at most `limit` queries in flight. A query aborted while it waits leaves the queue
 * and answers no data (a provider never throws), as an aborted request does.
 */
export function boundedProvider(provider: MetricsProvider, limit: number, name: string): MetricsProvider {
  const gate = slots(limit);
  return {
    async query(q: MetricQuery, signal?: AbortSignal): Promise<MetricResult> {
      const release = await gate.acquire(signal);
      if (release === undefined) {
        return {
          kind: 'no_data',
          cause: `provider "${name}": query aborted while waiting for one of its ${limit} query slots (concurrency)`,
        };
      }
      try {
        return await provider.query(q, signal);
      } finally {
        release();
      }
    },
  };
}
