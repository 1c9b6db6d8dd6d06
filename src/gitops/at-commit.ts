import { resolve } from 'node:path';
import { createGit, type Git } from './git-command.js';
import { notARepository } from './git-errors.js';
import { GitStore } from './git-store.js';
import { Repo, resolveRef, runIn } from './repo.js';
import { type GitOpsStore, StoreError } from './store.js';
import type { Transport } from './transport.js';

/**
 * A local repository read at one commit (a ref, a branch, a sha), for the promotion gate's base and
 * head (`pinback gate --base REF --head REF`, the Action's base of a checked-out pull request). It
 * reads as the git store reads a branch, history included, and never writes: nothing moves in the
 * repository, no ref, no work tree.
 */
export async function openCommitStore(o: {
  path: string;
  ref: string;
  git?: Git | undefined;
  onWarning?: ((message: string) => void) | undefined;
}): Promise<GitOpsStore> {
  const git = o.git ?? createGit();
  if (o.ref === '' || o.ref.startsWith('-')) {
    throw new StoreError(`${JSON.stringify(o.ref)} is not a git revision (a branch, a tag or a commit)`);
  }
  const path = resolve(o.path);
  const top = await git.run(['rev-parse', '--absolute-git-dir'], { cwd: path });
  if (top.exitCode !== 0) throw notARepository(o.path, top.stderr);
  const gitDir = top.stdout.toString().trim();
  const sha = await resolveRef(runIn(git, path), o.ref);
  if (sha === undefined) {
    throw new StoreError(
      `${o.ref} names no commit in ${o.path}: fetch it first (a shallow checkout lacks it: actions/checkout with fetch-depth: 0)`,
    );
  }
  const repo = new Repo({
    git,
    root: path,
    gitDir,
    shown: o.path,
    branch: o.ref,
    scratchParent: () => Promise.reject(readOnly(o.path, o.ref)),
    onWarning: o.onWarning,
  });
  let warned = false;
  const transport: Transport = {
    repo,
    head: async () => sha,
    fetchBlobs: async () => {},
    deepen: async (file) => {
      if (!warned) {
        warned = true;
        repo.warn(
          `${o.path} is a shallow clone: the history of ${file} may be incomplete (fetch the full history, e.g. actions/checkout with fetch-depth: 0)`,
        );
      }
      return false;
    },
    land: () => Promise.reject(readOnly(o.path, o.ref)),
    close: async () => {},
  };
  const store = new GitStore(transport);
  const where = `${o.path} at ${o.ref} (${sha.slice(0, 12)})`;
  return {
    read: (r) => store.read(r),
    readAll: (r) => store.readAll(r),
    commit: () => Promise.reject(readOnly(o.path, o.ref)),
    commitChain: () => Promise.reject(readOnly(o.path, o.ref)),
    describe: () => where,
    close: () => store.close(),
  };
}

function readOnly(path: string, ref: string): StoreError {
  return new StoreError(`${path} at ${ref} is read only: the gate never writes`);
}
