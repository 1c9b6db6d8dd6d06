import { addLock, LOCK_FILE, parseLocks } from './audit/locks.js';
import { type PinState, pinState } from './audit/pin-state.js';
import { type AuditRecord, rollbackId, rollbackMessage } from './audit/trailers.js';
import type { Mode, ServicePolicy } from './config/policy.js';
import type { Proposals } from './github/proposals.js';
import type { FileChange, GitOpsStore, Identity, Snapshot } from './gitops/store.js';
import type { Incident } from './incident/render.js';
import type { IncidentSink } from './incident/sink.js';
import type { MetricsProvider } from './metrics/provider.js';
import { type Notifier, notifyAll, type RollbackNotice } from './notify/index.js';
import { judge } from './observe.js';
import { isValidVersion, readPin, writePin } from './pins/index.js';
import type { Decision, Evidence } from './policy/types.js';
import { evidenceTerm, num, type ServiceReport, serviceReport } from './report.js';

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
}

export const DEFAULT_RUN: Pick<RunContext, 'attempts' | 'historyLimit'> = { attempts: 5, historyLimit: 50 };

export class ReconcileError extends Error {
  override name = 'ReconcileError';
}

/** Evidence recorded in trailers (`error_rate=0.071>0.05`), read back as evidence entries. */
function evidenceFromTrailers(record: AuditRecord): ServiceReport['evidence'] {
  return record.evidence.map((term) => {
    const m = /^([^=]+)=([^<>]+)([<>])(.+)$/.exec(term);
    const n = (s: string | undefined) => (s === undefined || Number.isNaN(Number(s)) ? null : Number(s));
    return { trigger: m?.[1] ?? term, value: n(m?.[2]), baseline: null, limit: n(m?.[4]), breached: true };
  });
}

function explain(decision: Decision): string {
  const lines = decision.evidence
    .filter((e) => e.breached)
    .map((e) => {
      const bound = e.comparator === '<' ? 'min' : 'max';
      const base = e.baseline !== null ? ` (baseline ${num(e.baseline)})` : '';
      const sustained = e.sustained ? ` (sustained ${e.sustained.observed} samples)` : '';
      return `${e.trigger} ${num(e.value)} ${e.comparator} ${bound} ${num(e.limit)}${base}${sustained}`;
    });
  const noData = decision.evidence
    .filter((e) => e.noData !== null)
    .map((e) => `${e.trigger}: no data (${e.noData})`);
  return `${[...lines, ...noData].join('; ')}.`;
}

/** The pull request says what the commit says, links the incident, and how to approve. */
function proposalBody(message: string, incident: string | null): string {
  const [subject, , ...rest] = message.split('\n');
  return [
    `pinback proposes this rollback: **${subject!.replace(/[<>@]/g, ' ')}**.`,
    '',
    'Merging this pull request is the approval: Argo CD or Flux then syncs the stable version.',
    incident ? `Incident: ${incident}` : '',
    '',
    '```',
    rest.join('\n').trim(),
    '```',
  ].join('\n');
}

function breachedTerms(evidence: Evidence[]): string[] {
  return evidence.filter((e) => e.breached).map(evidenceTerm);
}

interface Plan {
  changes: FileChange[];
  id: string;
  lockedAt: string;
}

function planRollback(
  service: ServicePolicy,
  snap: Snapshot,
  state: PinState,
  stable: string,
  decision: Decision,
  now: Date,
): Plan {
  const pin = service.pin!;
  const id = rollbackId(service.name, state.candidate, stable, state.pinnedBy?.sha ?? snap.head);
  const lockedAt = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const changes: FileChange[] = [
    { path: pin.file, content: writePin(snap.files.get(pin.file)!, pin.locator, stable, pin.file) },
  ];
  if (service.onRollback.lockCandidate) {
    changes.push({
      path: LOCK_FILE,
      content: addLock(snap.files.get(LOCK_FILE) ?? null, service.name, {
        version: state.candidate,
        reason: decision.reason,
        locked_at: lockedAt,
        rollback_id: id,
      }),
    });
  }
  const ks = service.onRollback.killSwitch;
  if (ks) {
    const current = ks.file === pin.file ? changes[0]!.content : snap.files.get(ks.file);
    if (current === null || current === undefined) {
      throw new ReconcileError(
        `${service.name}: kill switch file ${ks.file} does not exist in ${LOCK_FILE === ks.file ? '' : 'the GitOps repo'}`,
      );
    }
    const next = writePin(current, ks.locator, ks.value, ks.file);
    if (ks.file === pin.file) changes[0]!.content = next;
    else changes.push({ path: ks.file, content: next });
  }
  return { changes, id, lockedAt };
}

