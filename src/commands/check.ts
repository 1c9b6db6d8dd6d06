import { findLock, LEGACY_LOCK_FILE, lockFilesOf, locksIn } from '../history/locks.js';
import { mapBounded } from '../concurrency.js';
import type { Policy } from '../config/policy.js';
import type { GitOpsStore } from '../gitops/store.js';
import { readPin } from '../pins/index.js';
import { type Selection, selectServices } from '../config/select.js';

export interface LockedPin {
  service: string;
  file: string;
  line: number;
  column: number;
  version: string;
  reason: string;
  lockedAt: string;
  rollbackId: string;
  /** The lock file the entry is in: the service's own, or the legacy one. */
  lockFile: string;
}

/**
 * The gate: every service whose pin names a version locked in its lock file or the legacy one, of
 * the services selected (every one when `selection` is not given).
 */
export async function check(policy: Policy, store: GitOpsStore, selection?: Selection): Promise<LockedPin[]> {
  const services = selectServices(policy, selection).filter((s) => s.pin);
  const named = services.map((s) => s.name);
  // Each service's lock file by name, beside the legacy one: no directory to list.
  const files = [...new Set([...named.flatMap(lockFilesOf), ...services.map((s) => s.pin!.file)])];
  // One read for all pins and locks (no history): the gate runs on every pull request.
  const snap = await store.read({ files, historyOf: LEGACY_LOCK_FILE, limit: 0 });
  // Every lock file read must parse, whether or not a pin names one of its versions.
  locksIn(snap.files, named);
  const found = await mapBounded(services, 8, async (s) => {
    const text = snap.files.get(s.pin!.file);
    if (text === null || text === undefined) return [];
    const pin = readPin(text, s.pin!.locator, s.pin!.file);
    const hit = findLock(snap.files, s.name, pin.version);
    if (!hit) return [];
    const { lock, file } = hit;
    return [
      {
        service: s.name,
        file: s.pin!.file,
        line: pin.line,
        column: pin.column,
        version: pin.version,
        reason: lock.reason,
        lockedAt: lock.locked_at,
        rollbackId: lock.rollback_id,
        lockFile: file,
      },
    ];
  });
  return found.flat();
}

export function lockedMessage(l: LockedPin): string {
  return (
    `${l.file}:${l.line}:${l.column}: ${l.service} pins ${l.version}, which pinback locked at ${l.lockedAt} ` +
    `(${l.reason}, rollback ${l.rollbackId}). Pin a fixed version instead, or unlock it by deleting its entry from ${l.lockFile} in a pull request.`
  );
}
