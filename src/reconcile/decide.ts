import type { Mode, ServicePolicy } from '../config/policy.js';
import type { Crossing } from '../history/barriers.js';
import type { PinnedCommit, PinState } from '../history/pin-state.js';
import { rollbackId } from '../history/trailers.js';
import type { Decision } from '../policy/types.js';
import type { Phase, Rolled } from './phase.js';
import type { FoundProposal } from './ports.js';

/** One rollback to make: the first (chain 1) or a fallback after a rollback that did not help. */
export interface Rollback {
  from: string;
  to: string;
  decision: Decision;
  /** The commit that pinned `from`: part of the rollback id. */
  pinnedBy: PinnedCommit;
  /** Rollbacks in a row, this one included (2 for a fallback after a first rollback). */
  chain: number;
  /** Why, for the commit body, when it is not a judgement of metrics (a locked version pinned again). */
  because?: string | undefined;
  /** Why `to` is the stable (PinState.stableWhy), for the commit body. */
  stableWhy?: string | undefined;
  /**
   * Why it waits for a person (`approve_below`: every counted breach past its tolerance only):
   * `mode: auto` proposes it instead of committing (act/approval.ts).
   */
  awaiting?: string | undefined;
  /**
   * The proposal of this rollback that a clear-cut stop commits over: an open one is closed as
   * superseded; a rejected one (a person's no to the earlier, ambiguous evidence) is noted.
   */
  supersedes?: { url: string; state: 'open' | 'rejected' } | undefined;
}

/** Why nothing is done beyond the report. */
export type Quiet =
  | 'judged' // allow or inconclusive, nothing to alert
  | 'outside_guard_window'
  | 'unknown_deploy' // the pin commit is not in the history read: inconclusive, never allow
  | 'cooldown'
  | 'proposal_open'
  | 'proposal_rejected'
  | 'verifying';

/** The one next step for a service. Executors carry it out; in dry-run none is called. */
export type Next =
  | {
      kind: 'report';
      quiet: Quiet;
      decision: Decision | undefined;
      detail?: string;
      pullRequest?: string;
      /** The rollback a person declined (`proposal_rejected`): its incident records the no. */
      proposed?: Rollback;
    }
  | { kind: 'alert'; decision: Decision }
  | { kind: 'rollback'; rollback: Rollback }
  /**
   * People must act: a rollback that did not help, or a stop with nowhere to go (`rollback` unset).
   * `barrier`: the only rollback would cross a migration barrier, so none is made (no commit, no lock).
   */
  | {
      kind: 'escalate';
      rollback: Rolled | undefined;
      decision: Decision;
      why: string;
      barrier?: Crossing | undefined;
    }
  | { kind: 'recover'; rollback: Rolled; decision: Decision; release: boolean }
  | { kind: 'repeat'; rollback: Rolled };

