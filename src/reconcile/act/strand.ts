import { breachedTerms, degradedAt } from '../../history/explain.js';
import { rollbackId } from '../../history/trailers.js';
import type { Decision } from '../../policy/types.js';
import { type Done, done, incidentContext, type Step, tell, warnOf } from './step.js';

/**
 * The policy says stop and there is no version to roll back to: exactly when a person is needed.
 * One incident naming the real cause and the owners, one notification, a warning in the log.
 */
export async function strand(step: Step, decision: Decision, why: string): Promise<Done> {
  const { service, ports, ctx, state } = step;
  const id = rollbackId(service.name, state.candidate, 'stranded', state.pinnedBy?.sha ?? '');
  const degraded = degradedAt(decision.evidence);
  warnOf(ports)(
    `${service.name}: stop ${decision.reason} on ${state.candidate}, but it cannot be rolled back: ${why}`,
  );
  const opened = await ports.incidents.open({
    kind: 'stranded',
    ...incidentContext(step),
    cause: why,
    id,
    from: state.candidate,
    to: state.candidate,
    reason: decision.reason,
    evidence: decision.evidence,
    require: decision.require,
    pinnedAt: state.pinnedBy ? new Date(state.pinnedBy.time * 1000) : undefined,
    degradedAt: degraded === undefined ? undefined : new Date(degraded * 1000),
    committedAt: undefined,
    commit: undefined,
    commitUrl: undefined,
    mode: 'stranded',
  });
  if (opened.created) {
    await tell(step, {
      kind: 'stranded',
      from: state.candidate,
      to: state.candidate,
      reason: decision.reason,
      evidence: breachedTerms(decision.evidence),
      links: { incident: opened.where ?? undefined, run: ctx.runUrl },
    });
  }
  return done({ ...step.planned, incident: opened.where });
}
