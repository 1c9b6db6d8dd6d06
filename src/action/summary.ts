import { code, table, text } from '../incident/markdown.js';
import { num, type Report, type ServiceReport } from '../report.js';

function links(s: ServiceReport): string {
  const out: string[] = [];
  if (s.commit) out.push(`commit ${code(s.commit.slice(0, 12))}`);
  if (s.pull_request) out.push(`[pull request](${s.pull_request})`);
  if (s.incident)
    out.push(s.incident.startsWith('http') ? `[incident](${s.incident})` : `incident ${code(s.incident)}`);
  return out.join(' · ') || '-';
}

/** The job summary: one row per service, then each service's triggers. */
export function summaryMarkdown(report: Report, trigger: string): string {
  const parts = [
    `## pinback (${text(trigger)})`,
    '',
    table(
      ['Service', 'Decision', 'Reason', 'Candidate → Stable', 'Action', 'Links'],
      report.services.map((s) => [
        code(s.service),
        s.decision === 'stop' ? '**stop**' : s.decision,
        code(s.reason),
        `${code(s.from)} → ${code(s.to)}`,
        s.action,
        links(s),
      ]),
    ),
  ];
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
          code(num(e.limit)),
          e.breached ? '**yes**' : 'no',
        ]),
      ),
    );
  }
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
