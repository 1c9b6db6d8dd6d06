import { breachedTerms, degradedAt, explain } from '../history/explain.js';
import { addLock, LOCK_FILE, parseLocks } from '../history/locks.js';
import { type PinnedCommit, type PinState, pinState } from '../history/pin-state.js';
import { rollbackId, rollbackMessage } from '../history/trailers.js';
import type { Mode, ServicePolicy } from '../config/policy.js';
import type { Proposals } from '../github/proposals.js';
import type { FileChange, GitOpsStore, Identity, Snapshot } from '../gitops/store.js';
import { code } from '../incident/markdown.js';
import type { Incident } from '../incident/render.js';
import type { IncidentSink } from '../incident/sink.js';
import type { MetricsProvider } from '../metrics/provider.js';
import { type Notifier, notifyAll, type RollbackNotice } from '../notify/index.js';
import { judge } from './observe.js';
import { describeHold, holdVersion } from '../holds/index.js';
import { isValidVersion, readPin, writePin } from '../pins/index.js';
import type { Decision } from '../policy/types.js';
import { type ServiceReport, serviceReport } from '../report.js';
import { verifyRollback } from './verify.js';

/** The ports one service's reconciliation needs; the CLI and the Action each build them once. */
export interface Ports {
  store: GitOpsStore;
  providers: ReadonlyMap<string, MetricsProvider>;
  incidents: IncidentSink | undefined;
  /** Pull requests for `mode: propose`. */
  proposals?: Proposals | undefined;
  /** Where a service's notifications go (its `on_rollback.notify`). */
  notifiers?: ((service: ServicePolicy) => Notifier[]) | undefined;
  /** Problems that do not fail the run: a notification that could not be delivered. */
  warn?: ((message: string) => void) | undefined;
  now: () => Date;
}

export interface RunContext {
  policyFile: string;
  policyDigest: string;
  actor: string;
  runUrl: string | undefined;
  author: Identity;
  /** Overrides every service's mode (`--mode`). */
  mode: Mode | undefined;
  /** How often a commit on a moving branch is re-read, re-decided and retried. */
  attempts: number;
  /** How many commits of a pin's history are read (bounded: history walks are the slow part). */
  historyLimit: number;
  /** Updates and alerts already sent by this process (watch rounds), so none repeats. */
  sent?: Set<string> | undefined;
  /** An explicit signal that started this run (an alert's reason), noted on a standing incident. */
  signal?: string | undefined;
}

export const DEFAULT_RUN: Pick<RunContext, 'attempts' | 'historyLimit'> = { attempts: 5, historyLimit: 50 };

export class ReconcileError extends Error {
  override name = 'ReconcileError';
}

/** The pull request says what the commit says, links the incident, and how to approve. */
function proposalBody(message: string, incident: string | null): string {
  const [subject, , ...rest] = message.split('\n');
  return [
    `pinback proposes this rollback: ${code(subject)}.`,
    '',
    'Merging this pull request is the approval: Argo CD or Flux then syncs the stable version.',
    incident ? `Incident: ${incident}` : '',
    '',
    '```',
    rest.join('\n').trim(),
    '```',
  ].join('\n');
}

/** Every file the rollback commit changes: the pin, the lock, the holds, the kill switch. */
function planChanges(
  service: ServicePolicy,
  snap: Snapshot,
  from: string,
  to: string,
  reason: string,
  id: string,
  now: Date,
): FileChange[] {
  const changes = new Map<string, string>();
  // Several edits may land in one file (a kill switch beside the pin): each sees the ones before.
  const edit = (path: string, what: string, fn: (text: string | null) => string) => {
    const current = changes.has(path) ? changes.get(path)! : (snap.files.get(path) ?? null);
    if (current === null && what !== 'lock') {
      throw new ReconcileError(`${service.name}: ${what} file ${path} does not exist in the GitOps repo`);
    }
    changes.set(path, fn(current));
  };
  const pin = service.pin!;
  edit(pin.file, 'pin', (text) => writePin(text!, pin.locator, to, pin.file));
  if (service.onRollback.lockCandidate) {
    const lock = {
      version: from,
      reason,
      locked_at: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      rollback_id: id,
    };
    edit(LOCK_FILE, 'lock', (text) => addLock(text, service.name, lock));
  }
  // Same commit: the image bots must not push the locked version straight back.
  for (const hold of service.onRollback.hold) {
    edit(hold.file, describeHold(hold), (text) => holdVersion(text!, hold, from));
  }
  const ks = service.onRollback.killSwitch;
  if (ks) edit(ks.file, 'kill switch', (text) => writePin(text!, ks.locator, ks.value, ks.file));
  return [...changes].map(([path, content]) => ({ path, content }));
}

