import type { Decision, Evidence, LimitFrom, MetricSeries, Verdict } from './policy/types.js';

export type Action =
  | 'none'
  | 'rolled_back'
  | 'already_rolled_back'
  | 'proposed'
  | 'awaiting_approval'
  | 'cooldown'
  | 'dry_run'
  | 'escalated';

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
  /** Why `to` is the stable: `2.3.3: pinned for 3 days until 2.4.0; skipped 2.3.4: pinned for 40 s`. */
  stable_reason?: string | undefined;
  /** A sentence on why the action is what it is (cooldown left, already applied, error). */
  detail?: string | undefined;
  /**
   * A stop judged at its clear-cut levels (`approve_below`): `clear_cut` false waits for a person
   * (`mode: auto` proposes it, or in the CLI `awaiting_approval`), with why in the evidence's numbers.
   */
  approval?: { clear_cut: boolean; why: string } | undefined;
  /**
   * The migration barrier a rollback would have crossed (`reason: migration_barrier`, `action:
   * escalated`): no rollback was made; `would_restore` is the version it would have restored.
   */
  barrier?: ReportBarrier | undefined;
  /**
   * The version the pin names at the head and the commit that set it (where the history reaches
   * it): where the judgement is recorded (`pinback/<service>` commit status, `--decision-log`).
   */
  pinned?: { version: string; commit: string } | undefined;
}

/** A migration barrier in the JSON report: the version, the commit that pinned it, why, and where it is marked. */
export interface ReportBarrier {
  version: string;
  /** The commit that pinned it; null for a policy barrier pinned before the history read. */
  commit: string | null;
  reason: string | null;
  /** `trailer` (a Rollback-Barrier trailer) or `policy` (the service's `barriers:`). */
  source: 'trailer' | 'policy';
  would_restore: string;
}

export interface ReportEvidence {
  trigger: string;
  value: number | null;
  baseline: number | null;
  limit: number | null;
  /**
   * Where the limit comes from: `{kind: absolute, bound: max}`, `{kind: relative, bound: max_increase,
   * of: stable, baseline: 1140, change: 0.5}` (1710), `{kind: burn_rate, …}`; `looser` when a
   * threshold is held to the tighter of an absolute and a relative limit.
   */
  limit_from?: LimitFrom | undefined;
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
  /**
   * A breached trigger's series, for the job summary's chart. In memory only: the property is not
   * enumerable, so the JSON report (a contract, and an Action output GitHub limits in size) never
   * carries it, and a copy of the entry (`{...e}`) drops it.
   */
  readonly series?: MetricSeries | undefined;
}

export interface Report {
  version: 1;
  services: ServiceReport[];
}

export function reportEvidence(e: Evidence): ReportEvidence {
  const out: ReportEvidence = {
    trigger: e.trigger,
    value: e.value,
    baseline: e.baseline,
    limit: e.limit,
    ...(e.limitFrom ? { limit_from: e.limitFrom } : {}),
    breached: e.breached,
    ...(e.noData ? { cause: e.noData } : {}),
    ...(e.test ? { test: e.test } : {}),
    ...(e.pValue !== null ? { p_value: e.pValue } : {}),
    ...(e.alpha !== null ? { alpha: e.alpha } : {}),
    ...(e.count ? { count: e.count } : {}),
    ...(e.undecided ? { undecided: e.undecided } : {}),
    ...(e.detail ? { detail: e.detail } : {}),
  };
  if (e.series) Object.defineProperty(out, 'series', { value: e.series, enumerable: false });
  return out;
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
    ...(decision.approval
      ? { approval: { clear_cut: decision.approval.clearCut, why: decision.approval.why } }
      : {}),
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
  // A stop that would wait for a person says so where no detail does (`evaluate`).
  const waits =
    r.approval && !r.approval.clear_cut && !r.detail?.includes(r.approval.why)
      ? ` (not clear-cut, a person decides: ${r.approval.why})`
      : '';
  return `${r.service}: ${r.decision} ${r.reason}${versions}${action}${parts.length ? `: ${parts.join('; ')}` : ''}${detail}${waits}`;
}

/** A trigger that had no data, and why. */
export interface BlindTrigger {
  trigger: string;
  /** The evidence's cause, as the provider or the engine wrote it. */
  cause: string;
  /** The metrics source the cause names (`prometheus http://prometheus:9090`, `metrics file /m.json`), if any. */
  provider: string | undefined;
}

/** A service some of whose triggers had no data. */
export interface Blind {
  service: string;
  decision: Verdict;
  /** The triggers without data, in the policy's order. */
  triggers: BlindTrigger[];
  /** How many triggers the service has. */
  of: number;
  /** No trigger of the service had data: nothing was judged, and a bad release would not be stopped. */
  blind: boolean;
}

const SOURCES = [
  /^(?:baseline: )?((?:prometheus|datadog|http) (?:\(invalid URL\)|\S+?)):\s/,
  /\b(metrics file \S+?)(?=:?\s|:?$)/,
  /\b(provider "[^"]+")/,
];

/** The metrics source a no-data cause names, in the cause's own words, or undefined. */
export function providerIn(cause: string): string | undefined {
  for (const pattern of SOURCES) {
    const m = pattern.exec(cause);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The services with triggers that had no data (evidence with a `cause`, the report's "no data": the
 * candidate's, or the baseline's a relative limit needs), each trigger with its cause and the metrics
 * source it names. Services whose every trigger had data are left out; so are services judged on no
 * evidence at all (in cooldown, or failed before reading metrics).
 */
export function blindness(report: Report): Blind[] {
  const out: Blind[] = [];
  for (const s of report.services) {
    const triggers = s.evidence
      .filter((e) => e.cause !== undefined)
      .map((e) => ({ trigger: e.trigger, cause: e.cause!, provider: providerIn(e.cause!) }));
    if (triggers.length === 0) continue;
    out.push({
      service: s.service,
      decision: s.decision,
      triggers,
      of: s.evidence.length,
      blind: triggers.length === s.evidence.length,
    });
  }
  return out;
}

/** `errors, latency: <cause>; quality: <cause>`: triggers sharing a cause (one source down) named once. */
function byCause(triggers: readonly BlindTrigger[]): string {
  const groups = new Map<string, string[]>();
  for (const t of triggers) groups.set(t.cause, [...(groups.get(t.cause) ?? []), t.trigger]);
  return [...groups].map(([cause, names]) => `${names.join(', ')}: ${cause}`).join('; ');
}

/**
 * One warning line per service with triggers without data (the CLI's stderr, the Action's
 * annotations): which triggers, why, and what it means for the release.
 */
export function blindnessWarnings(report: Report): string[] {
  return blindness(report).map((b) =>
    b.blind
      ? `${b.service}: no data for any of its ${b.of} trigger(s): nothing was judged (decision ${b.decision}) ` +
        `and a bad release would not be rolled back. ${byCause(b.triggers)}. ` +
        'Fix what each cause names (a source down, a wrong path or query, no traffic yet), then run again.'
      : `${b.service}: ${b.triggers.length} of ${b.of} triggers had no data; the decision (${b.decision}) ` +
        `rests on the others. ${byCause(b.triggers)}. ` +
        'Fix what each cause names, or the release stays judged without these triggers.',
  );
}
