import type { ServicePolicy } from '../config/policy.js';
import type { FileChange } from '../gitops/store.js';
import { addLock, findLock, lockFileOf, lockFilesOf } from '../history/locks.js';
import { describeHold, holdVersion } from '../holds/index.js';
import { restorePin, writePin } from '../pins/index.js';
import { ReconcileError } from './ports.js';

/**
 * The files a service's reconciliation reads: the pin, the locks (its own lock file and the
 * legacy one), the kill switch, the holds.
 */
export function filesOf(service: ServicePolicy): string[] {
  return [
    ...new Set([
      service.pin!.file,
      ...lockFilesOf(service.name),
      ...(service.onRollback.killSwitch ? [service.onRollback.killSwitch.file] : []),
      ...service.onRollback.hold.map((h) => h.file),
    ]),
  ];
}

/**
 * Pure: every file the rollback commit changes: the pin, the lock (in the service's own lock file,
 * so that rollbacks and proposals of different services never change one file; none where the
 * version is locked already, there or in the legacy file), the holds, the kill switch.
 * `stableText` is the pin file's text at the commit that pinned `r.to`: the pin goes back as it was
 * deployed, its digest, tag and image name together (restorePin). Null (or not given) when that
 * commit is not in the history read: the version alone is written, and a digest beside it is refused.
 */
export function rollbackChanges(
  service: ServicePolicy,
  files: ReadonlyMap<string, string | null>,
  r: { from: string; to: string; reason: string; id: string },
  now: Date,
  stableText?: string | null,
  /**
   * Given, a side file (a hold, the kill switch) that cannot be written is noted here and left
   * out: it must never block the pin's own rollback. Without it, it throws as the pin does.
   */
  sideProblems?: string[],
): FileChange[] {
  const changes = new Map<string, string>();
  // Several edits may land in one file (a kill switch beside the pin): each sees the ones before.
  const edit = (path: string, what: string, fn: (text: string | null) => string) => {
    const current = changes.has(path) ? changes.get(path)! : (files.get(path) ?? null);
    if (current === null && what !== 'lock') {
      throw new ReconcileError(`${service.name}: ${what} file ${path} does not exist in the GitOps repo`);
    }
    changes.set(path, fn(current));
  };
  const side = (path: string, what: string, fn: (text: string | null) => string) => {
    if (!sideProblems) return edit(path, what, fn);
    try {
      edit(path, what, fn);
    } catch (e) {
      sideProblems.push(`${what} ${path} left as it was: ${(e as Error).message}`);
    }
  };
  const pin = service.pin!;
  edit(pin.file, 'pin', (text) => restorePin(text!, stableText ?? null, pin.locator, pin.file, r.to));
  if (service.onRollback.lockCandidate && !findLock(files, service.name, r.from)) {
    const lock = {
      version: r.from,
      reason: r.reason,
      locked_at: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      rollback_id: r.id,
    };
    const file = lockFileOf(service.name);
    edit(file, 'lock', (text) => addLock(text, service.name, lock, file));
  }
  // Same commit: the image bots must not push the locked version straight back.
  for (const hold of service.onRollback.hold) {
    side(hold.file, describeHold(hold), (text) => holdVersion(text!, hold, r.from));
  }
  const ks = service.onRollback.killSwitch;
  if (ks) side(ks.file, 'kill switch', (text) => writePin(text!, ks.locator, ks.value, ks.file));
  return [...changes].map(([path, content]) => ({ path, content }));
}
