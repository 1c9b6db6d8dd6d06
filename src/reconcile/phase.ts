import type { ServicePolicy } from '../config/policy.js';
import type { PinnedCommit, PinState } from '../history/pin-state.js';
import type { AuditRecord } from '../history/trailers.js';

/** A pinback rollback as its commit records it: what the current pin stands on after a rollback. */
export type Rolled = AuditRecord & PinnedCommit;

/**
 * Where a service is in its lifecycle, from its pin history and the clock alone:
 *
 * - `unknown_deploy`: the commit that pinned the candidate is older than the history read; there is
 *   no deploy time to judge from.
 * - `settled`: the candidate outlived its guard window; it is nobody's question any more.
 * - `guarding`: a fresh candidate inside its guard window: judge it against the stable.
 * - `verifying`: the pin is a pinback rollback and its verification window is running (or ended
 *   within one guard window ago): judge the stable alone. `over` says the window is complete.
 * - `standing`: a rollback from longer ago, or one without verification: history, not a question.
 */
export type Phase =
  | { kind: 'unknown_deploy' }
  | { kind: 'settled'; pinnedAt: number }
  | { kind: 'guarding'; pinnedAt: number }
  | { kind: 'verifying'; rollback: Rolled; elapsedMs: number; windowMs: number; over: boolean }
  | { kind: 'standing'; rollback: Rolled };

/** Commit times have whole seconds: a rollback's clock starts at the end of its second. */
export const rolledAtMs = (r: PinnedCommit): number => r.time * 1000 + 999;

/** Pure: the phase of a service at `nowMs` (unix milliseconds). */
export function phaseOf(service: ServicePolicy, state: PinState, nowMs: number): Phase {
  const rolled = state.rolledBackBy;
  if (rolled) {
    const windowMs = service.onRollback.verifyWindowMs;
    const elapsedMs = nowMs - rolledAtMs(rolled);
    // Past the window and the guard window after it, the rollback is history, not a question.
    if (windowMs === undefined || elapsedMs > windowMs + service.guardWindowMs) {
      return { kind: 'standing', rollback: rolled };
    }
    return { kind: 'verifying', rollback: rolled, elapsedMs, windowMs, over: elapsedMs >= windowMs };
  }
  if (!state.pinnedBy) return { kind: 'unknown_deploy' };
  const pinnedAt = state.pinnedBy.time * 1000;
  return nowMs - pinnedAt > service.guardWindowMs
    ? { kind: 'settled', pinnedAt }
    : { kind: 'guarding', pinnedAt };
}
