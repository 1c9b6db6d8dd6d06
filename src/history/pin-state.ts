import type { HistoryEntry } from '../history/entry.js';
import { readPin } from '../pins/index.js';
import type { PinLocator } from '../pins/locator.js';
import { type Lock, type Locks, lockFor } from './locks.js';
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
  /** Set when the current pin was written by a pinback rollback: the standing decision. */
  rolledBackBy: (AuditRecord & PinnedCommit) | undefined;
  /** The newest pinback rollback of this service, for cooldown. */
  lastRollback: (AuditRecord & PinnedCommit) | undefined;
  /** How many pinback rollbacks in a row led to the current pin (the fallback chain's depth so far). */
  chain: number;
  /** The commit that pinned the value before the current one (after a rollback: the bad version's deploy). */
  previous: PinnedCommit | undefined;
  /** The lock that names the candidate: a locked version pinned again (a bot, a revert of the revert). */
  locked: Lock | undefined;
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

interface Segment {
  version: string;
  /** Index in the history of the commit that pinned this value (the oldest entry of the run). */
  pin: number;
  /** Seconds the value stayed pinned; undefined for the current value. */
  lasted: number | undefined;
}

/**
 * Pure: from the pin's history (newest first) and the locks. `fixedStable` (a policy's `stable:`)
 * overrides the choice from history unless it is the candidate itself or locked. `complete` says
 * the history reaches the file's first commit; when it does not, a value that fills the whole
 * history has no known pin time. `minStableSeconds` keeps a version that was replaced sooner
 * (for instance one a person reverted) from being chosen as the stable.
 */
export function pinState(args: {
  service: string;
  file: string;
  locator: PinLocator;
  candidate: string;
  history: readonly HistoryEntry[];
  locks: Locks;
  fixedStable?: string | undefined;
  complete?: boolean | undefined;
  minStableSeconds?: number | undefined;
}): PinState {
  const { service, file, locator, candidate, history, locks } = args;
  const versions = history.map((h) => versionAt(h.text, locator, file));
  const records = history.map((h) => readAuditRecord(h.message));
  const ours = (r: AuditRecord | undefined) => r?.service === service && r.kind === 'rollback';

  // Runs of one value, newest first. A commit where the locator reads nothing (the file was
  // reshaped for a while) says nothing about versions: it neither starts nor ends a run.
  const segments: Segment[] = [];
  for (let i = 0; i < history.length; i++) {
    const v = versions[i];
    if (v === undefined) continue;
    const last = segments[segments.length - 1];
    if (last && last.version === v) last.pin = i;
    else segments.push({ version: v, pin: i, lasted: undefined });
  }
  for (let k = 1; k < segments.length; k++) {
    segments[k]!.lasted = history[segments[k - 1]!.pin]!.time - history[segments[k]!.pin]!.time;
  }
  const current = segments[0]?.version === candidate ? segments[0] : undefined;
  const known = current !== undefined && (segments.length > 1 || args.complete === true);
  const pinEntry = known ? history[current.pin] : undefined;
  const pinnedBy = pinEntry && { sha: pinEntry.sha, time: pinEntry.time };
  const pinRecord = known ? records[current.pin] : undefined;
  const rolledBackBy =
    pinnedBy && ours(pinRecord) && pinRecord!.to === candidate ? { ...pinRecord!, ...pinnedBy } : undefined;

  const rolledBackFrom = new Set(records.filter(ours).map((r) => r!.from));
  const good: string[] = [];
  const minimum = args.minStableSeconds ?? 0;
  segments.slice(current ? 1 : 0).forEach((seg, k, rest) => {
    const v = seg.version;
    if (v === candidate || good.includes(v) || lockFor(locks, service, v) || rolledBackFrom.has(v)) return;
    // The oldest run of an incomplete history began before it: it was pinned at least that long.
    const oldest = k === rest.length - 1 && args.complete !== true;
    if (!oldest && (seg.lasted ?? 0) < minimum) return;
    good.push(v);
  });
  const lastIndex = records.findIndex(ours);
  const lastRollback =
    lastIndex === -1
      ? undefined
      : { ...records[lastIndex]!, sha: history[lastIndex]!.sha, time: history[lastIndex]!.time };

  // Rollbacks in a row: runs pinned by a pinback rollback to their own value.
  let chain = 0;
  for (const seg of segments) {
    const r = records[seg.pin];
    if (!ours(r) || r!.to !== seg.version) break;
    chain++;
  }
  const replaced = current && segments[1] ? history[segments[1].pin] : undefined;
  const previous = replaced && { sha: replaced.sha, time: replaced.time };

  const fixed = args.fixedStable;
  if (fixed !== undefined) {
    // A fixed stable that is the candidate, or locked, is no place to roll back to.
    const usable = fixed !== candidate && !lockFor(locks, service, fixed);
    return {
      candidate,
      pinnedBy,
      stable: usable ? fixed : undefined,
      rolledBackBy,
      lastRollback,
      chain,
      previous,
      locked: lockFor(locks, service, candidate),
    };
  }
  return {
    candidate,
    pinnedBy,
    stable: good[0],
    rolledBackBy,
    lastRollback,
    chain,
    previous,
    locked: lockFor(locks, service, candidate),
  };
}
