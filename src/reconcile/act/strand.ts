import { trendsOf } from '../../chart/sparkline.js';
import { breachedTerms, degradedAt } from '../../history/explain.js';
import { rollbackId } from '../../history/trailers.js';
import type { Decision } from '../../policy/types.js';
import { type Done, openAboutCandidate, noticeSeverity, type Step, warnOf } from './step.js';

/** The stranded incident's id: one per candidate pin, however often the stop is seen. */
export const strandedId = (step: Pick<Step, 'service' | 'state'>): string =>
  rollbackId(step.service.name, step.state.candidate, 'stranded', step.state.pinnedBy?.sha ?? '');

/**
 * The policy says stop and there is no version to roll back to: exactly when a person is needed.
 * One incident naming the real cause and the owners, one notification, a warning in the log.
 */
export function strand(step: Step, decision: Decision, why: string): Promise<Done> {
  const { service, ports, state } = step;
  const degraded = degradedAt(decision.evidence);
  warnOf(ports)(
    `${service.name}: stop ${decision.reason} on ${state.candidate}, but it cannot be rolled back: ${why}`,
  );
  return openAboutCandidate(
    step,
    {
      kind: 'stranded',
      cause: why,
      id: strandedId(step),
      reason: decision.reason,
      evidence: decision.evidence,
      require: decision.require,
      degradedAt: degraded === undefined ? undefined : new Date(degraded * 1000),
      mode: 'stranded',
    },
    {
      kind: 'stranded',
      evidence: breachedTerms(decision.evidence),
      trends: trendsOf(decision.evidence),
      severity: noticeSeverity(decision.evidence),
    },
  );
}
