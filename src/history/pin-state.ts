import type { HistoryEntry } from '../history/entry.js';
import { isValidVersion, readPin } from '../pins/index.js';
import type { PinLocator } from '../pins/locator.js';
import { type BarrierMark, type Crossing, crossingOf, newestBarrier, unplacedCrossing } from './barriers.js';
import { type Lock, type Locks, lockFor } from './locks.js';
import {
  type AuditRecord,
  authorMismatch,
  type CheckedRecord,
  type PinbackIdentity,
  readAuditRecord,
  rollbackId,
} from './trailers.js';

export interface PinnedCommit {
  sha: string;
  time: number;
}

/** A rollback record of the service that does not check out (checkRecords): ignored, and why. */
export interface UntrustedRecord extends PinnedCommit {
  record: AuditRecord;
  why: string;
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
  /**
   * Rollback records of this service in the history read that do not check out (trailers pasted
   * by a squash merge, a copied message): none of the above counts them. Newest first.
   */
  untrusted?: UntrustedRecord[] | undefined;
  /**
   * Set when every place to roll back to is behind a migration barrier (barriers.ts): `stable` is
   * then the version the candidate is judged against, never one to restore. A stop escalates.
   */
  barrier?: Crossing | undefined;
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

const short = (sha: string) => sha.slice(0, 12);
const readable = (v: string | undefined) => v ?? 'nothing the locator reads';

/** A value for people: quoted, and cut short where it is long (a poisoned value may be anything). */
function quoted(v: string): string {
  return JSON.stringify(v.length > 60 ? `${v.slice(0, 59)}…` : v);
}

/** A record without the outcome of its check: what PinState hands on. */
function plain(r: CheckedRecord): AuditRecord {
  const { untrusted: _untrusted, ...record } = r;
  return record;
}

/**
 * Pure: each entry's pinback record of `service`, checked against the pin's history (newest first,
 * as pinState takes it); undefined where the entry carries none. Trailers are text anyone can
 * write (a squash merge pastes them from a pull request's body), so:
 * - a rollback checks out when the commit really changed the pin from its `from` (the text before,
 *   the next older entry's) to its `to` (the entry's own text), and its id recomputes from its own
 *   fields and the commit that pinned `from`, as pinback made it (src/reconcile/decide.ts idOf).
 *   That commit is not the rollback's own: a proposal merged with a merge commit (whose entry is
 *   the merge's, src/gitops/first-parent.ts), squashed or rebased keeps its id; a fallback's
 *   `from` was pinned by the rollback before it;
 * - a release (the kill switch set back) checks out when it names a rollback that checks out,
 *   older in the same history, with the same versions;
 * - where both the commit's author (HistoryEntry.author) and pinback's `identity` are known, a
 *   commit by anyone else is not pinback's. Without them, the checks above decide alone.
 * `complete` says the history reaches the file's first commit, as for pinState.
 */
export function checkRecords(args: {
  service: string;
  file: string;
  locator: PinLocator;
  history: readonly HistoryEntry[];
  complete?: boolean | undefined;
  identity?: PinbackIdentity | undefined;
}): (CheckedRecord | undefined)[] {
  const versions = args.history.map((h) => versionAt(h.text, args.locator, args.file));
  return checkWith(args, versions);
}

interface CheckArgs {
  service: string;
  history: readonly HistoryEntry[];
  complete?: boolean | undefined;
  identity?: PinbackIdentity | undefined;
}

function checkWith(
  args: CheckArgs,
  versions: readonly (string | undefined)[],
): (CheckedRecord | undefined)[] {
  const { service, history } = args;
  const out: (CheckedRecord | undefined)[] = history.map(() => undefined);
  const verified = new Map<string, AuditRecord>();
  // Oldest first: a release names a rollback made before it.
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i]!;
    const record = readAuditRecord(entry.message);
    if (record?.service !== service) continue;
    const why =
      authorMismatch(entry.author, args.identity) ??
      (record.kind === 'rollback'
        ? rollbackDoubt(args, versions, i, record)
        : releaseDoubt(verified, record));
    if (why === undefined && record.kind === 'rollback') verified.set(record.id, record);
    out[i] = { ...record, untrusted: why };
  }
  return out;
}