export interface Rollback {
  from: string;
  to: string;
  decision: Decision;
  /** The commit that pinned `from`: part of the rollback id. */
  pinnedBy: PinnedCommit | undefined;
  /** Rollbacks in a row, this one included (2 for a fallback after a first rollback). */
  chain: number;
}

type CommitOutcome = { kind: 'stale' } | { kind: 'done'; report: ServiceReport };

/** Writes one rollback (auto) or proposes it (propose), then the incident and notifications. */
async function commitRollback(
  service: ServicePolicy,
  ports: Ports,
  ctx: RunContext,
  snap: Snapshot,
  mode: Mode,
  r: Rollback,
  now: Date,
): Promise<CommitOutcome> {
  const base = { service: service.name, stage: service.stage, from: r.from, to: r.to };
  const id = rollbackId(service.name, r.from, r.to, r.pinnedBy?.sha ?? snap.head);
  const proposalBranch = mode === 'propose' ? `pinback/rollback-${service.name}-${id}` : undefined;
  if (proposalBranch) {
    const found = await ports.proposals!.find(proposalBranch);
    if (found?.state === 'open') {
      const report = serviceReport(base, r.decision, {
        action: 'proposed',
        pullRequest: found.url,
        detail: 'the pull request is open',
      });
      return { kind: 'done', report };
    }
    if (found?.state === 'rejected') {
      // Closing the proposal was a person's decision: it is not asked again for this candidate.
      const report = serviceReport(base, r.decision, {
        pullRequest: found.url,
        detail: 'the proposal was closed without merging',
      });
      return { kind: 'done', report };
    }
  }
  const message = rollbackMessage(
    {
      service: service.name,
      from: r.from,
      to: r.to,
      reason: r.decision.reason,
      stage: service.stage,
      evidence: breachedTerms(r.decision.evidence),
      policy: ctx.policyDigest,
      actor: ctx.actor,
      run: ctx.runUrl,
      id,
      chain: r.chain,
    },
    explain(r.decision),
  );
  const changes = planChanges(service, snap, r.from, r.to, r.decision.reason, id, now);
  const result = await ports.store.commit({
    expectedHead: snap.head,
    message,
    changes,
    author: ctx.author,
    branch: proposalBranch,
  });
  if (!result.ok) return { kind: 'stale' };

  const degraded = degradedAt(r.decision.evidence);
  const incident: Incident = {
    kind: 'rollback',
    id,
    service: service.name,
    stage: service.stage,
    from: r.from,
    to: r.to,
    reason: r.decision.reason,
    evidence: r.decision.evidence,
    require: r.decision.require,
    policyDigest: ctx.policyDigest,
    policyFile: ctx.policyFile,
    pinFile: service.pin!.file,
    pinnedAt: r.pinnedBy ? new Date(r.pinnedBy.time * 1000) : undefined,
    degradedAt: degraded === undefined ? undefined : new Date(degraded * 1000),
    evaluatedAt: now,
    committedAt: ports.now(),
    commit: result.sha,
    commitUrl: result.url,
    runUrl: ctx.runUrl,
    mode,
    owners: service.owners,
  };
  const notice = (kind: RollbackNotice['kind'], links: RollbackNotice['links']): RollbackNotice => ({
    kind,
    service: service.name,
    stage: service.stage,
    from: r.from,
    to: r.to,
    reason: r.decision.reason,
    evidence: breachedTerms(r.decision.evidence),
    links,
  });
  const warn = ports.warn ?? (() => {});
  const detail = r.chain > 1 ? `fallback: rollback ${r.chain} in a row` : undefined;
  // An incident that cannot be opened is a warning: the commit landed, and the report must say so.
  const openIncident = async () => {
    try {
      return ports.incidents ? await ports.incidents.open(incident) : null;
    } catch (e) {
      warn(
        `${service.name}: rolled back in ${result.sha.slice(0, 12)}, but the incident could not be opened: ${(e as Error).message}`,
      );
      return null;
    }
  };
  if (proposalBranch) {
    const opened = (await openIncident())?.where ?? null;
    const pullRequest = await ports.proposals!.open({
      branch: proposalBranch,
      base: snap.branch ?? 'main',
      title: message.split('\n')[0]!,
      body: proposalBody(message, opened),
    });
    await notifyAll(
      ports.notifiers?.(service) ?? [],
      notice('proposed', { commit: result.url, pullRequest, incident: opened ?? undefined, run: ctx.runUrl }),
      warn,
    );
    return {
      kind: 'done',
      report: serviceReport(base, r.decision, {
        action: 'proposed',
        commit: result.sha,
        incident: opened,
        pullRequest,
        detail,
      }),
    };
  }
  // The rollback stands whatever happens next: incident and notifications run side by side.
  const [opened] = await Promise.all([
    openIncident(),
    notifyAll(
      ports.notifiers?.(service) ?? [],
      notice('rolled_back', { commit: result.url, run: ctx.runUrl }),
      warn,
    ),
  ]);
  return {
    kind: 'done',
    report: serviceReport(base, r.decision, {
      action: 'rolled_back',
      commit: result.sha,
      incident: opened?.where ?? null,
      detail,
    }),
  };
}

