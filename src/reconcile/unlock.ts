import type { Identity, GitOpsStore } from '../gitops/store.js';
import { LOCK_FILE, removeLocks } from '../history/locks.js';
import type { Proposals } from './ports.js';
import { untilLanded } from './retry.js';

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
  o: { rollbackId: string; author: Identity; incident: string; attempts?: number },
): Promise<UnlockResult> {
  const branch = `pinback/unlock-${o.rollbackId}`;
  return untilLanded<UnlockResult>(
    o.attempts ?? 3,
    async () => {
      const snap = await store.read({ files: [LOCK_FILE], historyOf: LOCK_FILE, limit: 1 });
      const text = snap.files.get(LOCK_FILE) ?? null;
      const { text: next, removed } = removeLocks(text ?? '', o.rollbackId);
      const versions = removed.map((r) => ({ service: r.service, version: r.lock.version }));
      if (removed.length === 0) {
        const message = `no lock of rollback ${o.rollbackId} in ${LOCK_FILE}: nothing to unlock`;
        return { kind: 'done', value: { removed: [], pullRequest: undefined, message } };
      }
      const found = await proposals.find(branch);
      if (found?.state === 'open') {
        const message = 'the unlock pull request is already open';
        return { kind: 'done', value: { removed: versions, pullRequest: found.url, message } };
      }
      const what = versions.map((v) => `${v.service} ${v.version}`).join(', ');
      const subject = `unlock: ${what} (rollback ${o.rollbackId})`;
      const result = await store.commit({
        expectedHead: snap.head,
        branch,
        author: o.author,
        changes: [{ path: LOCK_FILE, content: next }],
        message: `${subject}\n\nThe incident ${o.incident} was closed.\n\nRollback-Unlock: ${o.rollbackId}\n`,
      });
      if (!result.ok) return { kind: 'stale' };
      const pullRequest = await proposals.open({
        branch,
        base: snap.branch ?? 'main',
        title: subject,
        body: `The incident ${o.incident} was closed. Merging this pull request unlocks ${what}: \`pinback check\` will then accept a pin of it again.`,
      });
      return {
        kind: 'done',
        value: { removed: versions, pullRequest, message: `proposed to unlock ${what}` },
      };
    },
    () => new Error(`could not propose the unlock: the branch of ${store.describe()} kept moving`),
  );
}