/** Why the rollback record of entry `i` is not pinback's own; undefined when it checks out. */
function rollbackDoubt(
  args: CheckArgs,
  versions: readonly (string | undefined)[],
  i: number,
  r: AuditRecord,
): string | undefined {
  const { service, history } = args;
  const after = versions[i];
  if (after !== r.to) return `the commit pins ${readable(after)}, not ${r.to}`;
  if (i + 1 >= history.length) {
    return args.complete === true
      ? `the commit is the pin file's first: it changed no pin from ${r.from}`
      : `the history read ends at the commit: what it changed the pin from is unknown`;
  }
  const before = versions[i + 1];
  if (before !== r.from) return `the commit changed the pin from ${readable(before)}, not from ${r.from}`;
  // The commit that pinned `from`, as pinState dates a candidate: the oldest of its run, where a
  // commit the locator cannot read neither starts nor ends one.
  let pin = i + 1;
  let ended = true;
  for (let j = i + 2; j < history.length; j++) {
    const v = versions[j];
    if (v === undefined) continue;
    if (v !== r.from) {
      ended = false;
      break;
    }
    pin = j;
  }
  const sha = history[pin]!.sha;
  const expected = rollbackId(service, r.from, r.to, sha);
  if (r.id === expected) return undefined;
  // Past the first-parent chain a store could walk, the pin commit pinback saw may have been the
  // merge that brought this one in: the id cannot be recomputed, the change itself was checked.
  if (history[pin]!.simplified === true) return undefined;
  return ended && args.complete !== true
    ? `its id ${r.id} is not that of ${r.from} -> ${r.to} with ${r.from} pinned by ${short(sha)}, the oldest commit read that pinned it (the history read may not reach the one that did)`
    : `its id ${r.id} is not ${expected}, that of ${r.from} -> ${r.to} with ${r.from} pinned by ${short(sha)}`;
}

