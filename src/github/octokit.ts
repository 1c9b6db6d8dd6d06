import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { type ThrottlingOptions, throttling } from '@octokit/plugin-throttling';

export type Octokit = ReturnType<typeof getOctokit>;

export interface OctokitSettings {
  token: string;
  /** REST base URL: GITHUB_API_URL (GHES: https://HOST/api/v3). */
  apiUrl: string;
  warn: (message: string) => void;
}

/**
 * The plugin's write limiter starts every POST, GraphQL queries included, 1 s after the previous
 * one (GitHub's advice for bulk writes): that held each rollback commit a second behind its read.
 * A run makes a handful of writes; the plugin still spaces those that notify people (issues,
 * comments, pull requests) and still waits out every rate limit GitHub answers. The plugin only
 * calls `key(id).schedule(options, task)` on it.
 */
const unspacedWrites = {
  key: () => ({ schedule: <T>(_options: unknown, task: () => Promise<T>) => task() }),
} as unknown as NonNullable<ThrottlingOptions['write']>;

/**
 * The one place an Octokit is built: retries on 5xx, and the throttling plugin's waits on primary
 * and secondary rate limits (a few retries, then the error surfaces).
 */
export function createOctokit(s: OctokitSettings): Octokit {
  return getOctokit(
    s.token,
    {
      baseUrl: s.apiUrl,
      // Not `request: {retries}`: plugin-retry reads that back for every failed request and so
      // retried 4xx answers at once, a secondary rate limit before the throttling plugin waited.
      retry: { retries: 2 },
      throttle: {
        write: unspacedWrites,
        onRateLimit: (
          after: number,
          options: { method: string; url: string },
          _o: unknown,
          count: number,
        ) => {
          s.warn(`GitHub rate limit on ${options.method} ${options.url}: retrying in ${after}s`);
          return count < 2;
        },
        onSecondaryRateLimit: (
          after: number,
          options: { method: string; url: string },
          _o: unknown,
          count: number,
        ) => {
          s.warn(`GitHub secondary rate limit on ${options.method} ${options.url}: retrying in ${after}s`);
          return count < 2;
        },
      },
    },
    retry,
    throttling,
  );
}
