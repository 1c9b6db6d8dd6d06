import type { TreeEntry } from './git-parse.js';
import { symlinkError } from './git-errors.js';
import { leadingDirectories } from './paths.js';
import { StoreError } from './store.js';

/** What a repository path is at one commit: a regular file, nothing, or under a file (not a directory). */
export type PathState =
  { kind: 'file'; mode: string; oid: string } | { kind: 'missing' } | { kind: 'blocked'; by: string };

/** The paths to list with `ls-tree` to know the state of `paths`: each path and its leading directories. */
export function treePaths(paths: readonly string[]): string[] {
  const all = new Set<string>();
  for (const p of paths) {
    for (const d of leadingDirectories(p)) all.add(d);
    all.add(p);
  }
  return [...all];
}

/**
 * The state of each path from the tree entries of `treePaths(paths)`. A symbolic link or a
 * submodule on the way, or a path that is a directory, is a StoreError naming `where`.
 */
export function pathStates(
  entries: ReadonlyMap<string, TreeEntry>,
  paths: readonly string[],
  where: string,
  /** Paths that may be a directory (a history read of a directory): no file there, no error. */
  directories: ReadonlySet<string> = new Set(),
): Map<string, PathState> {
  const states = new Map<string, PathState>();
  for (const p of paths) {
    let state: PathState | undefined;
    for (const d of leadingDirectories(p)) {
      const e = entries.get(d);
      if (!e || e.type === 'tree') continue;
      rejectSpecial(p, d, e, where);
      state = { kind: 'blocked', by: d };
      break;
    }
    if (!state) {
      const e = entries.get(p);
      if (!e) state = { kind: 'missing' };
      else {
        rejectSpecial(p, p, e, where);
        if (e.type === 'tree' && directories.has(p)) state = { kind: 'missing' };
        else if (e.type === 'tree') {
          throw new StoreError(
            `"${p}" is a directory in ${where}, not a file: point the policy at a file inside it`,
          );
        } else state = { kind: 'file', mode: e.mode, oid: e.oid };
      }
    }
    states.set(p, state);
  }
  return states;
}

function rejectSpecial(path: string, at: string, e: TreeEntry, where: string): void {
  if (e.mode === '120000') throw symlinkError(path, at, where);
  if (e.type === 'commit') {
    throw new StoreError(
      `"${path}" is inside the submodule "${at}" in ${where}: pinback edits files of this repository only; point it at the submodule's own repository`,
    );
  }
}
