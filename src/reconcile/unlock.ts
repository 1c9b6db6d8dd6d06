import { LOCK_FILE, removeLocks } from '../history/locks.js';
import type { Proposals } from '../github/proposals.js';
import type { GitOpsStore, Identity } from '../gitops/store.js';

export interface UnlockResult {
  removed: { service: string; version: string }[];
  pullRequest: string | undefined;
  message: string;
}

/**
 * Closing an incident proposes to unlock its version: a pull request that deletes the lock
 * entries of that rollback. Reviewing and merging it is the unlock, like any GitOps change.
 */
export async function proposeUnlock(
  store: GitOpsStore,
  proposals: Proposals,
  o: { rollbackId: string; author: Identity; incident: string },
): Promise<UnlockResult> {
  const branch = `pinback/unlock-${o.rollbackId}`;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const snap = await store.read({ files: [LOCK_FILE], historyOf: LOCK_FILE, limit: 1 });
    const text = snap.files.get(LOCK_FILE) ?? null;
    const { text: next, removed } = removeLocks(text ?? '', o.rollbackId);
    const versions = removed.map((r) => ({ service: r.service, version: r.lock.version }));
    if (removed.length === 0)
      return {
        removed: [],
        pullRequest: undefined,
        message: `no lock of rollback ${o.rollbackId} in ${LOCK_FILE}: nothing to unlock`,
      };
    const found = await proposals.find(branch);
    if (found?.state === 'open')
      return {
        removed: versions,
        pullRequest: found.url,
        message: 'the unlock pull request is already open',
      };
    const what = versions.map((v) => `${v.service} ${v.version}`).join(', ');
    const subject = `unlock: ${what} (rollback ${o.rollbackId})`;
    const result = await store.commit({
      expectedHead: snap.head,
      branch,
      author: o.author,
      changes: [{ path: LOCK_FILE, content: next }],
      message: `${subject}\n\nThe incident ${o.incident} was closed.\n\nRollback-Unlock: ${o.rollbackId}\n`,
    });
    if (!result.ok) continue;
    const pullRequest = await proposals.open({
      branch,
      base: snap.branch ?? 'main',
      title: subject,
      body: `The incident ${o.incident} was closed. Merging this pull request unlocks ${what}: \`pinback check\` will then accept a pin of it again.`,
    });
    return { removed: versions, pullRequest, message: `proposed to unlock ${what}` };
  }
  throw new Error(`could not propose the unlock: the branch of ${store.describe()} kept moving`);
}