/** Medium-severity breaches: one incident and one notification per candidate, no rollback. */
async function alert(
  service: ServicePolicy,
  ports: Ports,
  ctx: RunContext,
  state: PinState,
  decision: Decision,
  now: Date,
): Promise<string | null> {
  const id = rollbackId(service.name, state.candidate, 'alert', state.pinnedBy?.sha ?? '');
  if (ctx.sent?.has(id) || ctx.mode === 'dry-run') return null;
  ctx.sent?.add(id);
  const opened = ports.incidents
    ? await ports.incidents.open({
        kind: 'alert',
        id,
        service: service.name,
        stage: service.stage,
        from: state.candidate,
        to: state.candidate,
        reason: decision.alerts[0]!.reason,
        evidence: decision.evidence,
        require: decision.require,
        policyDigest: ctx.policyDigest,
        policyFile: ctx.policyFile,
        pinFile: service.pin!.file,
        pinnedAt: state.pinnedBy ? new Date(state.pinnedBy.time * 1000) : undefined,
        degradedAt: undefined,
        evaluatedAt: now,
        committedAt: undefined,
        commit: undefined,
        commitUrl: undefined,
        runUrl: ctx.runUrl,
        mode: 'alert',
        owners: service.owners,
      })
    : undefined;
  if (!opened || opened.created) {
    await notifyAll(
      ports.notifiers?.(service) ?? [],
      {
        kind: 'alert',
        service: service.name,
        stage: service.stage,
        from: state.candidate,
        to: state.candidate,
        reason: decision.alerts[0]!.reason,
        evidence: breachedTerms(decision.alerts),
        links: { incident: opened?.where, run: ctx.runUrl },
      },
      ports.warn ?? (() => {}),
    );
  }
  return opened?.where ?? null;
}

/**
 * One service end to end: read the pin and its history, decide, and on stop commit the rollback;
 * after a rollback, verify that the stable recovered, fall back further or escalate.
 * A commit that loses a race re-reads and re-decides: the other writer may already have acted.
 */
