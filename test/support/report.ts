/** Report entries for tests of what is made of a report (summaries, warnings). */
import type { ReportEvidence, ServiceReport } from '../../src/report.js';

/** A trigger that had data, within its limit. */
export const withData = (trigger: string, value = 0.01): ReportEvidence => ({
  trigger,
  value,
  baseline: 0.01,
  limit: 0.05,
  breached: false,
});

/** A trigger without data, and why. */
export const withoutData = (trigger: string, cause: string): ReportEvidence => ({
  trigger,
  value: null,
  baseline: null,
  limit: 0.05,
  breached: false,
  cause,
});

/** One service's line: 2.4.0 against 2.3.3 in production, nothing acted on. */
export function serviceLine(
  name: string,
  evidence: ReportEvidence[],
  decision: ServiceReport['decision'],
): ServiceReport {
  return {
    service: name,
    stage: 'production',
    decision,
    reason: decision === 'allow' ? 'within_limits' : 'no_data',
    from: '2.4.0',
    to: '2.3.3',
    evidence,
    action: 'none',
    commit: null,
    incident: null,
  };
}
