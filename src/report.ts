import type { Decision, Evidence, Verdict } from './policy/types.js';

export type Action =
  'none' | 'rolled_back' | 'already_rolled_back' | 'proposed' | 'cooldown' | 'dry_run' | 'escalated';

/** One service's line in the JSON report (DESIGN.md, "CLI"). */
export interface ServiceReport {
  service: string;
  stage: string;
  decision: Verdict;
  reason: string;
  from: string | null;
  to: string | null;
  evidence: ReportEvidence[];
  action: Action;
  commit: string | null;
  incident: string | null;
  /** The pull request of a proposed rollback. */
  pull_request?: string | undefined;
  /** A sentence on why the action is what it is (cooldown left, already applied, error). */
  detail?: string | undefined;
}

export interface ReportEvidence {
  trigger: string;
  value: number | null;
  baseline: number | null;
  limit: number | null;
  breached: boolean;
  cause?: string | undefined;
  /** How the limit was judged: threshold, sequential (a test on counts) or burn_rate. */
  test?: string | undefined;
  /** The sequential test's anytime-valid p-value and the level it is held to. */
  p_value?: number | undefined;
  alpha?: number | undefined;
  /** Events behind the numbers: the candidate's and the stable's at the same steps. */
  count?: { candidate: number; stable: number | null; unit: string } | undefined;
  /** Data but no verdict yet: not_enough_traffic or shared_breach, with a sentence. */
  undecided?: { reason: string; detail: string } | undefined;
  /** One sentence for people. */
  detail?: string | undefined;
}

export interface Report {
  version: 1;
  services: ServiceReport[];
}

export function reportEvidence(e: Evidence): ReportEvidence {
  return {
    trigger: e.trigger,
    value: e.value,
    baseline: e.baseline,
    limit: e.limit,
    breached: e.breached,
    ...(e.noData ? { cause: e.noData } : {}),
    ...(e.test ? { test: e.test } : {}),
    ...(e.pValue !== null ? { p_value: e.pValue } : {}),
    ...(e.alpha !== null ? { alpha: e.alpha } : {}),
    ...(e.count ? { count: e.count } : {}),
    ...(e.undecided ? { undecided: e.undecided } : {}),
    ...(e.detail ? { detail: e.detail } : {}),
  };
}

export function serviceReport(
  base: { service: string; stage: string; from: string | null; to: string | null },
  decision: Decision,
  rest: Partial<Pick<ServiceReport, 'action' | 'commit' | 'incident' | 'detail' | 'reason'>> & {
    pullRequest?: string;
  } = {},
): ServiceReport {
  return {
    ...base,
    decision: decision.decision,
    reason: rest.reason ?? decision.reason,
    evidence: decision.evidence.map(reportEvidence),
    action: rest.action ?? 'none',
    commit: rest.commit ?? null,
    incident: rest.incident ?? null,
    ...(rest.pullRequest ? { pull_request: rest.pullRequest } : {}),
    ...(rest.detail ? { detail: rest.detail } : {}),
  };
}

/** Short, stable number formatting for logs, commit messages and tables. */
export function num(v: number | null): string {
  if (v === null) return '-';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** `error_rate=0.071>0.05` for a breach, the form of the Rollback-Evidence trailer. */
export function evidenceTerm(
  e: Pick<ReportEvidence, 'trigger' | 'value' | 'limit'> & { comparator?: string | null },
): string {
  const cmp = e.comparator ?? (e.value !== null && e.limit !== null && e.value < e.limit ? '<' : '>');
  return `${e.trigger}=${num(e.value)}${cmp}${num(e.limit)}`;
}

/** One line per service for people: decision, reason, versions, the breached triggers. */
export function humanLine(r: ServiceReport): string {
  const breached = r.evidence.filter((e) => e.breached).map(evidenceTerm);
  const missing = r.evidence.filter((e) => e.cause).map((e) => `${e.trigger}: no data (${e.cause})`);
  const undecided = r.evidence.filter((e) => e.undecided).map((e) => `${e.trigger}: ${e.undecided!.detail}`);
  const versions = r.from ? ` ${r.from}${r.to ? ` -> ${r.to}` : ''}` : '';
  const action = r.action === 'none' ? '' : ` [${r.action}${r.commit ? ` ${r.commit.slice(0, 12)}` : ''}]`;
  const parts = [...breached, ...missing, ...undecided];
  const detail = r.detail ? ` (${r.detail})` : '';
  return `${r.service}: ${r.decision} ${r.reason}${versions}${action}${parts.length ? `: ${parts.join('; ')}` : ''}${detail}`;
}