export async function reconcileService(
  service: ServicePolicy,
  ports: Ports,
  ctx: RunContext,
): Promise<ServiceReport> {
  const pin = service.pin;
  if (!pin)
    throw new ReconcileError(
      `${service.name}: no pin: to roll back (a fixed candidate can only be evaluated)`,
    );
  const mode = ctx.mode ?? service.mode;
  // Verification and alerts see the service's effective mode: dry-run writes and notifies nothing.
  ctx = { ...ctx, mode };
  if (mode === 'propose' && !ports.proposals) {
    throw new ReconcileError(
      `${service.name}: mode propose opens a pull request: it needs the GitHub Action`,
    );
  }
  const files = [
    ...new Set([
      pin.file,
      LOCK_FILE,
      ...(service.onRollback.killSwitch ? [service.onRollback.killSwitch.file] : []),
      ...service.onRollback.hold.map((h) => h.file),
    ]),
  ];
  let memo: { key: string; decision: Decision } | undefined;

  for (let attempt = 1; attempt <= ctx.attempts; attempt++) {
    const snap = await ports.store.read({ files, historyOf: pin.file, limit: ctx.historyLimit });
    const text = snap.files.get(pin.file);
    if (text === null || text === undefined) {
      throw new ReconcileError(
        `${service.name}: pin file ${pin.file} does not exist in ${ports.store.describe()}`,
      );
    }
    const located = readPin(text, pin.locator, pin.file);
    const candidate = located.version;
    if (!isValidVersion(candidate)) {
      // Checked before any query: a pin value must never reach PromQL or a URL unvalidated.
      throw new ReconcileError(
        `${service.name}: ${pin.file}:${located.line}:${located.column}: pin value ${JSON.stringify(candidate)} is not a valid version (letters, digits and . _ - + @ : / only); fix the pin`,
      );
    }
    const state = pinState({
      service: service.name,
      file: pin.file,
      locator: pin.locator,
      candidate,
      history: snap.history,
      locks: parseLocks(snap.files.get(LOCK_FILE) ?? null),
      fixedStable: service.stable === 'auto' ? undefined : service.stable,
      complete: snap.history.length < ctx.historyLimit,
      // A version replaced within its own guard window never proved itself: it is no stable.
      minStableSeconds: service.guardWindowMs / 1000,
    });
    const now = ports.now();
    const base = { service: service.name, stage: service.stage, from: candidate, to: state.stable ?? null };
    let rollback: Rollback;

    if (state.rolledBackBy) {
      const verdict = await verifyRollback(service, ports, ctx, state, state.rolledBackBy, now);
      if (verdict.kind === 'report') return verdict.report;
      rollback = {
        from: candidate,
        to: verdict.to,
        decision: verdict.decision,
        pinnedBy: state.pinnedBy,
        chain: state.chain + 1,
      };
    } else {
      const pinnedAt = state.pinnedBy ? new Date(state.pinnedBy.time * 1000) : undefined;
      if (!pinnedAt || now.getTime() - pinnedAt.getTime() > service.guardWindowMs) {
        return {
          ...base,
          decision: 'allow',
          reason: 'outside_guard_window',
          evidence: [],
          action: 'none',
          commit: null,
          incident: null,
          detail: pinnedAt
            ? `pinned at ${pinnedAt.toISOString()}, past the guard window`
            : 'the pin commit is older than the history read',
        };
      }
      const key = `${candidate}\n${state.stable ?? ''}`;
      const decision =
        memo?.key === key
          ? memo.decision
          : await judge(
              service,
              { candidate, stable: state.stable },
              { providers: ports.providers, end: now, deployedAt: pinnedAt, since: pinnedAt },
            );
      memo = { key, decision };
      if (decision.decision !== 'stop') {
        const incident = decision.alerts.length
          ? await alert(service, ports, ctx, state, decision, now)
          : null;
        return serviceReport(base, decision, { incident });
      }
      const last = state.lastRollback;
      if (last && now.getTime() - last.time * 1000 < service.cooldownMs) {
        return serviceReport(base, decision, {
          action: 'cooldown',
          detail: `last rollback at ${new Date(last.time * 1000).toISOString()}`,
        });
      }
      if (!state.stable) {
        return serviceReport(base, decision, {
          detail:
            'no earlier version to roll back to (all locked, rolled back from, or outside the history read)',
        });
      }
      rollback = { from: candidate, to: state.stable, decision, pinnedBy: state.pinnedBy, chain: 1 };
    }

    if (mode === 'dry-run') return serviceReport(base, rollback.decision, { action: 'dry_run' });
    const outcome = await commitRollback(service, ports, ctx, snap, mode, rollback, now);
    if (outcome.kind === 'done') return outcome.report;
  }
  throw new ReconcileError(
    `${service.name}: gave up after ${ctx.attempts} attempts: the branch of ${ports.store.describe()} kept moving`,
  );
}
