import { existsSync } from 'node:fs';
import { openGitStore } from './git.js';
import { type GitOpsStore, StoreError } from './store.js';

const OWNER_NAME = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;

/** `owner/name` of a GitHub repository, as opposed to a path or a git URL. */
export function isGitHubRepo(target: string): boolean {
  return OWNER_NAME.test(target) && !existsSync(target);
}

/** The CLI's store: a local path or any git URL. `owner/name` is served by the Action's GitHub store. */
export async function openCliStore(target: string, branch: string | undefined): Promise<GitOpsStore> {
  if (isGitHubRepo(target)) {
    throw new StoreError(
      `gitops repo "${target}" is a GitHub owner/name: the CLI needs a path or a git URL (e.g. https://github.com/${target}.git), or run pinback as the GitHub Action`,
    );
  }
  return openGitStore({ target, branch });
}
