import { code, table, text } from '../incident/markdown.js';
import { describeLimit } from '../policy/limit.js';
import { evidenceTerm, num } from '../report.js';
import type { GateReport, GateState, Promotion } from './report.js';

/* The gate's report for people: lines for the terminal, Markdown for the job summary (pure). */

const WORD: Record<GateState, string> = { success: 'allow', failure: 'STOP', pending: 'pending' };
const ICON: Record<GateState, string> = { success: '✅', failure: '❌', pending: '⏳' };

const versions = (p: Promotion) => `${p.from ?? '(new)'} -> ${p.to}`;
const ranIn = (p: Promotion) => (p.source ? `${p.source.stage} (${p.source.service})` : '-');

function evidenceLines(p: Promotion): string[] {
  return p.evidence.map((e) => {
    const verdict = e.breached
      ? `BREACHED ${evidenceTerm(e)}`
      : e.cause !== undefined
        ? `no data (${e.cause})`
        : (e.undecided?.detail ?? 'within limits');
    const counted = e.count ? `, ${Math.round(e.count.candidate)} ${e.count.unit}` : '';
    return `    ${e.trigger}: ${num(e.value)} vs ${num(e.baseline)} (limit ${describeLimit(e.limit, e.limit_from)}${counted}): ${verdict}`;
  });
}

/** `pinback gate`'s output: a line per promotion with its evidence, the locks, and the verdict. */
export function gateText(r: GateReport): string {
  const lines: string[] = [];
  for (const p of r.promotions) {
    lines.push(`${p.service} ${versions(p)}: ${WORD[p.state]} ${p.reason} (judged in ${ranIn(p)})`);
    lines.push(`  ${p.detail}`);
    lines.push(...evidenceLines(p));
  }
  for (const l of r.locked) lines.push(`STOP ${l.message}`);
  if (r.promotions.length === 0 && r.locked.length === 0)
    lines.push(`no pin changed between ${r.base} and ${r.head}`);
  lines.push(`gate: ${r.state}: ${r.description}`);
  return lines.join('\n');
}

/** The job summary: the promotions' table, then each judged one's evidence. */
export function gateMarkdown(r: GateReport, trigger: string, pull?: string): string {
  const parts = [
    `## pinback gate (${text(trigger)})${pull ? ` · ${text(pull)}` : ''}`,
    '',
    `${ICON[r.state]} **${r.state}**: ${text(r.description)}`,
    '',
  ];
  if (r.locked.length > 0) {
    parts.push('### Locked versions', '', ...r.locked.map((l) => `- ${text(l.message)}`), '');
  }
  if (r.promotions.length > 0) {
    parts.push(
      table(
        ['Service', 'Version', 'Judged in', 'Verdict', 'Reason', 'Retry after'],
        r.promotions.map((p) => [
          code(p.service),
          `${code(p.from)} → ${code(p.to)}`,
          p.source ? `${code(p.source.stage)} (${code(p.source.service)})` : 'no earlier stage',
          `${ICON[p.state]} ${WORD[p.state]}`,
          code(p.reason),
          p.retry_at ? code(p.retry_at) : '-',
        ]),
      ),
    );
  }
  for (const p of r.promotions) {
    if (p.source === null) continue;
    parts.push('', `### ${code(p.service)} ${code(p.to)} in ${code(p.source.stage)}`, '', text(p.detail));
    if (p.evidence.length === 0) continue;
    parts.push(
      '',
      table(
        ['Trigger', 'Value', 'Baseline', 'Limit', 'Evidence', 'Breached'],
        p.evidence.map((e) => [
          code(e.trigger),
          e.value === null ? `no data${e.cause ? `: ${code(e.cause)}` : ''}` : code(num(e.value)),
          code(num(e.baseline)),
          code(describeLimit(e.limit, e.limit_from)),
          e.undecided
            ? text(e.undecided.detail)
            : e.count
              ? code(`${Math.round(e.count.candidate)} ${e.count.unit}`)
              : '-',
          e.breached ? '**yes**' : 'no',
        ]),
      ),
    );
  }
  return `${parts.join('\n')}\n`;
}
