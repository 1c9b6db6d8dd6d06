import type { HistoryEntry } from './entry.js';
import { parseTrailers, sanitizeTrailerValue } from './trailers.js';

/*
 * Migration barriers (pure). A barrier is a version that ran a database migration older versions
 * may not serve ("migration 0042 drops column x"): once it has been pinned, restoring a version
 * pinned before it could break on the migrated schema, so pinback never rolls back across one.
 * A version is a barrier when the commit that pinned it carries a `Rollback-Barrier: <reason>`
 * trailer, or when the service's `barriers:` in the policy lists it.
 *
 * Positions are the pin's history: a rollback from the current pin to a version S crosses a
 * barrier when a barrier was pinned after S's newest pin, up to and including the current pin. A
 * version a person pinned again after the barrier (after undoing the migration, say) counts from
 * that pin. No trust check is needed: a barrier can only turn a rollback into an escalation to the
 * owners, and whoever can write the trailer can already change the pin itself.
 */

/** The trailer that marks the version its commit pins as a migration barrier; its value is the reason. */
export const BARRIER_TRAILER = 'Rollback-Barrier';

/** A version the policy marks as a barrier (a service's `barriers:`). */
export interface BarrierMark {
  version: string;
  reason?: string | undefined;
}

/** A barrier as found in the pin's history: the newest pin of a barrier version. */
export interface Barrier {
  version: string;
  /** Why it is one, as the trailer or the policy says; undefined when neither gives a reason. */
  reason: string | undefined;
  /** `trailer`: a Rollback-Barrier trailer on a commit that pinned it; `policy`: the service's `barriers:`. */
  source: 'trailer' | 'policy';
  /**
   * The newest commit that pinned the barrier version (where the migrated schema starts);
   * undefined for a policy barrier pinned before the history read (see unplacedCrossing).
   */
  commit: string | undefined;
  /** The commit whose trailer marks it (source `trailer`); often `commit` itself. */
  markedBy: string | undefined;
}

/** A rollback pinback will not make: restoring `to` would cross `barrier`. */
export interface Crossing {
  barrier: Barrier;
  /** The version the rollback would have restored (the stable the candidate is judged against). */
  to: string;
  /** One sentence for people: which barrier, and why restoring `to` crosses it. */
  why: string;
}

/** One run of a pinned value, newest first (pin-state.ts's segments): `pin` indexes the history entry that pinned it. */
export interface PinRun {
  version: string;
  pin: number;
}

/** The barrier found at a run of the history (`run` indexes the runs, newest first). */
export interface Floor extends Barrier {
  run: number;
}

/** The Rollback-Barrier trailer of a commit message: its value ('' without a reason), or undefined without one. */
export function barrierTrailer(message: string): string | undefined {
  const values = parseTrailers(message).get(BARRIER_TRAILER.toLowerCase());
  if (values === undefined) return undefined;
  return sanitizeTrailerValue(values.find((v) => v.trim() !== '') ?? '');
}

/**
 * Whether `mark` (a barrier as written) names the pinned `version`: the same text, or the tag or
 * the digest of a `tag@sha256:…` pin, so `barriers: [2.4.0]` covers `2.4.0@sha256:…`.
 */
export function marksVersion(mark: string, version: string): boolean {
  if (mark === version) return true;
  const at = version.indexOf('@');
  return at > 0 && (version.slice(0, at) === mark || version.slice(at + 1) === mark);
}

const short = (sha: string) => sha.slice(0, 12);

/**
 * Pure: the newest barrier at or before the current pin — the newest run whose version is a
 * barrier — or undefined. `runs` are newest first. A trailer counts on the commit that pinned a
 * run; the oldest run of an incomplete history (`complete` false) began before the history read,
 * so the commit read there need not be the one that pinned it and its trailers are not read.
 */
