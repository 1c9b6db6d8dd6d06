/** Pure: the doctor's report for people: lines for a terminal, Markdown for the job summary. */
import { code, table, text } from '../incident/markdown.js';
import { CHECK_LABELS, type CheckResult } from './checks.js';
import type { DoctorReport, ServiceReadiness } from './readiness.js';

const MARK = { pass: '[x]', missing: '[ ]', not_checked: '[?]' } as const;

/** The line under the checklist: what the policy demands and whether it is met. */
export function verdictLine(r: DoctorReport): string {
  const demands = [
    ...(r.require.length ? [`doctor.require: ${r.require.join(', ')}`] : []),
    ...(r.min_score !== null ? [`doctor.min_score: ${r.min_score}`] : []),
  ];
  if (!demands.length)
    return 'no minimum set (doctor.require, doctor.min_score in the policy): nothing fails';
  const short = r.services.filter((s) => s.unmet.length);
  return short.length
    ? `${short.length} of ${r.services.length} service(s) below the policy's minimum (${demands.join('; ')}): ${short.map((s) => s.service).join(', ')}`
    : `every service meets the policy's minimum (${demands.join('; ')})`;
}

function checkLines(c: CheckResult): string[] {
  const lines = [`  ${MARK[c.status]} ${CHECK_LABELS[c.check]} (${c.check}): ${c.detail}`];
  if (c.advice) lines.push(`      ${c.status === 'missing' ? 'add' : 'to check'}: ${c.advice}`);
  return lines;
}

export function serviceText(s: ServiceReadiness): string {
  return [
    `${s.service} (${s.stage}): ${s.score}/${s.of}`,
    ...s.checks.flatMap(checkLines),
    ...s.unmet.map((u) => `  FAILS: ${u}`),
  ].join('\n');
}

export function doctorText(r: DoctorReport): string {
  return [...r.services.map(serviceText), '', verdictLine(r)].join('\n');
}

const CELL = { pass: '✅', missing: '❌', not_checked: '⚠️ not checked' } as const;

export function doctorMarkdown(r: DoctorReport): string {
  const out = ['## pinback doctor', '', text(verdictLine(r)), ''];
  for (const s of r.services) {
    out.push(`### ${code(s.service)} (${code(s.stage)}): ${s.score}/${s.of}`, '');
    if (s.unmet.length) out.push(...s.unmet.map((u) => `- **fails:** ${text(u)}`), '');
    out.push(
      table(
        ['', 'check', 'found', 'what to add'],
        s.checks.map((c) => [
          CELL[c.status],
          `${text(CHECK_LABELS[c.check])} ${code(c.check)}`,
          text(c.detail),
          c.advice ? code(c.advice) : '-',
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}
