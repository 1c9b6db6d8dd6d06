import type { ServicePolicy } from '../config/policy.js';
import type { PinState } from '../history/pin-state.js';
import type { MetricsProvider } from '../metrics/provider.js';
import type { Decision } from '../policy/types.js';
import { judge } from './observe.js';
import { type Phase, rolledAtMs } from './phase.js';

/**
 * The metrics question a phase asks, as a value: guarding compares the candidate with its baseline
 * since the deploy; verifying asks whether the stable alone is healthy since the rollback. Other
 * phases ask nothing. The key says when two questions are the same (a retry after a lost race).
 */
export interface Question {
  key: string;
  ask: (providers: ReadonlyMap<string, MetricsProvider>) => Promise<Decision>;
}

export function questionOf(
  service: ServicePolicy,
  state: PinState,
  phase: Phase,
  now: Date,
): Question | undefined {
  // A locked candidate is reverted without a question (decide.ts): its metrics change nothing.
  if (phase.kind === 'guarding' && !state.locked) {
    const pinnedAt = new Date(phase.pinnedAt);
    return {
      key: `guarding\n${state.candidate}\n${state.stable ?? ''}\n${phase.pinnedAt}`,
      ask: (providers) =>
        judge(
          service,
          { candidate: state.candidate, stable: state.stable },
          { providers, end: now, deployedAt: pinnedAt, since: pinnedAt, series: true },
        ),
    };
  }
  if (phase.kind !== 'verifying') return undefined;
  const r = phase.rollback;
  const span = Math.max(1000, Math.min(phase.elapsedMs, phase.windowMs));
  // Once the window is over, the verdict is about that window and no other: a run an hour later
  // judges the same minutes, so an unrelated outage after recovery never reopens the question.
  const end = phase.over ? new Date(rolledAtMs(r) + phase.windowMs) : now;
  // Right after a rollback the stable may not have reported yet: missing data waits, it never
  // decides. Relative limits compare the stable with itself before the bad version was pinned.
  const verifying: ServicePolicy = {
    ...service,
    baseline: 'before_deploy',
    queries: service.queries.map((q) => ({ ...q, windowMs: span })),
    rule: {
      ...service.rule,
      triggers: service.rule.triggers.map((t) => ({ ...t, onNoData: 'inconclusive' as const })),
    },
  };
  return {
    key: `verifying\n${r.sha}\n${end.getTime()}`,
    ask: (providers) =>
      judge(
        verifying,
        { candidate: state.candidate, stable: state.candidate },
        {
          providers,
          end,
          since: new Date(r.time * 1000),
          deployedAt: state.previous ? new Date(state.previous.time * 1000) : undefined,
        },
      ),
  };
}
