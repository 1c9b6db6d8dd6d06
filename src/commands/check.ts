import { LOCK_FILE, lockFor, parseLocks } from '../history/locks.js';
import { mapBounded } from '../concurrency.js';
import type { Policy } from '../config/policy.js';
import type { GitOpsStore } from '../gitops/store.js';
import { readPin } from '../pins/index.js';
import { selectServices } from '../config/select.js';

export interface LockedPin {
  service: string;
  file: string;
  line: number;
  column: number;
  version: string;
  reason: string;
  lockedAt: string;
  rollbackId: string;
}

/** The gate: every service whose pin names a version in the lock file. */
export async function check(
  policy: Policy,
  store: GitOpsStore,
  names?: readonly string[],
): Promise<LockedPin[]> {
  const services = selectServices(policy, names).filter((s) => s.pin);
  const files = [...new Set([LOCK_FILE, ...services.map((s) => s.pin!.file)])];
  // One read for all pins: the gate runs on every pull request and must be quick.
  const snap = await store.read({ files, historyOf: LOCK_FILE, limit: 1 });
  const locks = parseLocks(snap.files.get(LOCK_FILE) ?? null);
  const found = await mapBounded(services, 8, async (s) => {
    const text = snap.files.get(s.pin!.file);
    if (text === null || text === undefined) return [];
    const pin = readPin(text, s.pin!.locator, s.pin!.file);
    const lock = lockFor(locks, s.name, pin.version);
    if (!lock) return [];
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
      },
    ];
  });
  return found.flat();
}

export function lockedMessage(l: LockedPin): string {
  return (
    `${l.file}:${l.line}:${l.column}: ${l.service} pins ${l.version}, which pinback locked at ${l.lockedAt} ` +
    `(${l.reason}, rollback ${l.rollbackId}). Pin a fixed version instead, or unlock it by deleting its entry from ${LOCK_FILE} in a pull request.`
  );
}
