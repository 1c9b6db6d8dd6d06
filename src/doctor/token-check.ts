/**
 * Pure: can the token write where a rollback writes? The shell asks the backend (GitHub's
 * `GET /repos/{owner}/{repo}`, the file system for a local repository) and hands in what it said.
 */
import { type CheckResult, missing, notChecked, pass } from './checks.js';

/** What pinback writes with the token: the GitHub permission names. */
export type Permission = 'contents' | 'issues' | 'pull-requests' | 'statuses';

/** A token's kind, from its prefix (GitHub's documented token formats). */
export type TokenKind = 'installation' | 'classic' | 'fine-grained' | 'oauth' | 'unknown';

export function tokenKind(token: string): TokenKind {
  if (token.startsWith('ghs_')) return 'installation';
  if (token.startsWith('ghp_')) return 'classic';
  if (token.startsWith('github_pat_')) return 'fine-grained';
  if (token.startsWith('gho_') || token.startsWith('ghu_')) return 'oauth';
  return 'unknown';
}

/** What the backend said about one repository. */
export type Access =
  /** Not asked: why, and what would let doctor ask (for the advice). */
  | { kind: 'unknown'; reason: string; advice?: string | undefined }
  | { kind: 'local'; path: string; writable: boolean }
  | { kind: 'github_error'; repo: string; message: string }
  | {
      kind: 'github';
      repo: string;
      token: TokenKind;
      /** The repository's `permissions` (the token's user's role); absent for installation tokens. */
      permissions?: Partial<Record<'admin' | 'maintain' | 'push' | 'triage' | 'pull', boolean>> | undefined;
      /** `x-oauth-scopes` of a classic token, where GitHub sent it. */
      scopes?: readonly string[] | undefined;
      private: boolean;
    };

/** One repository the service writes to and what it needs there. */
export interface AccessNeed {
  access: Access;
  needs: readonly Permission[];
}

export const ACTION_PERMISSIONS =
  'permissions: { contents: write, issues: write, pull-requests: write, statuses: write }';

type Found = { status: 'ok' | 'denied' | 'unknown'; text: string };

function judge(need: AccessNeed): Found {
  const a = need.access;
  const what = need.needs.map((p) => `${p}: write`).join(', ');
  switch (a.kind) {
    case 'unknown':
      return { status: 'unknown', text: a.reason };
    case 'local':
      return a.writable
        ? { status: 'ok', text: `${a.path} is writable (commits there, pushed with your git credentials)` }
        : { status: 'denied', text: `${a.path} is not writable by this user` };
    case 'github_error':
      return { status: 'denied', text: `the token cannot read ${a.repo}: ${a.message}` };
    case 'github': {
      if (a.token === 'installation')
        return {
          status: 'unknown',
          text: `${a.repo}: an installation token (GITHUB_TOKEN or a GitHub App's) does not show its permissions to the API; it needs ${what}`,
        };
      if (
        a.scopes !== undefined &&
        !a.scopes.includes('repo') &&
        (a.private || !a.scopes.includes('public_repo'))
      )
        return {
          status: 'denied',
          text: `${a.repo}: the token's scopes (${a.scopes.join(', ') || 'none'}) lack repo`,
        };
      const p = a.permissions;
      if (p === undefined)
        return {
          status: 'unknown',
          text: `${a.repo}: GitHub did not say what this token may do; it needs ${what}`,
        };
      const write = p.push === true || p.maintain === true || p.admin === true;
      const lacking = need.needs.filter((n) => !(write || (n === 'issues' && p.triage === true)));
      if (lacking.length)
        return {
          status: 'denied',
          text: `${a.repo}: the token's user may not write ${lacking.join(', ')} (role: ${roleOf(p)})`,
        };
      const fine =
        a.token === 'fine-grained' ? " (the user may; a fine-grained token's own grants are not shown)" : '';
      return { status: 'ok', text: `${a.repo}: ${what}${fine}` };
    }
  }
}

function roleOf(p: Partial<Record<string, boolean>>): string {
  return (['admin', 'maintain', 'push', 'triage', 'pull'] as const).find((r) => p[r]) ?? 'none';
}

export function tokenCheck(needs: readonly AccessNeed[]): CheckResult {
  if (!needs.length) return notChecked('token', 'nothing to write was found to check');
  const found = needs.map(judge);
  const detail = found.map((f) => f.text).join('; ');
  if (found.some((f) => f.status === 'denied'))
    return missing(
      'token',
      detail,
      `give the token write access to each repository named (a workflow's ${ACTION_PERMISSIONS}; an App token: the App's installation)`,
    );
  if (found.some((f) => f.status === 'unknown')) {
    const told = needs.find((n) => n.access.kind === 'unknown' && n.access.advice !== undefined)?.access;
    const advice = told?.kind === 'unknown' ? told.advice : undefined;
    return notChecked('token', detail, advice ?? `make sure the job grants ${ACTION_PERMISSIONS}`);
  }
  return pass('token', detail);
}
