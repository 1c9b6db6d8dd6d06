import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { safeRepoPath } from './paths.js';
import { type GitOpsStore, StoreError } from './store.js';

/**
 * The files of a checked-out tree as they are on disk, for the gate on a pull request (a detached
 * merge commit); it has no history and never commits.
 */
export function workTreeStore(dir: string): GitOpsStore {
  return {
    describe: () => `${dir} (work tree)`,
    async close() {},
    async read({ files }) {
      const texts = await Promise.all(
        files.map((f) =>
          readFile(join(dir, safeRepoPath(f)), 'utf8').catch((e: NodeJS.ErrnoException) => {
            if (e.code === 'ENOENT') return null;
            throw new StoreError(`cannot read ${f} in ${dir}: ${e.message}`);
          }),
        ),
      );
      return { head: 'WORKTREE', files: new Map(files.map((f, i) => [f, texts[i]!])), history: [] };
    },
    async commit() {
      throw new StoreError(`${dir} is read as a work tree: it cannot be committed to`);
    },
  };
}
