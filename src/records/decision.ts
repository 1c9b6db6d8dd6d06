import type { ServiceReport } from '../report.js';

/*
 * Every judgement of a candidate, recorded where it belongs (issue 15): allow as well as stop.
 * Pure: a service's report in, the record out. Adapters write records as commit statuses
 * `pinback/<service>` on the pin commit in the GitOps repository (src/github/statuses.ts) or as
 * JSON lines (`--decision-log`, records/log-file.ts), one per service and pin commit and state.
 */

/** A commit status's states that pinback uses: guarding, passed clean, stopped. */
export type RecordState = 'pending' | 'success' | 'failure';

export interface DecisionRecord {
  service: string;
  stage: string;
  /** The version the pin names at the head: the one this record judges. */
  version: string;
  /** The commit that pinned it: where the record goes. */
  pin_commit: string;
  state: RecordState;
  /** One line, at most 140 characters (GitHub's limit for a status), the same for the same verdict. */
  description: string;
  decision: ServiceReport['decision'];
  reason: string;
  action: ServiceReport['action'];
  /** The rollback commit, when there is one. */
  commit: string | null;
  incident: string | null;
  pull_request?: string | undefined;
  /** When the judgement was made (ISO 8601). */
  at: string;
  /** The run that made it, where known. */
  run?: string | undefined;
}

/** Where records go; the composition root picks the adapter. */
export interface DecisionRecorder {
  record(records: readonly DecisionRecord[]): Promise<void>;
}

/** The commit status context of a service's records. */
export const statusContext = (service: string): string => `pinback/${service}`;

const MAX_DESCRIPTION = 140;

function clipped(s: string): string {
  return s.length <= MAX_DESCRIPTION ? s : `${s.slice(0, MAX_DESCRIPTION - 1)}…`;
}

/**
 * The state and line of a verdict. The line names no numbers that change from run to run, so a
 * verdict that stands is the same record, and a re-run writes nothing new.
 */
function verdictOf(r: ServiceReport, version: string): { state: RecordState; description: string } {
  switch (r.action) {
    case 'rolled_back':
      return { state: 'failure', description: `stop (${r.reason}): rolled back to ${r.to}` };
    case 'proposed':
      return {
        state: 'failure',
        description: `stop (${r.reason}): rollback to ${r.to} proposed, waiting for approval`,
      };
    case 'awaiting_approval':
      return {
        state: 'failure',
        description: `stop (${r.reason}): not clear-cut, a person must approve the rollback to ${r.to}`,
      };
    case 'escalated':
      return {
        state: 'failure',
        description: `stop (${r.reason}): escalated to the owners, not rolled back`,
      };
    case 'cooldown':
      return { state: 'failure', description: `stop (${r.reason}): not rolled back, within the cooldown` };
    case 'dry_run':
      return { state: 'failure', description: `stop (${r.reason}): would roll back to ${r.to} (dry run)` };
    case 'already_rolled_back':
      if (r.reason === 'recovered')
        return { state: 'success', description: `${version} verified: recovered` };
      if (r.reason === 'verifying')
        return { state: 'pending', description: `verifying that ${version} recovers` };
      // The rollback itself stands (no recovery to verify): the commit that made it did its job.
      return { state: 'success', description: `the rollback from ${r.from} (${r.reason}) stands` };
    case 'none':
      break;
  }
  if (r.decision === 'stop') return { state: 'failure', description: `stop (${r.reason})` };
  if (r.reason === 'outside_guard_window')
    return { state: 'success', description: 'allow: the guard window passed clean' };
  if (r.decision === 'inconclusive')
    return { state: 'pending', description: `guarding: inconclusive (${r.reason})` };
  if (r.reason === 'alert_only')
    return { state: 'pending', description: 'guarding: an alert-only trigger breached' };
  return { state: 'pending', description: 'guarding: within limits so far' };
}

/**
 * The record of one service's judgement; undefined where there is no pin commit to record it on
 * (no pin, or a history that does not reach the commit that set it).
 */
export function decisionRecordOf(r: ServiceReport, at: Date, run?: string): DecisionRecord | undefined {
  if (!r.pinned) return undefined;
  const { state, description } = verdictOf(r, r.pinned.version);
  return {
    service: r.service,
    stage: r.stage,
    version: r.pinned.version,
    pin_commit: r.pinned.commit,
    state,
    description: clipped(description),
    decision: r.decision,
    reason: r.reason,
    action: r.action,
    commit: r.commit,
    incident: r.incident,
    ...(r.pull_request ? { pull_request: r.pull_request } : {}),
    at: at.toISOString(),
    ...(run ? { run } : {}),
  };
}

/** Records of a run's reports, in report order. */
export function decisionRecords(reports: readonly ServiceReport[], at: Date, run?: string): DecisionRecord[] {
  return reports.map((r) => decisionRecordOf(r, at, run)).filter((r) => r !== undefined);
}

/** What makes two records the same verdict on the same commit: a re-run that changes nothing writes nothing. */
export const recordKey = (r: Pick<DecisionRecord, 'service' | 'pin_commit'>): string =>
  `${r.service}\n${r.pin_commit}`;
export const recordFingerprint = (r: Pick<DecisionRecord, 'state' | 'description'>): string =>
  `${r.state}\n${r.description}`;
