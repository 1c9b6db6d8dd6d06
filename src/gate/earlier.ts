import type { ServicePolicy } from '../config/policy.js';
import type { HistoryEntry } from '../history/entry.js';
import { findLock } from '../history/locks.js';
import type { PinState } from '../history/pin-state.js';
import { readAuditRecord } from '../history/trailers.js';
import { readPin } from '../pins/index.js';

/*
 * How a promoted version fared in its earlier stage, from that service's pin history and locks at
 * the base (pure). What then gets judged, and over which span, follows from this (commands/gate.ts).
 */
export type EarlierRun =
  /** Locked there: pinback rolled it back (or someone locked it). */
  | { kind: 'locked'; lockFile: string; reason: string; rollbackId: string; lockedAt: string }
  /** Rolled back there by pinback (the commit that replaced it carries the rollback's trailers). */
  | { kind: 'rolled_back'; at: number; sha: string; reason: string; to: string }
  /** It is what the earlier stage pins now: judged as `pinback run` would judge it. */
  | { kind: 'current' }
  /** It ran there and was replaced: judged over the time it ran. */
  | { kind: 'past'; pinnedAt: number; replacedAt: number; replacedBy: string; stable: string | undefined }
  /** Not pinned there in the history read. */
  | { kind: 'never'; pinned: string; read: number };

function versionAt(text: string | null, s: ServicePolicy): string | undefined {
  if (text === null) return undefined;
  try {
    return readPin(text, s.pin!.locator, s.pin!.file).version;
  } catch {
    return undefined;
  }
}

export function earlierRun(
  source: ServicePolicy,
  state: PinState,
  files: ReadonlyMap<string, string | null>,
  history: readonly HistoryEntry[],
  version: string,
): EarlierRun {
  const lock = findLock(files, source.name, version);
  if (lock) {
    return {
      kind: 'locked',
      lockFile: lock.file,
      reason: lock.lock.reason,
      rollbackId: lock.lock.rollback_id,
      lockedAt: lock.lock.locked_at,
    };
  }
  if (state.candidate === version) return { kind: 'current' };
  const versions = history.map((h) => versionAt(h.text, source));
  const newest = versions.indexOf(version);
  if (newest < 0) return { kind: 'never', pinned: state.candidate, read: history.length };
  // The span it was pinned: the newest run of entries naming it, back to the commit that set it.
  let oldest = newest;
  while (oldest + 1 < versions.length && versions[oldest + 1] === version) oldest++;
  const after = history[newest - 1];
  if (!after) return { kind: 'current' };
  const record = readAuditRecord(after.message);
  if (record?.kind === 'rollback' && record.service === source.name && record.from === version) {
    return { kind: 'rolled_back', at: after.time, sha: after.sha, reason: record.reason, to: record.to };
  }
  return {
    kind: 'past',
    pinnedAt: history[oldest]!.time,
    replacedAt: after.time,
    replacedBy: versions[newest - 1] ?? 'another value',
    stable: versions[oldest + 1],
  };
}
