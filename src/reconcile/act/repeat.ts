import { evidenceFromTrailers } from '../../history/explain.js';
import { code } from '../../incident/markdown.js';
import type { Incident } from '../../incident/render.js';
import type { Evidence } from '../../policy/types.js';
import type { Rolled } from '../phase.js';
import { type Done, done, incidentContext, rolledSeverity, type Step, tell, warnOf } from './step.js';

/** The evidence a rollback commit's trailers record (`error_rate=0.09>0.05`), as the incident shows evidence. */
function evidenceOf(step: Step, r: Rolled): Evidence[] {
  const rules = new Map(step.service.rule.triggers.map((t) => [t.name, t]));
  return evidenceFromTrailers(r).map((e, i) => {
    const rule = rules.get(e.trigger);
    const cmp = /^[^=]+=[^<>]+([<>])/.exec(r.evidence[i] ?? '')?.[1];
    return {
      trigger: e.trigger,
      value: e.value,
      baseline: null,
      limit: e.limit,
      comparator: cmp === '<' || cmp === '>' ? cmp : null,
      breached: true,
      sustained: null,
      samples: 0,
      noData: null,
      undecided: null,
      degradedAt: null,
      severity: rule?.severity ?? 'critical',
      action: rule?.action ?? 'rollback',
      reason: rule?.reason ?? r.reason,
      test: null,
      pValue: null,
      alpha: null,
      count: null,
      detail: null,
    };
  });
}

/** The incident of a standing rollback, from what its commit records (as act/rollback.ts opens it). */
export function standingIncident(step: Step, r: Rolled): Incident {
  const { service, ctx, state, mode } = step;
  return {
    kind: 'rollback',
    ...incidentContext(step),
    // The run and policy that made the rollback, where its trailers say.
    runUrl: r.run ?? ctx.runUrl,
    policyDigest: r.policy || ctx.policyDigest,
    id: r.id,
    from: r.from,
    to: r.to,
    reason: r.reason,
    evidence: evidenceOf(step, r),
    require: service.rule.require,
    // After a rollback, the commit before the current pin is the one that deployed the bad version.
    pinnedAt: state.previous === undefined ? undefined : new Date(state.previous.time * 1000),
    degradedAt: undefined,
    committedAt: new Date(r.time * 1000),
    commit: r.sha,
    commitUrl: undefined,
    mode,
  };
}

/**
 * Opens a standing rollback's incident where it is missing (the run that committed the rollback
 * was stopped first: a cancelled job, a killed process) and then tells people, as that run would
 * have. The sinks find an existing incident by the rollback's id (`created: false`), so nothing is
 * opened or told twice. Without an incident sink (`where` null) nothing is told: nothing would
 * remember that it was. Undefined where it cannot be opened (a warning says why).
 */
export async function openStanding(
  step: Step,
  r: Rolled,
): Promise<{ where: string | null; created: boolean } | undefined> {
  const { service, ports, ctx, now } = step;
  if (r.kind !== 'rollback') return undefined;
  let opened: { where: string | null; created: boolean };
  try {
    opened = await ports.incidents.open(standingIncident(step, r));
  } catch (e) {
    warnOf(ports)(
      `${service.name}: rollback ${r.sha.slice(0, 12)} stands, but its incident could not be opened: ${(e as Error).message}`,
    );
    return undefined;
  }
  if (!opened.created || opened.where === null) return opened;
  await Promise.all([
    ports.incidents.update(r.id, service.name, {
      key: 'opened-late',
      markdown: `pinback opened this incident at ${code(now.toISOString())}, after the rollback: the run that committed it (${code(r.actor || 'unknown')}) did not open one (it was stopped first, or had no incident sink).`,
    }),
    tell(step, {
      kind: 'rolled_back',
      id: r.id,
      severity: rolledSeverity(service, r),
      from: r.from,
      to: r.to,
      reason: r.reason,
      evidence: r.evidence,
      links: { incident: opened.where, run: r.run ?? ctx.runUrl },
    }),
  ]);
  return opened;
}

/**
 * A rollback that already stands: its incident is opened if it is missing (openStanding). Then a
 * signal on it: an explicit signal (an alert) gets a line each time; a schedule says it once, not
 * every run (and not at all on an incident this run just opened).
 */
export async function repeat(step: Step, r: Rolled): Promise<Done> {
  const { service, ports, ctx, now } = step;
  const opened = await openStanding(step, r);
  if (ctx.signal) {
    const where = await ports.incidents.note(
      r.id,
      service.name,
      `${now.toISOString()}: ${ctx.signal} repeated; rollback ${r.from} -> ${r.to} is already applied`,
    );
    return done({ ...step.planned, incident: where ?? opened?.where ?? null });
  }
  if (opened?.created && opened.where !== null) return done({ ...step.planned, incident: opened.where });
  const line = `pinback saw the signal repeated at ${code(now.toISOString())}: the rollback ${code(r.from)} -> ${code(r.to)} is already applied; later runs will not repeat this.`;
  const { where } = await ports.incidents.update(r.id, service.name, { key: 'repeated', markdown: line });
  return done({ ...step.planned, incident: where ?? opened?.where ?? null });
}
