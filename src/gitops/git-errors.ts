import { type CommitResult, StoreError } from './store.js';

/** The answer to a commit whose branch is not where the change was decided. */
export type Stale = Extract<CommitResult, { ok: false }>;

export function stale(detail: string): Stale {
  return { ok: false, reason: 'stale', detail };
}

/** A URL for messages: any password or token in it replaced. */
export function redact(target: string): string {
  return target.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@]*@/, '$1***@');
}

function redactAll(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s]*@/g, '$1***@');
}

/** What git said, for a message: its last three meaningful lines, any credentials in URLs replaced. */
export function said(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'Done' && !l.startsWith('To '));
  return redactAll(lines.slice(-3).join('; ') || 'no message');
}

export function notARepository(target: string, why: string): StoreError {
  return new StoreError(`"${redact(target)}" is not a git repository (git said: ${said(why)})`);
}

export function missingBranch(branch: string, where: string, names: string[]): StoreError {
  const known = names.filter((n) => n !== '');
  return new StoreError(
    `branch "${branch}" does not exist in ${where}${known.length ? ` (branches: ${known.slice(0, 20).join(', ')})` : ''}: create it or name another branch (gitops.branch or --branch)`,
  );
}

export function symlinkError(path: string, at: string, where: string): StoreError {
  const what = at === path ? 'is a symbolic link' : `goes through the symbolic link "${at}"`;
  return new StoreError(
    `"${path}" ${what} in ${where}: pinback writes only regular files inside the repository; point the policy at the link's target instead`,
  );
}

/** The commit a change was decided on is not in the repository (`tip`: the branch's tip, where it was fetched). */
export function notACommit(expected: string, where: string, tip?: string): Stale {
  return stale(`${expected} is not a commit of ${where}${tip ? `; the branch is at ${tip}` : ''}`);
}

/** The branch moved away from `lease` (or was created, where it had to be new) before the commit landed. */
export function moved(target: string, lease: string | undefined, tip: string | undefined): Stale {
  return stale(
    lease === undefined
      ? `branch ${target} was created meanwhile (at ${tip})`
      : `branch ${target} moved to ${tip ?? '(deleted)'}, not ${lease}`,
  );
}
