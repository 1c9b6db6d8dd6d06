import type { ServicePolicy } from '../../config/policy.js';
import type { Snapshot } from '../../gitops/store.js';
import { breachedTerms, evidenceFromTrailers } from '../../history/explain.js';
import type { PinState } from '../../history/pin-state.js';
import type { Incident } from '../../incident/render.js';
import { notifyAll, type NoticeSeverity, type RollbackNotice } from '../../notify/index.js';
import { loudest } from '../../notify/severity.js';
import { severityOf } from '../../policy/severity.js';
import type { Decision, Evidence } from '../../policy/types.js';
import type { Rolled } from '../phase.js';
import type { ServiceReport } from '../../report.js';
import type { Ports, RunContext } from '../ports.js';

/** What every executor is given: the service, the snapshot it was decided on, the planned report. */
export interface Step {
  service: ServicePolicy;
  ports: Ports;
  ctx: RunContext;
  /** The service's effective mode; never dry-run here (a dry run calls no executor). */
  mode: 'auto' | 'propose';
  snap: Snapshot;
  state: PinState;
  /** The report as decided; the executor adds what it made. */
  planned: ServiceReport;
  now: Date;
}

/** An executor's result: done, or the branch moved under it (read again, decide again). */
export type Done = { kind: 'done'; report: ServiceReport } | { kind: 'stale' };

export const done = (report: ServiceReport): Done => ({ kind: 'done', report });

export const warnOf = (ports: Ports) => ports.warn ?? (() => {});

/** Tells the service's notifiers; a failing one is a warning, never an error. */
export async function tell(
  step: Pick<Step, 'service' | 'ports'>,
  notice: Omit<RollbackNotice, 'service' | 'stage'>,
): Promise<void> {
  const { service, ports } = step;
  await notifyAll(
    ports.notifiers?.(service) ?? [],
    { service: service.name, stage: service.stage, ...notice },
    warnOf(ports),
  );
}

/** The breached triggers of a decision, as a notice lists them. */
export const breached = (d: Decision) => breachedTerms(d.evidence);

/**
 * Which routes hear of a judgement: the loudest severity among its breached triggers (for a stop on
 * missing data, among the triggers without data); the default severity when there are none.
 */
export function noticeSeverity(evidence: readonly Evidence[]): NoticeSeverity {
  return severityOf(evidence) ?? loudest(evidence.filter((e) => e.noData !== null).map((e) => e.severity));
}

/**
 * A standing rollback's severity, from the triggers its trailers name, so that its recovery or its
 * escalation reaches the routes its rollback reached. A trigger the policy no longer has counts as
 * critical (as its incident shows it).
 */
export function rolledSeverity(service: ServicePolicy, r: Rolled): NoticeSeverity {
  const rules = new Map(service.rule.triggers.map((t) => [t.name, t.severity]));
  return loudest(evidenceFromTrailers(r).map((e) => rules.get(e.trigger) ?? 'critical'));
}

/** The fields every incident of a step shares: where it happened and under which policy. */
export function incidentContext(
  step: Pick<Step, 'service' | 'ctx' | 'now'>,
): Pick<
  Incident,
  'service' | 'stage' | 'policyDigest' | 'policyFile' | 'pinFile' | 'evaluatedAt' | 'runUrl' | 'owners'
> {
  const { service, ctx, now } = step;
  return {
    service: service.name,
    stage: service.stage,
    policyDigest: ctx.policyDigest,
    policyFile: ctx.policyFile,
    pinFile: service.pin!.file,
    evaluatedAt: now,
    runUrl: ctx.runUrl,
    owners: service.owners,
  };
}

/**
 * An incident about the candidate itself, with no rollback commit (an alert, a stranded stop):
 * opened once, and people told only when it is new. The step's report carries where it is.
 */
export async function openAboutCandidate(
  step: Step,
  incident: Pick<Incident, 'kind' | 'id' | 'reason' | 'evidence' | 'require' | 'degradedAt' | 'mode'> &
    Partial<Pick<Incident, 'cause'>>,
  notice: Pick<RollbackNotice, 'kind' | 'evidence' | 'severity' | 'trends'>,
): Promise<Done> {
  const { state, ports, ctx } = step;
  const opened = await ports.incidents.open({
    ...incidentContext(step),
    ...incident,
    from: state.candidate,
    to: state.candidate,
    pinnedAt: state.pinnedBy ? new Date(state.pinnedBy.time * 1000) : undefined,
    committedAt: undefined,
    commit: undefined,
    commitUrl: undefined,
  });
  if (opened.created) {
    await tell(step, {
      ...notice,
      id: incident.id,
      from: state.candidate,
      to: state.candidate,
      reason: incident.reason,
      links: { incident: opened.where ?? undefined, run: ctx.runUrl },
    });
  }
  return done({ ...step.planned, incident: opened.where });
}
