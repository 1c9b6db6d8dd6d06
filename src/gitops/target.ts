import { StoreError } from './store.js';

/** What a GitOps target string names. */
export type Target =
  { kind: 'github'; repo: string } | { kind: 'remote'; url: string } | { kind: 'local'; path: string };

/** `scheme://`, in any case: `https://`, `HTTPS://`, `ssh://`, `file://`, `git+ssh://`. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** A Windows drive: `C:\x`, `C:/x`, `C:x`. */
const DRIVE = /^[A-Za-z]:/;
/** A GitHub account: letters, digits and hyphens, not starting with a hyphen, at most 39. */
const OWNER = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
/** A GitHub repository name: letters, digits, `.`, `_` and `-`, at most 100; not `.` or `..`. */
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Tells what a GitOps target (`gitops.repo`, `--gitops`, the Action's `gitops-repo`) names, the
 * same way everywhere:
 *
 * 1. a URL with a scheme (`https://`, `ssh://`, `file://`, `git+ssh://`, in any case) is a remote;
 * 2. an scp-like address `[user@]host:path`, a colon before any slash, is a remote, as git reads
 *    it; a single letter before the colon is a Windows drive (`C:\repos`, `C:/repos`), a path;
 * 3. `owner/name` in GitHub's shape is a GitHub repository, unless a path of that name exists;
 * 4. anything else is a local path (returned as given: the caller resolves it).
 *
 * An empty target is a StoreError rather than the current directory. `exists` is asked only
 * about an `owner/name`; pass `existsSync`, or a fake in tests.
 */
export function classifyTarget(target: string, exists: (path: string) => boolean): Target {
  if (target === '') {
    throw new StoreError('the GitOps repository is empty: name a path, a git URL or a GitHub owner/name');
  }
  if (DRIVE.test(target)) return { kind: 'local', path: target };
  if (SCHEME.test(target)) return { kind: 'remote', url: target };
  const colon = target.indexOf(':');
  const slash = target.indexOf('/');
  if (colon > 0 && (slash < 0 || colon < slash)) return { kind: 'remote', url: target };
  if (isOwnerName(target) && !exists(target)) return { kind: 'github', repo: target };
  return { kind: 'local', path: target };
}

/** `owner/name` in the shape GitHub allows (whether or not such a repository exists). */
function isOwnerName(target: string): boolean {
  const parts = target.split('/');
  if (parts.length !== 2) return false;
  const [owner = '', name = ''] = parts;
  return OWNER.test(owner) && NAME.test(name) && name !== '.' && name !== '..';
}
