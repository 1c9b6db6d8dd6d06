import type { HistoryEntry } from '../gitops/store.js';
import { readPin } from '../pins/index.js';
import type { PinLocator } from '../pins/locator.js';
import { type Locks, lockFor } from './locks.js';
import { type AuditRecord, readAuditRecord } from './trailers.js';

export interface PinnedCommit {
  sha: string;
  time: number;
}

/** What the pin's git history says about a service: its candidate, its stable, its rollbacks. */
export interface PinState {
  candidate: string;
  /** The commit that set the pin to the candidate; undefined when the history window does not reach it. */
  pinnedBy: PinnedCommit | undefined;
  /** The version to roll back to: previous distinct, not locked, not rolled back from. */
  stable: string | undefined;
  /** Earlier good versions, newest first, after the stable (the fallback chain). */
  older: string[];
  /** Set when the current pin was written by a pinback rollback: the standing decision. */
  rolledBackBy: (AuditRecord & PinnedCommit) | undefined;
  /** The newest pinback rollback of this service, for cooldown. */
  lastRollback: (AuditRecord & PinnedCommit) | undefined;
  /** How many pinback rollbacks in a row led to the current pin (the fallback chain's depth so far). */
  chain: number;
}

function versionAt(text: string | null, locator: PinLocator, file: string): string | undefined {
  if (text === null) return undefined;
  try {
    return readPin(text, locator, file).version;
  } catch {
    // An older shape of the file that the locator no longer fits says nothing about versions.
    return undefined;
  }
}

/**
 * Pure: from the pin's history (newest first) and the locks. `fixedStable` (a policy's `stable:`)
 * overrides the choice from history.
 */
export function pinState(args: {
  service: string;
  file: string;
  locator: PinLocator;
  candidate: string;
  history: readonly HistoryEntry[];
  locks: Locks;
  fixedStable?: string | undefined;
}): PinState {
  const { service, file, locator, candidate, history, locks } = args;
  const versions = history.map((h) => versionAt(h.text, locator, file));
  const records = history.map((h) => readAuditRecord(h.message));
  const ours = (r: AuditRecord | undefined) => r?.service === service && r.kind === 'rollback';

  let changed = versions.findIndex((v) => v !== candidate);
  if (changed === -1) changed = history.length;
  const pinEntry = changed > 0 ? history[changed - 1] : undefined;
  const pinRecord = changed > 0 ? records[changed - 1] : undefined;
  const pinnedBy = pinEntry && { sha: pinEntry.sha, time: pinEntry.time };
  const rolledBackBy =
    pinEntry && ours(pinRecord) && pinRecord!.to === candidate ? { ...pinRecord!, ...pinnedBy! } : undefined;

  const rolledBackFrom = new Set(records.filter(ours).map((r) => r!.from));
  const older: string[] = [];
  for (const v of versions.slice(changed)) {
    if (v === undefined || v === candidate || older.includes(v)) continue;
    if (lockFor(locks, service, v) || rolledBackFrom.has(v)) continue;
    older.push(v);
  }
  const lastIndex = records.findIndex(ours);
  const lastRollback =
    lastIndex === -1
      ? undefined
      : { ...records[lastIndex]!, sha: history[lastIndex]!.sha, time: history[lastIndex]!.time };

  // Walk the pin's segments (runs of one value), newest first, while each was pinned by a rollback.
  let chain = 0;
  let end = changed;
  while (end > 0 && ours(records[end - 1]) && records[end - 1]!.to === versions[end - 1]) {
    chain++;
    let next = end;
    while (next < versions.length && versions[next] === versions[end]) next++;
    if (next === end) break;
    end = next;
  }

  if (args.fixedStable !== undefined) {
    return {
      candidate,
      pinnedBy,
      stable: args.fixedStable,
      older: older.filter((v) => v !== args.fixedStable),
      rolledBackBy,
      lastRollback,
      chain,
    };
  }
  return { candidate, pinnedBy, stable: older[0], older: older.slice(1), rolledBackBy, lastRollback, chain };
}
