import { describeLimit } from '../policy/limit.js';
import type { Evidence } from '../policy/types.js';
import { lockFileOf } from '../history/lock-files.js';
import { num } from '../report.js';
import { incidentCharts } from './charts.js';
import { code, table, text } from './markdown.js';

/** Everything an incident says, gathered by the reconciler; rendering is pure. */
export interface Incident {
  /**
   * A rollback; an alert (`action: alert` triggers) that rolls nothing back; or a stop with no version to roll
   * back to (`stranded`: people must act).
   */
  kind: 'rollback' | 'alert' | 'stranded';
  /** Why nothing could be rolled back (`stranded`): the real cause, for people. */
  cause?: string | undefined;
  /** Why `to` is the stable (a rollback): `2.3.3: pinned for 3 days until 2.4.0`. */
  stableWhy?: string | undefined;
  /** The pull request of a proposed rollback (`mode: propose`): merging it is the approval. */
  pullRequest?: string | undefined;
  /**
   * Why a rollback waits for a person (`approve_below`: past its tolerance, not its clear-cut level):
   * `error_rate x1.8 the stable (0.018 vs 0.01): above the 1.2x tolerance, not shown past the 5x auto level`.
   */
  awaiting?: string | undefined;
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
  /**
   * When the breach began (the evidence's `degradedAt`: the end of the first breaching step, or a
   * burn-rate window's start); with the pin time, the seeds' "90 seconds after the deployment".
   * Undefined when the samples carry no timestamps of their own.
   */
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
- [ ] Unlock {{from}} (delete it from {{lock_file}}, or close this incident to get that pull request) once a fixed version ships
`;

function iso(d: Date | undefined): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

/**
 * What the Degraded time is, as precisely as the samples tell it: the end of the first breaching
 * step (the breach began within it), or the start of a burn-rate window that burnt too fast. The
 * time comes only from samples with timestamps of their own (the engine drops it otherwise).
 */
function degraded(i: Incident, at: Date): string {
  const ms = at.getTime();
  const e = i.evidence.find((x) => x.breached && x.degradedAt !== null && x.degradedAt * 1000 === ms);
  const after = (t: number) => num(Math.max(0, Math.round((t - i.pinnedAt!.getTime()) / 1000)));
  const onset = e?.onset;
  if (onset?.kind === 'step') {
    const what = `first breaching ${e!.test === 'threshold' ? 'sample' : 'step'} (the ${num(onset.seconds)} s ending at this time)`;
    return i.pinnedAt
      ? `${what}: began between ${after(ms - onset.seconds * 1000)} and ${after(ms)} s after the pin`
      : what;
  }
  if (onset?.kind === 'window') {
    const where = i.pinnedAt ? `, ${after(ms)} s after the pin` : '';
    return `burning the error budget too fast since at least this time (the start of its ${num(onset.seconds)} s window${where})`;
  }
  return `first breaching step${i.pinnedAt ? ` (${after(ms)} s after the pin)` : ''}`;
}

function timeline(i: Incident): string {
  const rows: string[][] = [['Candidate pinned', code(iso(i.pinnedAt)), code(i.from)]];
  if (i.degradedAt) rows.push(['Degraded', code(iso(i.degradedAt)), degraded(i, i.degradedAt)]);
  rows.push(['Breach evaluated', code(iso(i.evaluatedAt)), text(i.reason)]);
  if (i.committedAt && i.mode === 'propose') {
    const where = i.pullRequest ? text(i.pullRequest) : '-';
    rows.push([
      'Rollback proposed',
      code(iso(i.committedAt)),
      `${where} (branch commit ${code((i.commit ?? '').slice(0, 12))})`,
    ]);
  } else if (i.committedAt)
    rows.push(['Rollback committed', code(iso(i.committedAt)), i.commit ? code(i.commit.slice(0, 12)) : '-']);
  return table(['Event', 'Time (UTC)', 'Detail'], rows);
}

function metrics(i: Incident): string {
  const numbers = table(
    ['Trigger', 'Candidate', 'Stable / baseline', 'Limit', 'Breached'],
    i.evidence.map((e) => [
      code(e.trigger),
      e.value === null ? `no data: ${code(e.noData)}` : code(num(e.value)),
      code(num(e.baseline)),
      e.limit === null
        ? '-'
        : code(`${e.comparator === '<' ? '>=' : '<='} ${describeLimit(e.limit, e.limitFrom)}`),
      e.breached ? '**yes**' : 'no',
    ]),
  );
  // The breach as a picture under the numbers: people would rather look than read at 3 a.m.
  return [numbers, ...incidentCharts(i)].join('\n\n');
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

const owners = (i: Incident) =>
  i.owners.length
    ? i.owners.map((o) => (o.startsWith('@') ? o : `@${o}`)).join(' ')
    : 'The owners (none set: `owners:`)';

/**
 * A rollback that waits for a person (approve_below): why it is not clear-cut, and what a person
 * does: merge the pull request, or (the CLI, no pull request) set the pin by hand.
 */
function awaitingSummary(i: Incident, breached: string): string {
  const how = i.pullRequest
    ? `Merge ${text(i.pullRequest)} to roll back (Argo CD or Flux then syncs the stable version), or close it to keep ${code(i.from)}.`
    : `To roll back, set the pin in ${code(i.pinFile)} to ${code(i.to)} by hand; to keep ${code(i.from)}, do nothing.`;
  return `pinback would roll ${code(i.service)} back from ${code(i.from)} to ${code(i.to)} in stage ${code(i.stage)} because ${breached}, but the evidence is not clear-cut, so a person decides: ${text(i.awaiting ?? '')}. ${how} If the evidence passes the auto level first, pinback commits the rollback itself.${i.stableWhy ? ` Why this stable: ${text(i.stableWhy)}.` : ''}`;
}

/** The incident's title; `format` marks versions up (code spans in Markdown, plain for issue titles). */
export function incidentTitle(i: Incident, format: (s: string) => string = (s) => s): string {
  const [service, from, to, reason] = [i.service, i.from, i.to, i.reason].map(format);
  if (i.kind === 'alert') return `Alert: ${service} ${from} (${reason}), no rollback`;
  if (i.kind === 'stranded') return `Stranded: ${service} ${from} (${reason}), no version to roll back to`;
  if (i.awaiting !== undefined) return `Rollback awaiting approval: ${service} ${from} -> ${to} (${reason})`;
  if (i.mode === 'propose') return `Rollback proposed: ${service} ${from} -> ${to} (${reason})`;
  return `Rollback: ${service} ${from} -> ${to} (${reason})`;
}

/** Fills `{{placeholder}}`s of the RCA template; unknown placeholders are left as they are. */
export function renderIncident(i: Incident, template: string = DEFAULT_TEMPLATE): string {
  const breachedList = i.evidence
    .filter((e) => e.breached)
    .map((e) => `${code(e.trigger)} ${code(num(e.value))}`);
  const breached = breachedList.length ? breachedList.join(', ') : 'the policy said stop';
  const values: Record<string, string> = {
    lock_file: code(lockFileOf(i.service)),
    marker: INCIDENT_MARKER(i.id),
    id: code(i.id),
    service: code(i.service),
    stage: code(i.stage),
    from: code(i.from),
    to: code(i.to),
    reason: code(i.reason),
    title: incidentTitle(i, code),
    summary:
      i.kind === 'alert'
        ? `pinback saw ${breached} on ${code(i.service)} ${code(i.from)} in stage ${code(i.stage)}. These triggers are set to ${code('action: alert')}: they open this incident and notify, but roll nothing back.`
        : i.kind === 'stranded'
          ? `pinback would roll ${code(i.service)} ${code(i.from)} back in stage ${code(i.stage)} because ${breached}, but there is no version to roll back to: ${text(i.cause ?? 'unknown')}. ${owners(i)}: please take over (roll forward with a fix, or pin a known-good version by hand).`
          : i.awaiting !== undefined
            ? awaitingSummary(i, breached)
            : i.mode === 'propose'
              ? `pinback proposes to roll ${code(i.service)} back from ${code(i.from)} to ${code(i.to)} in stage ${code(i.stage)} because ${breached}: ${i.pullRequest ? text(i.pullRequest) : 'a pull request'}. Merging it is the approval (Argo CD or Flux then syncs the stable version); until then ${code(i.from)} stays deployed.${i.stableWhy ? ` Why this stable: ${text(i.stableWhy)}.` : ''}`
              : `pinback rolled ${code(i.service)} back from ${code(i.from)} to ${code(i.to)} in stage ${code(i.stage)} because ${breached}.${i.stableWhy ? ` Why this stable: ${text(i.stableWhy)}.` : ''}`,
    timeline: timeline(i),
    metrics: metrics(i),
    decision: decision(i),
    commit: i.commit ? code(i.commit) : '-',
  };
  const body = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, k: string) => values[k] ?? whole);
  return body.includes(values.marker!) ? body : `${values.marker}\n${body}`;
}