/** Why a release record is not pinback's own: it must name a rollback that checked out. */
function releaseDoubt(verified: ReadonlyMap<string, AuditRecord>, r: AuditRecord): string | undefined {
  const rolled = verified.get(r.id);
  if (rolled?.from === r.from && rolled.to === r.to) return undefined;
  return `it releases rollback ${r.id}, which is no verified rollback of ${r.from} -> ${r.to} in the history read`;
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
  /** pinback's commit identity, where known: a record by another author is not its own (checkRecords). */
  identity?: PinbackIdentity | undefined;
  /** The service's `barriers:`: versions no rollback may cross, besides those a Rollback-Barrier trailer marks. */
  barriers?: readonly BarrierMark[] | undefined;
}): PinState {
  const { service, file, locator, candidate, history, locks } = args;
  const versions = history.map((h) => versionAt(h.text, locator, file));
  // Only records that check out count: a pasted trailer block decides nothing.
  const records = checkWith(args, versions);
  const ours = (r: CheckedRecord | undefined): r is CheckedRecord =>
    r?.kind === 'rollback' && r.untrusted === undefined;

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
  const runOf = (v: string) => {
    const run = segments.findIndex((s, i) => s.version === v && (i > 0 || !current));
    return run === -1 ? undefined : run;
  };
  // The newest barrier at or before the current pin: no stable is chosen from before it.
  const floor = newestBarrier({
    runs: segments,
    history,
    marks: args.barriers ?? [],
    complete: args.complete === true,
  });
  const known = current !== undefined && (segments.length > 1 || args.complete === true);
  const pinEntry = known ? history[current.pin] : undefined;
  const pinnedBy = pinEntry && { sha: pinEntry.sha, time: pinEntry.time };
  const pinRecord = known ? records[current.pin] : undefined;
  const rolledBackBy =
    pinnedBy && ours(pinRecord) && pinRecord.to === candidate
      ? { ...plain(pinRecord), ...pinnedBy }
      : undefined;

  const rolledBackFrom = new Set(records.filter(ours).map((r) => r.from));
  // Earlier versions, newest first: each either a choice for the stable or excluded, with why.
  // A value that is no valid version (`"$(id)"` pinned once) can never be written back: it is
  // passed over, naming the commit that held it.
  const older = current ? segments.slice(1) : segments;
  // `run`: the version's newest pin, as an index of `segments`.
  const eligible: { version: string; young: boolean; said: string; invalid: boolean; run: number }[] = [];
  const excluded: string[] = [];
  const minimum = args.minStableSeconds ?? 0;
  const seen = new Set<string>([candidate]);
  older.forEach((seg, k) => {
    const v = seg.version;
    if (seen.has(v)) return;
    seen.add(v);
    const run = k + (current ? 1 : 0);
    if (!isValidVersion(v)) {
      const said = `skipped ${quoted(v)} (commit ${short(history[seg.pin]!.sha)}: not a valid version)`;
      eligible.push({ version: v, young: false, said, invalid: true, run });
      return void excluded.push(said);
    }
    const lock = lockFor(locks, service, v);
    if (lock) return void excluded.push(`${v} is locked (rollback ${lock.rollback_id})`);
    if (rolledBackFrom.has(v)) return void excluded.push(`${v} was rolled back from`);
    const next = k === 0 ? (current?.version ?? candidate) : older[k - 1]!.version;
    const until = isValidVersion(next) ? next : quoted(next);
    // The oldest run of an incomplete history began before it: it was pinned at least that long.
    const oldest = k === older.length - 1 && args.complete !== true;
    const said = oldest
      ? `${v}: pinned since before the history read, until ${until}`
      : `${v}: pinned for ${lasting(seg.lasted ?? 0)} until ${until}`;
    eligible.push({ version: v, young: !oldest && (seg.lasted ?? 0) < minimum, said, invalid: false, run });
  });
  // A version replaced within min_stable_age never really ran; when nothing else is left, the
  // previous version is still a better place than no rollback at all. The choice stops at the
  // newest barrier (the barrier itself may be chosen); when only versions behind it are left, the
  // one chosen without barriers is still what the candidate is judged against, and `barrier` says
  // no rollback may restore it.
  const pick = (from: typeof eligible) => from.find((e) => !e.young) ?? from[0];
  const valid = eligible.filter((e) => !e.invalid);
  const safe = pick(valid.filter((e) => floor === undefined || e.run <= floor.run));
  const chosen = safe ?? pick(valid);
  const barrier =
    chosen && !safe ? crossingOf({ floor, candidate, to: chosen.version, toRun: chosen.run }) : undefined;
  const skipped = eligible
    .slice(0, chosen ? eligible.indexOf(chosen) : 0)
    .map((e) => (e.invalid ? e.said : `skipped ${e.said.replace(/ until .*$/, '')}`));
  const stableWhy = chosen && [chosen.said, ...skipped].join('; ');
  const noStable = chosen ? undefined : nowhere(args, current !== undefined, excluded, history.length);
  const lastIndex = records.findIndex(ours);
  const lastRollback =
    lastIndex === -1
      ? undefined
      : { ...plain(records[lastIndex]!), sha: history[lastIndex]!.sha, time: history[lastIndex]!.time };
  const untrusted = records.flatMap((r, i): UntrustedRecord[] =>
    r?.kind === 'rollback' && r.untrusted !== undefined
      ? [{ record: plain(r), why: r.untrusted, sha: history[i]!.sha, time: history[i]!.time }]
      : [],
  );

  // Rollbacks in a row: runs pinned by a pinback rollback to their own value.
  let chain = 0;
  for (const seg of segments) {
    const r = records[seg.pin];
    if (!ours(r) || r.to !== seg.version) break;
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
    untrusted,
  };
  const fixedCrossing = (to: string) => {
    const toRun = runOf(to);
    return floor === undefined && toRun === undefined
      ? unplacedCrossing(args.barriers ?? [], to)
      : crossingOf({ floor, candidate, to, toRun, fixed: true });
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
      // A fixed stable is restored only from a pin since the newest barrier (or the barrier itself).
      barrier: why ? undefined : fixedCrossing(fixed),
    };
  }
  return { ...common, stable: chosen?.version, stableWhy, noStable, barrier };
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
