import { existsSync } from 'node:fs';
import { openGitStore } from './git.js';
import { type GitOpsStore, StoreError } from './store.js';
import { classifyTarget } from './target.js';

let cliWarning = (message: string): void => {
  process.stderr.write(`pinback: warning: ${message}\n`);
};

/** Where the CLI's stores tell problems that do not fail the run (stderr unless the CLI says otherwise). */
export function setCliStoreWarning(warn: (message: string) => void): void {
  cliWarning = warn;
}

/** The CLI's store: a local path or any git URL. `owner/name` is served by the Action's GitHub store. */
export async function openCliStore(target: string, branch: string | undefined): Promise<GitOpsStore> {
  if (classifyTarget(target, existsSync).kind === 'github') {
    throw new StoreError(
      `gitops repo "${target}" is a GitHub owner/name: the CLI needs a path or a git URL (e.g. https://github.com/${target}.git), or run pinback as the GitHub Action`,
    );
  }
  return openGitStore({ target, branch, onWarning: (m) => cliWarning(m) });
}
