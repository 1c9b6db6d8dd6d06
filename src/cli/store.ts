import { dirname, resolve } from 'node:path';
import { branchProblem } from '../config/branch.js';
import { UsageError } from '../config/errors.js';
import type { Policy } from '../config/policy.js';
import { openCliStore } from '../gitops/open.js';
import type { GitOpsStore } from '../gitops/store.js';
import type { Values } from './args.js';

async function storeFor(policy: Policy, v: Values): Promise<GitOpsStore> {
  const target = v.gitops ?? policy.gitops?.repo;
  if (!target)
    throw new UsageError(`no GitOps repository: pass --gitops PATH|URL or set gitops.repo in ${policy.file}`);
  // A relative gitops path in the policy is relative to the policy file, like every other path in it.
  const local =
    v.gitops === undefined && /^\.{1,2}\//.test(target) ? resolve(dirname(policy.file), target) : target;
  const problem = v.branch === undefined ? undefined : branchProblem(v.branch);
  if (problem) throw new UsageError(`--branch ${JSON.stringify(v.branch)}: ${problem}`);
  return openCliStore(local, v.branch ?? policy.gitops?.branch);
}

/** The policy's GitOps repository (or `--gitops`), opened for `fn` and closed after it. */
export async function withStore<T>(
  policy: Policy,
  v: Values,
  fn: (store: GitOpsStore) => Promise<T>,
): Promise<T> {
  return using(await storeFor(policy, v), fn);
}

/** Runs `fn` on an open store and closes it, whatever `fn` does. */
export async function using<T>(store: GitOpsStore, fn: (store: GitOpsStore) => Promise<T>): Promise<T> {
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
