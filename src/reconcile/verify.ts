import { breachedTerms, evidenceFromTrailers } from '../history/explain.js';
import type { PinnedCommit, PinState } from '../history/pin-state.js';
import { type AuditRecord, releaseMessage } from '../history/trailers.js';
import type { ServicePolicy } from '../config/policy.js';
import { code, table, text } from '../incident/markdown.js';
import type { IncidentUpdate } from '../incident/sink.js';
import { notifyAll, type RollbackNotice } from '../notify/index.js';
import { judge } from './observe.js';
import { readPin, writePin } from '../pins/index.js';
import type { Decision } from '../policy/types.js';
import type { Ports, RunContext } from './service.js';
import { num, type ServiceReport, serviceReport } from '../report.js';

export type Verdict =
  { kind: 'report'; report: ServiceReport } | { kind: 'fallback'; to: string; decision: Decision };

type Rolled = AuditRecord & PinnedCommit;

const minutes = (ms: number) => `${num(Number((ms / 60_000).toFixed(1)))} min`;

/** Adds an incident update once (per incident, and per process for watch rounds); true when it is new. */
async function updateOnce(
  ports: Ports,
  ctx: RunContext,
  r: Rolled,
  service: string,
  u: IncidentUpdate,
): Promise<{ added: boolean; where: string | null }> {
  const key = `${r.id}:${u.key}`;
  if (ctx.sent?.has(key)) return { added: false, where: null };
  const result = ports.incidents
    ? await ports.incidents.update(r.id, service, u)
    : { added: true, where: null };
  ctx.sent?.add(key);
  return result;
}

function beforeAfter(r: Rolled, now: Decision): string {
  const before = new Map(evidenceFromTrailers(r).map((e) => [e.trigger, e]));
  return table(
    ['Trigger', `Candidate ${code(r.from)} at the rollback`, `Stable ${code(r.to)} now`, 'Limit'],
    now.evidence.map((e) => [
      code(e.trigger),
      before.has(e.trigger) ? code(num(before.get(e.trigger)!.value)) : '-',
      e.value === null ? `no data` : code(num(e.value)),
      code(`${e.comparator === '<' ? '>=' : '<='} ${num(e.limit)}`),
    ]),
  );
}

/** Sets the kill switch back to its value before the rollback, once, in a commit of its own. */
async function releaseKillSwitch(
  service: ServicePolicy,
  ports: Ports,
  ctx: RunContext,
  r: Rolled,
): Promise<string | undefined> {
  const ks = service.onRollback.killSwitch!;
  for (let attempt = 1; attempt <= ctx.attempts; attempt++) {
    const snap = await ports.store.read({ files: [ks.file], historyOf: ks.file, limit: 20 });
    const current = snap.files.get(ks.file);
    if (!current || readPin(current, ks.locator, ks.file).version !== ks.value) return undefined;
    // The value before the switch was flipped: the newest one in its history that is not the
    // switch's own (a fallback may have rewritten the flipped value since).
    const valueAt = (text: string | null) => {
      try {
        return text === null ? undefined : readPin(text, ks.locator, ks.file).version;
      } catch {
        return undefined;
      }
    };
    const original = snap.history.map((h) => valueAt(h.text)).find((v) => v !== undefined && v !== ks.value);
    if (original === undefined) {
      ports.warn?.(
        `${service.name}: cannot find the kill switch's value before rollback ${r.sha.slice(0, 12)}; release it by hand`,
      );
      return undefined;
    }
    const what = 'yaml_path' in ks.locator ? `kill switch ${ks.locator.yaml_path}` : 'kill switch';
    const result = await ports.store.commit({
      expectedHead: snap.head,
      author: ctx.author,
      changes: [{ path: ks.file, content: writePin(current, ks.locator, original, ks.file) }],
      message: releaseMessage({
        service: service.name,
        from: r.from,
        to: r.to,
        id: r.id,
        what,
        value: original,
        actor: ctx.actor,
      }),
    });
    if (result.ok) return result.sha;
  }
  throw new Error(`${service.name}: could not release the kill switch: the branch kept moving`);
}

/**
 * After a rollback to the stable: evaluate the stable with the same triggers over the time since
 * the rollback (at most `verify.window`). Healthy for the whole window: recovered. Breaching:
 * roll one version further back while `fallback_depth` allows, else escalate to people.
 */
