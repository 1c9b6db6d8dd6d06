import type { ServicePolicy } from '../config/policy.js';
import { evidenceFromTrailers } from '../history/explain.js';
import type { PinState } from '../history/pin-state.js';
import type { Crossing } from '../history/barriers.js';
import type { Decision } from '../policy/types.js';
import { num, type ReportBarrier, type ServiceReport, serviceReport } from '../report.js';
import type { Next } from './decide.js';
import type { Rolled } from './phase.js';

export const minutes = (ms: number) => `${num(Number((ms / 60_000).toFixed(1)))} min`;

/** The barrier of a rollback not made, as the JSON report carries it. */
export function reportBarrier(c: Crossing): ReportBarrier {
  const b = c.barrier;
  return {
    version: b.version,
    commit: b.commit ?? null,
    reason: b.reason ?? null,
    source: b.source,
    would_restore: c.to,
  };
}

/**
 * `stop error_spike, but pinback does not roll back across a migration barrier: …`: the report's
 * detail of a stop escalated at a barrier (a first rollback, or a fallback after one).
 */
export function barrierDetail(candidate: string, d: Decision, c: Crossing, fallback: boolean): string {
  const what = fallback ? `${candidate} did not recover (stop ${d.reason})` : `stop ${d.reason}`;
  return `${what}, but pinback does not roll back across a migration barrier: ${c.why}. ${candidate} stays pinned, unlocked: roll forward with a fix, or restore ${c.to} by hand once the migration is undone`;
}

/** The report of a rollback that stands: what its commit's trailers say. */
function standing(service: ServicePolicy, r: Rolled): ServiceReport {
  return {
    service: service.name,
    stage: service.stage,
    decision: 'stop',
    reason: r.reason,
    from: r.from,
    to: r.to,
    evidence: evidenceFromTrailers(r),
    action: 'already_rolled_back',
    commit: r.sha,
    incident: null,
    detail: `rolled back at ${new Date(r.time * 1000).toISOString()}`,
  };
}

/**
 * Pure: the report of a step as decided, before any executor runs. This is what a dry run prints;
 * an executor adds what it made (a commit, an incident, a pull request).
 */
export function plannedReport(
  service: ServicePolicy,
  state: PinState,
  next: Next,
  nowMs: number,
): ServiceReport {
  const base = {
    service: service.name,
    stage: service.stage,
    from: state.candidate,
    to: state.stable ?? null,
  };
  const made = planned(service, state, next, nowMs, base);
  const report = state.pinnedBy
    ? { ...made, pinned: { version: state.candidate, commit: state.pinnedBy.sha } }
    : made;
  // Where the report names the stable as the place to go, it says why that version.
  return report.to !== null &&
    report.to === state.stable &&
    state.stableWhy &&
    report.action !== 'already_rolled_back'
    ? { ...report, stable_reason: state.stableWhy }
    : report;
}

function planned(
  service: ServicePolicy,
  state: PinState,
  next: Next,
  nowMs: number,
  base: { service: string; stage: string; from: string; to: string | null },
): ServiceReport {
  switch (next.kind) {
    case 'report': {
      if (!next.decision) {
        const unknown = next.quiet === 'unknown_deploy';
        return {
          ...base,
          decision: unknown ? 'inconclusive' : 'allow',
          reason: unknown ? 'pin_commit_not_found' : 'outside_guard_window',
          evidence: [],
          action: 'none',
          commit: null,
          incident: null,
          ...(next.detail ? { detail: next.detail } : {}),
        };
      }
      if (next.quiet === 'verifying') {
        const r = state.rolledBackBy!;
        return serviceReport({ ...base, from: r.from, to: r.to }, next.decision, {
          action: 'already_rolled_back',
          reason: 'verifying',
          commit: r.sha,
          detail: next.detail,
        });
      }
      return serviceReport(base, next.decision, {
        action: next.quiet === 'cooldown' ? 'cooldown' : next.quiet === 'proposal_open' ? 'proposed' : 'none',
        detail: next.detail,
        ...(next.pullRequest ? { pullRequest: next.pullRequest } : {}),
      });
    }
    case 'alert':
      return serviceReport(base, next.decision);
    case 'rollback':
      return serviceReport(base, next.rollback.decision, {
        action: 'dry_run',
        detail:
          next.rollback.chain > 1
            ? `fallback: rollback ${next.rollback.chain} in a row`
            : next.rollback.awaiting !== undefined
              ? `would wait for a person: not clear-cut (${next.rollback.awaiting})`
              : undefined,
      });
    case 'escalate': {
      const report = serviceReport({ ...base, from: state.candidate, to: null }, next.decision, {
        action: 'escalated',
        commit: next.rollback?.sha ?? null,
        ...(next.barrier ? { reason: 'migration_barrier' } : {}),
        detail: next.barrier
          ? barrierDetail(state.candidate, next.decision, next.barrier, next.rollback !== undefined)
          : next.rollback
            ? `${state.candidate} did not recover: ${next.why}`
            : `stop, but ${state.candidate} cannot be rolled back: ${next.why}`,
      });
      return next.barrier ? { ...report, barrier: reportBarrier(next.barrier) } : report;
    }
    case 'recover': {
      const r = next.rollback;
      const elapsed = nowMs - (r.time * 1000 + 999);
      return serviceReport({ ...base, from: r.from, to: r.to }, next.decision, {
        action: 'already_rolled_back',
        reason: 'recovered',
        commit: r.sha,
        detail: `recovered ${minutes(elapsed)} after the rollback`,
      });
    }
    case 'repeat':
      return standing(service, next.rollback);
  }
}