export function newestBarrier(args: {
  runs: readonly PinRun[];
  history: readonly HistoryEntry[];
  marks: readonly BarrierMark[];
  complete: boolean;
}): Floor | undefined {
  const { runs, history } = args;
  // Trailers mark a version wherever it was pinned in the history read: the code is the same.
  const trailers = new Map<string, { reason: string; sha: string }>();
  runs.forEach((run, k) => {
    if (k === runs.length - 1 && !args.complete) return;
    const entry = history[run.pin];
    const reason = entry && barrierTrailer(entry.message);
    if (entry && reason !== undefined && !trailers.has(run.version)) {
      trailers.set(run.version, { reason, sha: entry.sha });
    }
  });
  for (let k = 0; k < runs.length; k++) {
    const run = runs[k]!;
    const trailer = trailers.get(run.version);
    const mark = args.marks.find((m) => marksVersion(m.version, run.version));
    if (trailer === undefined && mark === undefined) continue;
    const entry = history[run.pin]!;
    return {
      version: run.version,
      // The trailer's reason first (it came with the change), else the policy's.
      reason: trailer?.reason ? trailer.reason : mark?.reason,
      source: trailer ? 'trailer' : 'policy',
      commit: entry.sha,
      markedBy: trailer?.sha,
      run: k,
    };
  }
  return undefined;
}

/** `"migration 0042 drops column x"; Rollback-Barrier on commit abc123def456`: the barrier's label, for people. */
export function barrierLabel(b: Barrier): string {
  const reason = b.reason ? JSON.stringify(b.reason) : 'no reason given';
  const again =
    b.markedBy && b.commit && b.markedBy !== b.commit ? `, pinned again by commit ${short(b.commit)}` : '';
  const where =
    b.source === 'trailer'
      ? `${BARRIER_TRAILER} on commit ${short(b.markedBy ?? b.commit ?? '')}${again}`
      : b.commit
        ? `the policy's barriers:, pinned by commit ${short(b.commit)}`
        : `the policy's barriers:, not pinned in the history read`;
  return `${reason}; ${where}`;
}

/**
 * Pure: the crossing of a rollback from the current pin (`candidate`) to `to`, or undefined when it
 * crosses no barrier. `toRun` is the run (index in the runs, newest first) of `to`'s newest pin;
 * undefined when `to` is not in the history read at all (a fixed `stable:` never pinned since).
 */
export function crossingOf(args: {
  floor: Floor | undefined;
  candidate: string;
  to: string;
  toRun: number | undefined;
  /** `to` is the policy's fixed `stable:`, not a choice from history. */
  fixed?: boolean | undefined;
}): Crossing | undefined {
  const { floor, candidate, to, toRun } = args;
  if (floor === undefined || (toRun !== undefined && toRun <= floor.run)) return undefined;
  const b = floor.version;
  const label = barrierLabel(floor);
  const what = args.fixed ? `the policy's stable: ${to}` : to;
  const why =
    toRun === undefined
      ? `${what} was not pinned since migration barrier ${b} (${label}) in the history read, so it may not serve the schema ${b} migrated`
      : floor.run === 0 && floor.version === candidate
        ? `${candidate} is a migration barrier (${label}): ${what}, pinned before it, may not serve the schema it migrated`
        : `rolling back to ${what} would cross migration barrier ${b} (${label}), pinned after ${to}: ${to} may not serve the schema ${b} migrated`;
  return { barrier: withoutRun(floor), to, why };
}

function withoutRun(f: Floor): Barrier {
  const { run: _run, ...barrier } = f;
  return barrier;
}

/**
 * Pure: a fixed `stable:` that is not in the history read, with no barrier in it either, cannot be
 * placed against a policy barrier pinned before the read: pinback cannot tell which came first, so
 * it treats the stable as behind the first such barrier (one that is not the stable itself).
 */
export function unplacedCrossing(marks: readonly BarrierMark[], fixed: string): Crossing | undefined {
  const mark = marks.find((m) => !marksVersion(m.version, fixed));
  if (mark === undefined) return undefined;
  const barrier: Barrier = {
    version: mark.version,
    reason: mark.reason,
    source: 'policy',
    commit: undefined,
    markedBy: undefined,
  };
  const why =
    `the policy's stable: ${fixed} and migration barrier ${mark.version} (${barrierLabel(barrier)}) are both older than the history read, ` +
    `so pinback cannot tell that ${fixed} serves the schema ${mark.version} migrated (set stable: auto, or remove from barriers: the versions older than ${fixed})`;
  return { barrier, to: fixed, why };
}
