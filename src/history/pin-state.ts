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
  /**
   * The version to roll back to: the previous distinct one not locked and not rolled back from,
   * skipping one replaced within min_stable_age unless nothing else is left.
   */
  stable: string | undefined;
  /** Why this stable, for people: `2.3.3: pinned for 3 days until 2.4.0; skipped 2.3.4: pinned for 40 s`. */
  stableWhy: string | undefined;
  /** Why there is no stable, when there is none: the real cause, in one sentence. */
  noStable: string | undefined;
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
  // Earlier versions, newest first: each either a choice for the stable or excluded, with why.
  const older = current ? segments.slice(1) : segments;
  const eligible: { version: string; young: boolean; said: string }[] = [];
  const excluded: string[] = [];
  const minimum = args.minStableSeconds ?? 0;
  const seen = new Set<string>([candidate]);
  older.forEach((seg, k) => {
    const v = seg.version;
    if (seen.has(v)) return;
    seen.add(v);
    const lock = lockFor(locks, service, v);
    if (lock) return void excluded.push(`${v} is locked (rollback ${lock.rollback_id})`);
    if (rolledBackFrom.has(v)) return void excluded.push(`${v} was rolled back from`);
    const until = k === 0 ? (current?.version ?? candidate) : older[k - 1]!.version;
    // The oldest run of an incomplete history began before it: it was pinned at least that long.
    const oldest = k === older.length - 1 && args.complete !== true;
    const said = oldest
      ? `${v}: pinned since before the history read, until ${until}`
      : `${v}: pinned for ${lasting(seg.lasted ?? 0)} until ${until}`;
    eligible.push({ version: v, young: !oldest && (seg.lasted ?? 0) < minimum, said });
  });
  // A version replaced within min_stable_age never really ran; when nothing else is left, the
  // previous version is still a better place than no rollback at all.
  const chosen = eligible.find((e) => !e.young) ?? eligible[0];
  const skipped = eligible
    .slice(0, chosen ? eligible.indexOf(chosen) : 0)
    .map((e) => `skipped ${e.said.replace(/ until .*$/, '')}`);
  const stableWhy = chosen && [chosen.said, ...skipped].join('; ');
  const noStable = chosen ? undefined : nowhere(args, current !== undefined, excluded, history.length);
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

  const common = {
    candidate,
    pinnedBy,
    rolledBackBy,
    lastRollback,
    chain,
    previous,
    locked: lockFor(locks, service, candidate),
  };
  const fixed = args.fixedStable;
  if (fixed !== undefined) {
    // A fixed stable that is the candidate, or locked, is no place to roll back to.
    const why =
      fixed === candidate
        ? `the policy's stable: ${fixed} is the candidate itself`
        : lockFor(locks, service, fixed)
          ? `the policy's stable: ${fixed} is locked`
          : undefined;
    return {
      ...common,
      stable: why ? undefined : fixed,
      stableWhy: why ? undefined : `${fixed}: the policy's stable`,
      noStable: why,
    };
  }
  return { ...common, stable: chosen?.version, stableWhy, noStable };
}

/** `40 s`, `12 min`, `5 h`, `3 days`: how long a version stayed pinned, for people. */
export function lasting(seconds: number): string {
  if (seconds < 120) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** The real reason there is no version to roll back to, in one sentence. */
function nowhere(
  args: { file: string; complete?: boolean | undefined },
  pinned: boolean,
  excluded: string[],
  read: number,
): string {
  if (excluded.length) {
    const listed = excluded.slice(0, 5).join('; ');
    return `every earlier version in the history read is excluded: ${listed}${excluded.length > 5 ? `; and ${excluded.length - 5} more` : ''}`;
  }
  if (!pinned) return `the pin's current value is not in the history read of ${args.file}`;
  return args.complete === true
    ? `it is the first version ever pinned in ${args.file}`
    : `the ${read} commits read of ${args.file} hold no earlier version (set stable: in the policy, or read more history)`;
}