/**
 * One service end to end: read the pin and its history, decide, and on stop commit the rollback.
 * A commit that loses a race re-reads and re-decides: the other writer may already have rolled back.
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
  if (mode === 'propose' && !ports.proposals) {
    throw new ReconcileError(
      `${service.name}: mode propose opens a pull request: it needs the GitHub Action`,
    );
  }
  const files = [
    pin.file,
    LOCK_FILE,
    ...(service.onRollback.killSwitch ? [service.onRollback.killSwitch.file] : []),
  ];
  let memo: { key: string; decision: Decision } | undefined;

  for (let attempt = 1; attempt <= ctx.attempts; attempt++) {
    const snap = await ports.store.read({
      files: [...new Set(files)],
      historyOf: pin.file,
      limit: ctx.historyLimit,
    });
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
    });
    const now = ports.now();
    const base = { service: service.name, stage: service.stage, from: candidate, to: state.stable ?? null };

    if (state.rolledBackBy) {
      const r = state.rolledBackBy;
      const incident = await ports.incidents?.note(
        r.id,
        service.name,
        `${now.toISOString()}: the signal repeated; rollback ${r.from} -> ${r.to} is already applied`,
      );
      return {
        service: service.name,
        stage: service.stage,
        decision: 'stop',
        reason: r.reason,
        from: r.from,
        to: r.to,
        evidence: evidenceFromTrailers(r),
        action: 'already_rolled_back',
        commit: r.sha,
        incident: incident ?? null,
        detail: `rolled back at ${new Date(r.time * 1000).toISOString()}`,
      };
    }
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
            { providers: ports.providers, end: now, deployedAt: pinnedAt },
          );
    memo = { key, decision };
    if (decision.decision !== 'stop') return serviceReport(base, decision);

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
    if (mode === 'dry-run') return serviceReport(base, decision, { action: 'dry_run' });

    const plan = planRollback(service, snap, state, state.stable, decision, now);
    const proposalBranch = mode === 'propose' ? `pinback/rollback-${service.name}-${plan.id}` : undefined;
    if (proposalBranch) {
      const open = await ports.proposals!.find(proposalBranch);
      if (open)
        return serviceReport(base, decision, {
          action: 'proposed',
          pullRequest: open,
          detail: 'the pull request is open',
        });
    }
    const message = rollbackMessage(
      {
        service: service.name,
        from: candidate,
        to: state.stable,
        reason: decision.reason,
        stage: service.stage,
        evidence: breachedTerms(decision.evidence),
        policy: ctx.policyDigest,
        actor: ctx.actor,
        run: ctx.runUrl,
        id: plan.id,
      },
      explain(decision),
    );
    const result = await ports.store.commit({
      expectedHead: snap.head,
      message,
      changes: plan.changes,
      author: ctx.author,
      branch: proposalBranch,
    });
    if (!result.ok) continue;

    const incidentData: Incident = {
      id: plan.id,
      service: service.name,
      stage: service.stage,
      from: candidate,
      to: state.stable,
      reason: decision.reason,
      evidence: decision.evidence,
      require: decision.require,
      policyDigest: ctx.policyDigest,
      policyFile: ctx.policyFile,
      pinFile: pin.file,
      pinnedAt,
      evaluatedAt: now,
      committedAt: ports.now(),
      commit: result.sha,
      commitUrl: undefined,
      runUrl: ctx.runUrl,
      mode,
      owners: service.owners,
    };
    incidentData.commitUrl = result.url;
    const noticeOf = (kind: RollbackNotice['kind'], links: RollbackNotice['links']): RollbackNotice => ({
      kind,
      service: service.name,
      stage: service.stage,
      from: candidate,
      to: state.stable!,
      reason: decision.reason,
      evidence: breachedTerms(decision.evidence),
      links,
    });
    if (proposalBranch) {
      const incident = ports.incidents ? await ports.incidents.open(incidentData) : null;
      const pullRequest = await ports.proposals!.open({
        branch: proposalBranch,
        base: snap.branch ?? 'main',
        title: message.split('\n')[0]!,
        body: proposalBody(message, incident),
      });
      const links = { commit: result.url, pullRequest, incident: incident ?? undefined, run: ctx.runUrl };
      await notifyAll(
        ports.notifiers?.(service) ?? [],
        noticeOf('proposed', links),
        ports.warn ?? (() => {}),
      );
      return serviceReport(base, decision, { action: 'proposed', commit: result.sha, incident, pullRequest });
    }
    const notice = noticeOf('rolled_back', { commit: result.url, run: ctx.runUrl });
    // The rollback stands whatever happens next: incident and notifications run side by side.
    const [incident] = await Promise.all([
      ports.incidents ? ports.incidents.open(incidentData) : Promise.resolve(null),
      notifyAll(ports.notifiers?.(service) ?? [], notice, ports.warn ?? (() => {})),
    ]);
    return serviceReport(base, decision, { action: 'rolled_back', commit: result.sha, incident });
  }
  throw new ReconcileError(
    `${service.name}: gave up after ${ctx.attempts} attempts: the branch of ${ports.store.describe()} kept moving`,
  );
}
