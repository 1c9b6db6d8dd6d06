import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export type Octokit = ReturnType<typeof getOctokit>;

export interface OctokitSettings {
  token: string;
  /** REST base URL: GITHUB_API_URL (GHES: https://HOST/api/v3). */
  apiUrl: string;
  warn: (message: string) => void;
}

/**
 * The one place an Octokit is built: retries on 5xx, and the throttling plugin's waits on primary
 * and secondary rate limits (a few retries, then the error surfaces).
 */
export function createOctokit(s: OctokitSettings): Octokit {
  return getOctokit(
    s.token,
    {
      baseUrl: s.apiUrl,
      request: { retries: 2 },
      throttle: {
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
