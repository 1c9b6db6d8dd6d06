/**
 * What GitHub says the token may do in a repository, for `mode: doctor`: `GET /repos/{owner}/{repo}`
 * answers `permissions` (the token's user's role) and, for a classic token, `x-oauth-scopes`. An
 * installation token (GITHUB_TOKEN, a GitHub App's) shows neither: its permissions are the
 * workflow's `permissions:` or the App's, which no API call reveals.
 */
import { type Access, tokenKind } from '../doctor/token-check.js';
import type { Octokit } from './octokit.js';

export async function repoAccess(octokit: Octokit, repo: string, token: string): Promise<Access> {
  const [owner = '', name = ''] = repo.split('/');
  try {
    const res = await octokit.rest.repos.get({ owner, repo: name });
    const scopes = res.headers['x-oauth-scopes'];
    return {
      kind: 'github',
      repo,
      token: tokenKind(token),
      permissions: res.data.permissions,
      scopes:
        typeof scopes === 'string'
          ? scopes
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
      private: res.data.private,
    };
  } catch (e) {
    const status = (e as { status?: number }).status;
    const why =
      status === 404
        ? 'Not Found (the repository does not exist, or the token may not see it)'
        : `${status ?? 'error'}: ${(e as Error).message}`;
    return { kind: 'github_error', repo, message: why };
  }
}
