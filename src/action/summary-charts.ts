import { breachChart } from '../chart/breach.js';
import { code } from '../incident/markdown.js';
import { describeLimit } from '../policy/limit.js';
import type { Action, ServiceReport } from '../report.js';

/** Charts per service, and in one job summary (GitHub keeps a step's summary under 1 MiB). */
export const CHARTS_PER_SERVICE = 3;
export const CHARTS_PER_SUMMARY = 20;

/** What the chart marks at the judgement, after the deploy: what the run did about the breach. */
const DONE: Partial<Record<Action, string>> = {
  rolled_back: 'the rollback (decided)',
  proposed: 'the rollback proposal (decided)',
  dry_run: 'the stop (dry run)',
  escalated: 'the escalation',
};

/**
 * A Mermaid chart of each breached trigger of a service that carries its series (a guarding
 * judgement of this run, on timestamped samples), at most `limit` of them.
 */
export function serviceCharts(s: ServiceReport, limit = CHARTS_PER_SERVICE): string[] {
  const out: string[] = [];
  for (const e of s.evidence) {
    if (out.length >= limit) break;
    if (!e.breached || !e.series) continue;
    const md = breachChart(
      {
        trigger: e.trigger,
        limit: e.limit,
        limitText: e.limit === null ? undefined : describeLimit(e.limit, e.limit_from),
        series: e.series,
      },
      {
        service: s.service,
        candidate: s.from ?? '?',
        stable: s.to,
        events: [{ label: DONE[s.action] ?? 'the judgement', at: e.series.judgedAt }],
        code,
      },
    );
    if (md !== undefined) out.push(md);
  }
  return out;
}
