import type { ReportEvidence, ServiceReport } from '../report.js';

/*
 * The promotion gate's verdict (issue 15), pure: what each promoted pin's judgement in its earlier
 * stage says, and the one state of the pull request's check. JSON contract in docs/DESIGN.md,
 * "Promotion gate".
 */

/** A commit status's states the gate uses: allow, stop, not enough evidence yet. */
export type GateState = 'success' | 'failure' | 'pending';

/** A pin the change sets to another version. */
export interface PinChange {
  service: string;
  stage: string;
  file: string;
  line: number;
  column: number;
  /** The version at the base; null where the base has no such pin (a new service or file). */
  from: string | null;
  to: string;
}

/** One changed pin, judged where its new version already runs. */
export interface Promotion extends PinChange {
  /** The earlier stage's service, and how the policy names it; null: not a promotion. */
  source: { service: string; stage: string; by: 'promote_from' | 'stages' } | null;
  state: GateState;
  decision: 'allow' | 'stop' | 'inconclusive';
  /**
   * `within_limits` and the judgement's reasons, or the gate's own: `not_promoted` (no earlier
   * stage), `not_in_earlier_stage`, `locked_in_earlier_stage`, `rolled_back_in_earlier_stage`.
   */
  reason: string;
  /** One sentence for people: where it ran, what was judged, what to do. */
  detail: string;
  /** Pending: when a re-run may decide (ISO 8601), and why then. */
  retry_at?: string | undefined;
  retry_why?: string | undefined;
  /** The earlier stage's judgement: the evidence table. */
  evidence: ReportEvidence[];
}

/** A pin of the change that names a locked version (the lock check, `pinback check`). */
export interface LockedChange {
  service: string;
  file: string;
  line: number;
  column: number;
  version: string;
  lock_file: string;
  message: string;
}

export interface GateReport {
  version: 1;
  /** What was compared: the revisions or commits the gate read. */
  base: string;
  head: string;
  state: GateState;
  /** The commit status's line: at most 140 characters. */
  description: string;
  promotions: Promotion[];
  locked: LockedChange[];
}

const MAX_DESCRIPTION = 140;

export function clip(s: string): string {
  return s.length <= MAX_DESCRIPTION ? s : `${s.slice(0, MAX_DESCRIPTION - 1)}…`;
}

/** A judgement's verdict as the check's state. */
export function stateOf(decision: ServiceReport['decision']): GateState {
  return decision === 'allow' ? 'success' : decision === 'stop' ? 'failure' : 'pending';
}

/** The check's state over everything: a lock or a stop fails it, then any pending keeps it pending. */
export function overallState(promotions: readonly Promotion[], locked: readonly LockedChange[]): GateState {
  if (locked.length > 0 || promotions.some((p) => p.state === 'failure')) return 'failure';
  return promotions.some((p) => p.state === 'pending') ? 'pending' : 'success';
}

const where = (p: Promotion) => `${p.service} ${p.to}${p.source ? ` in ${p.source.stage}` : ''}`;

/**
 * The status line (at most 140 characters). It names the verdict, the services and the reasons, and
 * for a pending check when to retry; no counts that move from run to run, so a re-run that changes
 * nothing posts nothing.
 */
export function describeGate(promotions: readonly Promotion[], locked: readonly LockedChange[]): string {
  const state = overallState(promotions, locked);
  const judged = promotions.filter((p) => p.source !== null);
  if (state === 'failure') {
    const stopped = promotions.filter((p) => p.state === 'failure');
    const parts = [
      ...locked.map((l) => `${l.service} pins locked ${l.version}`),
      ...stopped.map((p) => `${where(p)}: ${p.reason}`),
    ];
    return clip(`stop: ${parts.join('; ')}`);
  }
  if (state === 'pending') {
    const waiting = promotions.filter((p) => p.state === 'pending');
    const retry = waiting
      .map((p) => p.retry_at)
      .filter((t): t is string => t !== undefined)
      .sort()
      .at(-1);
    const at = retry === undefined ? '' : `; retry after ${retry.slice(11, 16)} UTC`;
    return clip(`pending: not enough evidence yet for ${waiting.map(where).join(', ')}${at}`);
  }
  if (judged.length === 0) {
    return promotions.length === 0
      ? 'allow: no pin changed'
      : clip(`allow: no promotion (${promotions.map((p) => p.service).join(', ')}: no earlier stage)`);
  }
  return clip(`allow: ${judged.map(where).join(', ')} within limits`);
}
