import { StoreError } from './store.js';

const HINT =
  'use a path relative to the repository root with forward slashes, like apps/api/kustomization.yaml';

/**
 * Checks a repository-relative file path from a policy (`pin.file`, a kill switch's `file`, the lock
 * file) and returns it normalized (`./a//b` -> `a/b`). A path that could leave the repository or
 * confuse git is a StoreError naming it: empty, absolute (`/x`, `C:x`), with a backslash, a NUL or
 * another control character, a `..` segment, a `.git` segment, or a trailing slash.
 * Symbolic links are checked where the repository is at hand (the stores do that).
 */
export function safeRepoPath(path: string): string {
  const bad = (why: string): StoreError =>
    new StoreError(`file path ${JSON.stringify(path)} ${why}: ${HINT}`);
  if (path.length === 0) throw bad('is empty');
  if (path.includes('\0')) throw bad('contains a NUL character');
  // Rejecting control characters is the point of this pattern.
  if (/[\u0001-\u001f\u007f]/.test(path)) throw bad('contains a control character');
  if (path.includes('\\')) throw bad('contains a backslash');
  if (path.startsWith('/')) throw bad('is absolute and escapes the repository');
  if (/^[A-Za-z]:/.test(path)) throw bad('is a drive path and escapes the repository');
  if (path.endsWith('/')) throw bad('ends with a slash (it names a directory, not a file)');
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw bad("contains '..' and may escape the repository");
  if (segments.some((s) => s.toLowerCase() === '.git')) throw bad("goes into git's own .git directory");
  if (segments.length === 0) throw bad('names the repository root, not a file');
  return segments.join('/');
}

/** Every proper leading directory of a normalized path: `a/b/c` -> [`a`, `a/b`]. */
export function leadingDirectories(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
}
