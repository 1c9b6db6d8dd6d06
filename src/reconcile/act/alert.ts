import { breachedTerms } from '../../history/explain.js';
import { rollbackId } from '../../history/trailers.js';
import type { Decision } from '../../policy/types.js';
import { type Done, done, incidentContext, type Step, tell } from './step.js';

/** An alert-only breach: one incident and one notification per candidate, no rollback. */
export async function alert(step: Step, decision: Decision): Promise<Done> {
  const { service, ports, ctx, state } = step;
  const id = rollbackId(service.name, state.candidate, 'alert', state.pinnedBy?.sha ?? '');
  const reason = decision.alerts[0]!.reason;
  const opened = await ports.incidents.open({
    kind: 'alert',
    ...incidentContext(step),
    id,
    from: state.candidate,
    to: state.candidate,
    reason,
    evidence: decision.evidence,
    require: decision.require,
    pinnedAt: state.pinnedBy ? new Date(state.pinnedBy.time * 1000) : undefined,
    degradedAt: undefined,
    committedAt: undefined,
    commit: undefined,
    commitUrl: undefined,
    mode: 'alert',
  });
  if (opened.created) {
    await tell(step, {
      kind: 'alert',
      from: state.candidate,
      to: state.candidate,
      reason,
      evidence: breachedTerms(decision.alerts),
      links: { incident: opened.where ?? undefined, run: ctx.runUrl },
    });
  }
  return done({ ...step.planned, incident: opened.where });
}