export async function verifyRollback(
  service: ServicePolicy,
  ports: Ports,
  ctx: RunContext,
  state: PinState,
  r: Rolled,
  now: Date,
): Promise<Verdict> {
  const windowMs = service.onRollback.verifyWindowMs;
  // Commit times have whole seconds: count from the end of that second, so the window is never cut short.
  const elapsed = now.getTime() - (r.time * 1000 + 999);
  const rolledAt = new Date(r.time * 1000).toISOString();
  const standing: ServiceReport = {
    service: service.name,
    stage: service.stage,
    decision: 'stop',
    reason: r.reason,
    from: r.from,
    to: r.to,
    evidence: evidenceFromTrailers(r),
    action: 'already_rolled_back',
    commit: r.sha,
    incident: null,
    detail: `rolled back at ${rolledAt}`,
  };
  // Past the window and the guard window after it, the rollback is history, not a question.
  if (windowMs === undefined || elapsed > windowMs + service.guardWindowMs) {
    // An explicit signal (an alert) gets a line each time; a schedule says it once, not every run.
    let incident: string | null | undefined = null;
    if (ctx.mode !== 'dry-run' && ctx.signal) {
      incident = await ports.incidents?.note(
        r.id,
        service.name,
        `${now.toISOString()}: ${ctx.signal} repeated; rollback ${r.from} -> ${r.to} is already applied`,
      );
    } else if (ctx.mode !== 'dry-run' && ports.incidents) {
      const line = `pinback saw the signal repeated at ${code(now.toISOString())}: the rollback ${code(r.from)} -> ${code(r.to)} is already applied; later runs will not repeat this.`;
      incident = (await updateOnce(ports, ctx, r, service.name, { key: 'repeated', markdown: line })).where;
    }
    return { kind: 'report', report: { ...standing, incident: incident ?? null } };
  }

  const span = Math.max(1000, Math.min(elapsed, windowMs));
  // Once the window is over, the verdict is about that window and no other: a run an hour later
  // judges the same minutes, so an unrelated outage after recovery never reopens the question.
  const end = elapsed >= windowMs ? new Date(r.time * 1000 + 999 + windowMs) : now;
  // Right after a rollback the stable may not have reported yet: missing data waits, it never
  // decides. Relative limits compare the stable with itself before the bad version was pinned.
  const verifying: ServicePolicy = {
    ...service,
    baseline: 'before_deploy',
    queries: service.queries.map((q) => ({ ...q, windowMs: span })),
    rule: {
      ...service.rule,
      triggers: service.rule.triggers.map((t) => ({ ...t, onNoData: 'inconclusive' as const })),
    },
  };
  const decision = await judge(
    verifying,
    { candidate: state.candidate, stable: state.candidate },
    {
      providers: ports.providers,
      end,
      since: new Date(r.time * 1000),
      deployedAt: state.previous ? new Date(state.previous.time * 1000) : undefined,
    },
  );
  const dryRun = ctx.mode === 'dry-run';
  const base = { service: service.name, stage: service.stage, from: r.from, to: r.to };
  const warn = ports.warn ?? (() => {});
  const notice = (kind: RollbackNotice['kind'], reason: string): RollbackNotice => ({
    kind,
    service: service.name,
    stage: service.stage,
    from: r.from,
    to: r.to,
    reason,
    evidence: breachedTerms(decision.evidence),
    links: { run: ctx.runUrl },
  });

  if (decision.decision === 'stop') {
    if (state.chain < service.onRollback.fallbackDepth && state.stable) {
      return { kind: 'fallback', to: state.stable, decision };
    }
    const owners = service.owners.map((o) => (o.startsWith('@') ? o : `@${o}`)).join(' ');
    const why =
      state.chain >= service.onRollback.fallbackDepth
        ? `fallback_depth ${service.onRollback.fallbackDepth} reached`
        : 'no earlier good version';
    const { added, where } = dryRun
      ? { added: false, where: null }
      : await updateOnce(ports, ctx, r, service.name, {
          key: 'escalated',
          label: 'escalated',
          markdown: [
            '## Escalated: the rollback did not recover',
            '',
            `The stable version ${code(r.to)} breaches the same triggers ${minutes(elapsed)} after the rollback, so the problem is likely not the deployment (a dependency, traffic or data). pinback will not roll back further (${text(why)}).`,
            '',
            beforeAfter(r, decision),
            '',
            owners
              ? `${owners}: please take over.`
              : 'No owners are set in the policy (`owners:`): please take over.',
          ].join('\n'),
        });
    if (added) await notifyAll(ports.notifiers?.(service) ?? [], notice('escalated', decision.reason), warn);
    return {
      kind: 'report',
      report: serviceReport({ ...base, from: state.candidate, to: null }, decision, {
        action: 'escalated',
        commit: r.sha,
        incident: where,
        detail: `${state.candidate} did not recover: ${why}`,
      }),
    };
  }

  if (decision.decision === 'allow' && elapsed >= windowMs) {
    // Release first: should it fail, recovery is not recorded and the next run tries again.
    const released =
      !dryRun && service.onRollback.killSwitch?.release === 'on_recovery'
        ? await releaseKillSwitch(service, ports, ctx, r)
        : undefined;
    const { added, where } = dryRun
      ? { added: false, where: null }
      : await updateOnce(ports, ctx, r, service.name, {
          key: 'recovered',
          markdown: [
            '## Recovered',
            '',
            `The stable version ${code(r.to)} passed every trigger for ${minutes(windowMs)} after the rollback. Time to recover: ${minutes(elapsed)} (rollback at ${code(rolledAt)}, verified at ${code(now.toISOString())}).`,
            '',
            beforeAfter(r, decision),
          ].join('\n'),
        });
    if (added) await notifyAll(ports.notifiers?.(service) ?? [], notice('recovered', 'recovered'), warn);
    return {
      kind: 'report',
      report: serviceReport(base, decision, {
        action: 'already_rolled_back',
        reason: 'recovered',
        commit: released ?? r.sha,
        incident: where,
        detail: `recovered ${minutes(elapsed)} after the rollback${released ? '; kill switch released' : ''}`,
      }),
    };
  }

  return {
    kind: 'report',
    report: serviceReport(base, decision, {
      action: 'already_rolled_back',
      reason: 'verifying',
      commit: r.sha,
      detail: `verifying recovery until ${new Date(r.time * 1000 + windowMs).toISOString()}`,
    }),
  };
}