/** What was seen of a service before deciding: its history, its phase, what its metrics say. */
export interface Seen {
  state: PinState;
  phase: Phase;
  /** The judgement of the phase's question: the candidate (guarding) or the stable (verifying). */
  judgement: Decision | undefined;
  /** For `mode: propose`: the pull request of the rollback `decide` chose, once looked up. */
  proposal?: FoundProposal | undefined;
  /** The effective mode (`--mode` over the service's): `auto` commits a clear-cut stop over a proposal. */
  mode?: Mode | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The rollback's id names its proposal branch and its incident: the same rollback, the same id. */
export function idOf(service: string, r: Pick<Rollback, 'from' | 'to' | 'pinnedBy'>): string {
  return rollbackId(service, r.from, r.to, r.pinnedBy.sha);
}

export const proposalBranch = (service: string, id: string) => `pinback/rollback-${service}-${id}`;

/** The real cause of a missing stable, as the history says it. */
const stranded = (state: PinState) => state.noStable ?? 'no earlier version to roll back to';

/**
 * A stop whose rollback would cross a migration barrier escalates instead: no commit and no lock,
 * since a lock without the rollback restores nothing and would only make every later run try the
 * same rollback again (a locked version pinned). The candidate stays deployed for people to fix.
 */
function atBarrier(state: PinState, decision: Decision, rollback: Rolled | undefined): Next | undefined {
  const crossing = state.barrier;
  if (!crossing) return undefined;
  return { kind: 'escalate', rollback, decision, why: crossing.why, barrier: crossing };
}

function judged(seen: Seen, phase: string): Decision {
  if (!seen.judgement) throw new Error(`decide: the ${phase} phase needs a judgement`);
  return seen.judgement;
}

/** Whether the service commits by itself: mode auto, or a dry run of it (`--mode dry-run`). */
function automatic(service: ServicePolicy, seen: Seen): boolean {
  const mode = seen.mode ?? service.mode;
  return mode === 'auto' || (mode === 'dry-run' && service.mode === 'auto');
}

/**
 * `mode: auto` with clear-cut levels: a stop judged clear-cut does not wait for the proposal its
 * earlier, ambiguous evidence opened (nor for a person's no to that evidence): it is committed.
 */
const commitsOver = (seen: Seen, r: Rollback) =>
  seen.mode === 'auto' && r.awaiting === undefined && r.decision.approval?.clearCut === true;

function rollbackOrProposal(seen: Seen, rollback: Rollback): Next {
  const p = seen.proposal;
  if (p && p.state !== 'merged' && commitsOver(seen, rollback)) {
    return { kind: 'rollback', rollback: { ...rollback, supersedes: { url: p.url, state: p.state } } };
  }
  if (p?.state === 'open') {
    return {
      kind: 'report',
      quiet: 'proposal_open',
      decision: rollback.decision,
      detail: 'the pull request is open',
      pullRequest: p.url,
    };
  }
  // Closing the proposal was a person's decision: it is not asked again for this candidate.
  if (p?.state === 'rejected') {
    return {
      kind: 'report',
      quiet: 'proposal_rejected',
      decision: rollback.decision,
      detail: 'the proposal was closed without merging',
      pullRequest: p.url,
      proposed: rollback,
    };
  }
  return { kind: 'rollback', rollback };
}

/**
 * A locked version pinned again (an image bot, a revert of the revert) is reverted at once, with
 * no judgement and whatever the cooldown: the cooldown limits new judgements, not the lock.
 */
function relocked(seen: Seen): Next | undefined {
  const { state } = seen;
  const lock = state.locked;
  // A locked version pinned since before the history read was not pinned again: no new event.
  if (!lock || !state.pinnedBy) return undefined;
  const decision: Decision = {
    decision: 'stop',
    reason: 'locked_version',
    evidence: [],
    breaches: 0,
    require: 0,
    alerts: [],
  };
  if (!state.stable) {
    const why = `${state.candidate} is locked (rollback ${lock.rollback_id}), but ${stranded(state)}`;
    return { kind: 'escalate', rollback: undefined, decision, why };
  }
  const barred = atBarrier(state, decision, undefined);
  if (barred) return barred;
  return rollbackOrProposal(seen, {
    from: state.candidate,
    to: state.stable,
    decision,
    pinnedBy: state.pinnedBy,
    chain: 1,
    stableWhy: state.stableWhy,
    because: `${state.candidate} is locked since ${lock.locked_at} (rollback ${lock.rollback_id}, ${lock.reason}): a pin of a locked version is reverted at once.`,
  });
}

function guarding(service: ServicePolicy, seen: Seen, nowMs: number): Next {
  const { state } = seen;
  const decision = judged(seen, 'guarding');
  if (decision.decision !== 'stop') {
    return decision.alerts.length
      ? { kind: 'alert', decision }
      : { kind: 'report', quiet: 'judged', decision };
  }
  const last = state.lastRollback;
  if (last && nowMs - last.time * 1000 < service.cooldownMs) {
    return {
      kind: 'report',
      quiet: 'cooldown',
      decision,
      detail: `last rollback at ${iso(last.time * 1000)}`,
    };
  }
  // The moment a person is needed most: the policy says stop and there is nowhere to go.
  if (!state.stable || !state.pinnedBy) {
    return { kind: 'escalate', rollback: undefined, decision, why: stranded(state) };
  }
  const barred = atBarrier(state, decision, undefined);
  if (barred) return barred;
  return rollbackOrProposal(seen, {
    from: state.candidate,
    to: state.stable,
    decision,
    pinnedBy: state.pinnedBy,
    chain: 1,
    stableWhy: state.stableWhy,
    // Two levels (approve_below): in mode auto a stop past its tolerance only waits for a person.
    ...(decision.approval?.clearCut === false && automatic(service, seen)
      ? { awaiting: decision.approval.why }
      : {}),
  });
}

function verifying(service: ServicePolicy, seen: Seen, phase: Extract<Phase, { kind: 'verifying' }>): Next {
  const { state } = seen;
  const r = phase.rollback;
  const decision = judged(seen, 'verifying');
  const depth = service.onRollback.fallbackDepth;
  if (decision.decision === 'stop') {
    if (state.chain < depth && state.stable) {
      // The fallback chain stops at a barrier too: people take over from the stable it reached.
      const barred = atBarrier(state, decision, r);
      if (barred) return barred;
      return rollbackOrProposal(seen, {
        from: state.candidate,
        to: state.stable,
        decision,
        pinnedBy: r,
        chain: state.chain + 1,
        stableWhy: state.stableWhy,
      });
    }
    const why =
      state.chain >= depth
        ? `fallback_depth ${depth} reached`
        : `no earlier good version: ${stranded(state)}`;
    return { kind: 'escalate', rollback: r, decision, why };
  }
  if (decision.decision === 'allow' && phase.over) {
    return {
      kind: 'recover',
      rollback: r,
      decision,
      release: service.onRollback.killSwitch?.release === 'on_recovery',
    };
  }
  return {
    kind: 'report',
    quiet: 'verifying',
    decision,
    detail: `verifying recovery until ${iso(r.time * 1000 + phase.windowMs)}`,
  };
}

/**
 * Pure: the one next step for a service, from what was seen of it and the clock. Every lifecycle
 * transition is a row in test/reconcile/decide.test.ts.
 */
export function decide(service: ServicePolicy, seen: Seen, nowMs: number): Next {
  const { phase } = seen;
  if (phase.kind !== 'verifying' && phase.kind !== 'standing') {
    const next = relocked(seen);
    if (next) return next;
  }
  switch (phase.kind) {
    case 'unknown_deploy':
      // Not knowing when the candidate was deployed is no proof it is old: never an allow.
      return {
        kind: 'report',
        quiet: 'unknown_deploy',
        decision: undefined,
        detail: `the commit that pinned ${seen.state.candidate} is not in the history read, so its deploy time is unknown: nothing was judged; set stable: in the policy or let pinback read more history`,
      };
    case 'settled':
      return {
        kind: 'report',
        quiet: 'outside_guard_window',
        decision: undefined,
        detail: `pinned at ${iso(phase.pinnedAt)}, past the guard window`,
      };
    case 'standing':
      return { kind: 'repeat', rollback: phase.rollback };
    case 'guarding':
      return guarding(service, seen, nowMs);
    case 'verifying':
      return verifying(service, seen, phase);
  }
}

/** A step after which a watch has nothing more to do for the service. */
export function isFinal(service: ServicePolicy, next: Next, mode: Mode): boolean {
  switch (next.kind) {
    case 'escalate':
    case 'recover':
      return true;
    case 'rollback':
      // A dry run made nothing: the next round asks again. A proposal waits for a person, but one
      // awaiting approval in mode auto does not end the watch: its evidence may become clear-cut.
      if (mode === 'dry-run' || next.rollback.awaiting !== undefined) return false;
      return mode === 'propose' || service.onRollback.verifyWindowMs === undefined;
    case 'repeat':
      // Without verification, a standing rollback ends the story; with it, recovery does.
      return service.onRollback.verifyWindowMs === undefined;
    case 'report':
      return next.quiet === 'proposal_open' && mode === 'propose';
    default:
      return false;
  }
}
