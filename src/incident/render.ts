import type { Evidence } from '../policy/types.js';
import { num } from '../report.js';
import { code, table, text } from './markdown.js';

/** Everything an incident says, gathered by the reconciler; rendering is pure. */
export interface Incident {
  /** A rollback, or a medium-severity alert that rolls nothing back. */
  kind: 'rollback' | 'alert';
  id: string;
  service: string;
  stage: string;
  from: string;
  to: string;
  reason: string;
  evidence: Evidence[];
  require: number;
  policyDigest: string;
  policyFile: string;
  pinFile: string;
  pinnedAt: Date | undefined;
  /** The first breaching sample: with the pin time, the seeds' "90 seconds after the deployment". */
  degradedAt: Date | undefined;
  evaluatedAt: Date;
  committedAt: Date | undefined;
  commit: string | undefined;
  commitUrl: string | undefined;
  runUrl: string | undefined;
  mode: string;
  owners: string[];
}

export const INCIDENT_MARKER = (id: string) => `<!-- pinback:incident id=${id} -->`;
export const INCIDENT_ID = /<!-- pinback:incident id=([0-9a-f]{16}) -->/;

export const DEFAULT_TEMPLATE = `{{marker}}
# {{title}}

## Summary

{{summary}}

## Timeline

{{timeline}}

## Metrics

{{metrics}}

## Decision

{{decision}}

## Root cause

_To be filled in by the owners._

## Preventive actions

- [ ] Find and fix the root cause of the regression in {{from}}
- [ ] Add a test or a check that would have caught it before production
- [ ] Review the rollback policy's thresholds for {{service}}
- [ ] Unlock {{from}} (delete it from \`.pinback/locks.yaml\`) once a fixed version ships
`;

function iso(d: Date | undefined): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

function timeline(i: Incident): string {
  const rows: string[][] = [['Candidate pinned', code(iso(i.pinnedAt)), code(i.from)]];
  if (i.degradedAt) {
    const gap = i.pinnedAt
      ? ` (${num(Math.round((i.degradedAt.getTime() - i.pinnedAt.getTime()) / 1000))} s after the pin)`
      : '';
    rows.push(['Degraded', code(iso(i.degradedAt)), `first breaching step${gap}`]);
  }
  rows.push(['Breach evaluated', code(iso(i.evaluatedAt)), text(i.reason)]);
  if (i.committedAt)
    rows.push(['Rollback committed', code(iso(i.committedAt)), i.commit ? code(i.commit.slice(0, 12)) : '-']);
  return table(['Event', 'Time (UTC)', 'Detail'], rows);
}

function metrics(i: Incident): string {
  return table(
    ['Trigger', 'Candidate', 'Stable / baseline', 'Limit', 'Breached'],
    i.evidence.map((e) => [
      code(e.trigger),
      e.value === null ? `no data: ${code(e.noData)}` : code(num(e.value)),
      code(num(e.baseline)),
      e.limit === null ? '-' : code(`${e.comparator === '<' ? '>=' : '<='} ${num(e.limit)}`),
      e.breached ? '**yes**' : 'no',
    ]),
  );
}

function decision(i: Incident): string {
  const breached = i.evidence.filter((e) => e.breached).length;
  const lines = [
    `- Policy: ${code(i.policyFile)} ${code(i.policyDigest)}`,
    `- Pin: ${code(i.pinFile)}`,
    `- Triggers breached: ${breached} of ${i.evidence.length} (require ${i.require})`,
    ...i.evidence
      .filter((e) => e.sustained)
      .map(
        (e) =>
          `- ${code(e.trigger)} sustained: ${e.sustained!.observed} of ${e.sustained!.required} consecutive samples`,
      ),
    // How each count-aware trigger was judged, in words: what was compared, on how much evidence.
    ...i.evidence.filter((e) => e.detail).map((e) => `- ${code(e.trigger)}: ${text(e.detail!)}`),
    `- Mode: ${code(i.mode)}`,
  ];
  if (i.commit)
    lines.push(
      `- Commit: ${i.commitUrl ? `[${code(i.commit.slice(0, 12))}](${i.commitUrl})` : code(i.commit)}`,
    );
  if (i.runUrl) lines.push(`- Run: ${i.runUrl}`);
  if (i.owners.length)
    lines.push(`- Owners: ${i.owners.map((o) => text(o.startsWith('@') ? o.slice(1) : o)).join(', ')}`);
  return lines.join('\n');
}

/** Fills `{{placeholder}}`s of the RCA template; unknown placeholders are left as they are. */
export function renderIncident(i: Incident, template: string = DEFAULT_TEMPLATE): string {
  const breachedList = i.evidence
    .filter((e) => e.breached)
    .map((e) => `${code(e.trigger)} ${code(num(e.value))}`);
  const breached = breachedList.length ? breachedList.join(', ') : 'the policy said stop';
  const values: Record<string, string> = {
    marker: INCIDENT_MARKER(i.id),
    id: code(i.id),
    service: code(i.service),
    stage: code(i.stage),
    from: code(i.from),
    to: code(i.to),
    reason: code(i.reason),
    title:
      i.kind === 'alert'
        ? `Alert: ${code(i.service)} ${code(i.from)} (${code(i.reason)}), no rollback`
        : `Rollback: ${code(i.service)} ${code(i.from)} -> ${code(i.to)} (${code(i.reason)})`,
    summary:
      i.kind === 'alert'
        ? `pinback saw ${breached} on ${code(i.service)} ${code(i.from)} in stage ${code(i.stage)}. These triggers are of medium severity: they open this incident and notify, but roll nothing back.`
        : `pinback rolled ${code(i.service)} back from ${code(i.from)} to ${code(i.to)} in stage ${code(i.stage)} because ${breached}.`,
    timeline: timeline(i),
    metrics: metrics(i),
    decision: decision(i),
    commit: i.commit ? code(i.commit) : '-',
  };
  const body = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, k: string) => values[k] ?? whole);
  return body.includes(values.marker!) ? body : `${values.marker}\n${body}`;
}
