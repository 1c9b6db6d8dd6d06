import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { PinError } from '../pins/errors.js';
import { decodeUtf8 } from '../pins/utf8.js';
import { symlinkError } from './git-errors.js';
import { leadingDirectories, safeRepoPath } from './paths.js';
import { type GitOpsStore, type ReadRequest, type Snapshot, StoreError } from './store.js';

/**
 * One file of the checkout, as the git store would read it from the commit: null where it does not
 * exist, else its text. The path is checked as every store checks it (relative, no `..`, nothing
 * under `.git/`), and then on disk: a symbolic link, as the file or as any directory on its way,
 * could lead out of the checkout (a pull request can add one), so it is refused as the git store
 * refuses a link in the tree; so is anything but a regular file (a FIFO would block the read). The
 * bytes must be UTF-8: pinback edits only UTF-8 files, and the gate says so before a rollback would.
 */
async function readCheckedOut(dir: string, file: string, where: string): Promise<string | null> {
  const path = safeRepoPath(file);
  for (const at of [...leadingDirectories(path), path]) {
    let st;
    try {
      st = await lstat(join(dir, at));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw new StoreError(`cannot read ${file} in ${where}: ${(e as Error).message}`);
    }
    if (st.isSymbolicLink()) throw symlinkError(path, at, where);
    if (at !== path && !st.isDirectory()) return null;
    if (at === path && !st.isFile()) {
      throw new StoreError(
        `"${path}" in ${where} is ${st.isDirectory() ? 'a directory' : 'not a regular file'}: a pin lives in a text file`,
      );
    }
  }
  // O_NOFOLLOW: a link put in place since the checks above is refused by the kernel, not followed.
  let bytes: Buffer;
  try {
    const handle = await open(join(dir, path), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw symlinkError(path, path, where);
    if (code === 'ENOENT') return null;
    throw new StoreError(`cannot read ${file} in ${where}: ${(e as Error).message}`);
  }
  try {
    return decodeUtf8(bytes, path);
  } catch (e) {
    if (e instanceof PinError) throw new StoreError(`${e.message} (in ${where})`);
    throw e;
  }
}

/**
 * The files of a checked-out tree as they are on disk, for the gate on a pull request (a detached
 * merge commit); it has no history and never commits.
 */
export function workTreeStore(dir: string): GitOpsStore {
  const where = `${dir} (work tree)`;
  const read = async ({ files }: ReadRequest): Promise<Snapshot> => {
    const texts = await Promise.all(files.map((f) => readCheckedOut(dir, f, where)));
    return { head: 'WORKTREE', files: new Map(files.map((f, i) => [f, texts[i]!])), history: [] };
  };
  const refuse = (): never => {
    throw new StoreError(`${dir} is read as a work tree: it cannot be committed to`);
  };
  return {
    describe: () => where,
    async close() {},
    read,
    readAll: (requests) => Promise.all(requests.map(read)),
    commit: async () => refuse(),
    commitChain: async () => refuse(),
  };
}
