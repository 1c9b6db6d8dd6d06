import { code, table, text } from '../incident/markdown.js';
import { describeLimit } from '../policy/limit.js';
import type { StoreUsage } from '../gitops/store.js';
import { type Blind, blindness, num, type Report, type ServiceReport } from '../report.js';
import { CHARTS_PER_SERVICE, CHARTS_PER_SUMMARY, serviceCharts } from './summary-charts.js';

function links(s: ServiceReport): string {
  const out: string[] = [];
  if (s.commit) out.push(`commit ${code(s.commit.slice(0, 12))}`);
  if (s.pull_request) out.push(`[pull request](${s.pull_request})`);
  if (s.incident)
    out.push(s.incident.startsWith('http') ? `[incident](${s.incident})` : `incident ${code(s.incident)}`);
  return out.join(' · ') || '-';
}

/** A service's decision cell, flagged when some of its triggers had no data. */
function decisionCell(s: ServiceReport, flagged: Blind | undefined): string {
  const decision = s.decision === 'stop' ? '**stop**' : s.decision;
  if (!flagged) return decision;
  return flagged.blind
    ? `${decision} · ⚠️ **no data**`
    : `${decision} · ⚠️ ${flagged.triggers.length}/${flagged.of} without data`;
}

/**
 * The flagged section: every trigger without data, the metrics source its cause names and the
 * cause, first in the summary. Empty when every trigger had data.
 */
export function blindSection(report: Report): string[] {
  const flagged = blindness(report);
  if (flagged.length === 0) return [];
  const blind = flagged.filter((b) => b.blind).map((b) => code(b.service));
  return [
    '### ⚠️ Triggers without data',
    '',
    blind.length
      ? `pinback judged nothing for ${blind.join(', ')}: no trigger had data, so a bad release would not be rolled back.`
      : 'Some triggers had no data; these services were judged on the others only.',
    'Fix what each cause names (a source down, a wrong path or query, no traffic yet).',
    '',
    table(
      ['Service', 'Trigger', 'Metrics source', 'Cause'],
      flagged.flatMap((b) =>
        b.triggers.map((t) => [
          `${code(b.service)}${b.blind ? ' (**no data at all**)' : ''}`,
          code(t.trigger),
          code(t.provider),
          code(t.cause),
        ]),
      ),
    ),
    '',
  ];
}

const count = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

/**
 * What the run spent of the GitHub API, so a team sees how close a schedule runs to the budget:
 * "GitHub API: 3 requests (2 reads, 1 write), 4 rate-limit points used, 4,996 of 5,000 left until
 * 15:00 UTC". Undefined where the store counted nothing.
 */
export function usageLine(usage: StoreUsage | undefined): string | undefined {
  if (!usage || usage.requests === 0) return undefined;
  const line = `GitHub API: ${count(usage.requests, 'request')} (${count(usage.reads, 'read')}, ${count(usage.writes, 'write')})`;
  const p = usage.points;
  if (!p) return line;
  const reset = p.resetAt === undefined ? undefined : new Date(p.resetAt);
  const until =
    reset === undefined || Number.isNaN(reset.getTime())
      ? ''
      : ` until ${reset.toISOString().slice(11, 16)} UTC`;
  return `${line}, ${count(p.used, 'rate-limit point')} used, ${p.remaining.toLocaleString('en-US')} of ${p.limit.toLocaleString('en-US')} left${until}`;
}

/**
 * The job summary: one row per service, then each service's triggers with a chart of each breach
 * (summary-charts.ts), then the API spent.
 */
export function summaryMarkdown(report: Report, trigger: string, usage?: StoreUsage): string {
  const flagged = new Map(blindness(report).map((b) => [b.service, b]));
  const parts = [
    `## pinback (${text(trigger)})`,
    '',
    ...blindSection(report),
    table(
      ['Service', 'Decision', 'Reason', 'Candidate → Stable', 'Action', 'Links'],
      report.services.map((s) => [
        code(s.service),
        decisionCell(s, flagged.get(s.service)),
        code(s.reason),
        `${code(s.from)} → ${code(s.to)}`,
        s.action,
        links(s),
      ]),
    ),
  ];
  let chartsLeft = CHARTS_PER_SUMMARY;
  for (const s of report.services) {
    if (!s.evidence.length) continue;
    parts.push(
      '',
      `### ${code(s.service)}`,
      '',
      table(
        ['Trigger', 'Value', 'Baseline', 'Limit', 'Breached'],
        s.evidence.map((e) => [
          code(e.trigger),
          e.value === null ? `no data${e.cause ? `: ${code(e.cause)}` : ''}` : code(num(e.value)),
          code(num(e.baseline)),
          code(describeLimit(e.limit, e.limit_from)),
          e.breached ? '**yes**' : 'no',
        ]),
      ),
    );
    // The breach as a picture under its numbers, while the summary stays small.
    const charts = serviceCharts(s, Math.min(CHARTS_PER_SERVICE, chartsLeft));
    chartsLeft -= charts.length;
    for (const chart of charts) parts.push('', chart);
  }
  const spent = usageLine(usage);
  if (spent !== undefined) parts.push('', spent);
  return `${parts.join('\n')}\n`;
}

const SEVERITY = { stop: 3, inconclusive: 2, allow: 1 } as const;

/** The most severe decision over the services: stop, then inconclusive, then allow. */
export function overallDecision(report: Report): 'stop' | 'inconclusive' | 'allow' | 'none' {
  let worst: 'stop' | 'inconclusive' | 'allow' | 'none' = 'none';
  for (const s of report.services)
    if (worst === 'none' || SEVERITY[s.decision] > SEVERITY[worst]) worst = s.decision;
  return worst;
}
