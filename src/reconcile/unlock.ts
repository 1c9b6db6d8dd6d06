import type { FileChange, Identity, GitOpsStore } from '../gitops/store.js';
import { LEGACY_LOCK_FILE, LOCK_DIR, lockFileOf, removeLocks } from '../history/locks.js';
import type { Proposals } from './ports.js';
import { untilLanded } from './retry.js';

export interface UnlockResult {
  removed: { service: string; version: string }[];
  pullRequest: string | undefined;
  message: string;
}

/**
 * Closing an incident proposes to unlock its version: a pull request that deletes the lock
 * entries of that rollback, wherever they are: the lock files of `services` (each read by name:
 * no directory is listed) and the legacy file. Reviewing and merging it is the unlock, like any
 * GitOps change.
 */
export async function proposeUnlock(
  store: GitOpsStore,
  proposals: Proposals,
  o: {
    rollbackId: string;
    /** The services whose lock files are searched (the policy's). */
    services: readonly string[];
    author: Identity;
    incident: string;
    attempts?: number;
  },
): Promise<UnlockResult> {
  const branch = `pinback/unlock-${o.rollbackId}`;
  const files = [...new Set([...o.services.map(lockFileOf), LEGACY_LOCK_FILE])];
  return untilLanded<UnlockResult>(
    o.attempts ?? 3,
    async () => {
      const snap = await store.read({ files, historyOf: LEGACY_LOCK_FILE, limit: 0 });
      const changes: FileChange[] = [];
      const removed = files.flatMap((path) => {
        const text = snap.files.get(path) ?? null;
        if (text === null) return [];
        const r = removeLocks(text, o.rollbackId, path);
        if (r.removed.length) changes.push({ path, content: r.text });
        return r.removed;
      });
      const versions = removed.map((r) => ({ service: r.service, version: r.lock.version }));
      if (removed.length === 0) {
        const message = `no lock of rollback ${o.rollbackId} in ${LOCK_DIR}/ or ${LEGACY_LOCK_FILE}: nothing to unlock`;
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
        changes,
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
