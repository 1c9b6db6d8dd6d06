import { breachChart } from '../chart/breach.js';
import type { PlotEvent } from '../chart/plot.js';
import { describeLimit } from '../policy/limit.js';
import type { Evidence } from '../policy/types.js';
import { code } from './markdown.js';

/** What of an incident its charts use (render.ts's Incident has it all). */
interface Incident {
  kind: 'rollback' | 'alert' | 'stranded';
  mode: string;
  service: string;
  from: string;
  to: string;
  evidence: readonly Evidence[];
  evaluatedAt: Date;
  committedAt: Date | undefined;
}

/** Charts in one incident at most: the breaching triggers first in the policy's order. */
export const MAX_CHARTS = 3;

/** What the incident marks after the deploy: the rollback, its proposal, or the judgement itself. */
function eventOf(i: Incident): PlotEvent {
  const at = (d: Date) => d.getTime() / 1000;
  if (i.kind === 'rollback' && i.committedAt)
    return { label: i.mode === 'propose' ? 'the rollback proposal' : 'the rollback', at: at(i.committedAt) };
  return { label: i.kind === 'alert' ? 'the alert' : 'the stop', at: at(i.evaluatedAt) };
}

/**
 * A Mermaid chart of each breached trigger that carries its series (a live judgement with
 * timestamped samples): the candidate, the stable and the limit around the deploy, the deploy and
 * the rollback marked. Empty when there is none (evidence read back from trailers has no series).
 */
export function incidentCharts(i: Incident): string[] {
  const event = eventOf(i);
  return i.evidence
    .filter((e) => e.breached && e.series)
    .slice(0, MAX_CHARTS)
    .flatMap((e) => {
      const limit =
        e.limit === null
          ? undefined
          : `${e.comparator === '<' ? '>=' : '<='} ${describeLimit(e.limit, e.limitFrom)}`;
      const md = breachChart(
        { trigger: e.trigger, limit: e.limit, limitText: limit, series: e.series! },
        {
          service: i.service,
          candidate: i.from,
          stable: i.kind === 'rollback' ? i.to : undefined,
          events: [event],
          code,
        },
      );
      return md === undefined ? [] : [md];
    });
}
