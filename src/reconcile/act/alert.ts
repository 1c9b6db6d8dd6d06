import { trendsOf } from '../../chart/sparkline.js';
import { breachedTerms } from '../../history/explain.js';
import { rollbackId } from '../../history/trailers.js';
import type { Decision } from '../../policy/types.js';
import { type Done, openAboutCandidate, noticeSeverity, type Step } from './step.js';

/** An alert-only breach: one incident and one notification per candidate, no rollback. */
export function alert(step: Step, decision: Decision): Promise<Done> {
  const { service, state } = step;
  return openAboutCandidate(
    step,
    {
      kind: 'alert',
      id: rollbackId(service.name, state.candidate, 'alert', state.pinnedBy?.sha ?? ''),
      reason: decision.alerts[0]!.reason,
      evidence: decision.evidence,
      require: decision.require,
      degradedAt: undefined,
      mode: 'alert',
    },
    {
      kind: 'alert',
      evidence: breachedTerms(decision.alerts),
      trends: trendsOf(decision.alerts),
      severity: noticeSeverity(decision.alerts),
    },
  );
}
