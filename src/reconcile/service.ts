import type { Mode, ServicePolicy } from '../config/policy.js';
import { locksIn } from '../history/locks.js';
import { type PinState, pinState } from '../history/pin-state.js';
import { type GitOpsStore, historyComplete, type ReadRequest, type Snapshot } from '../gitops/store.js';
import { quote } from '../pins/errors.js';
import { isValidVersion, readPin, stableTextIn } from '../pins/index.js';
import type { Decision } from '../policy/types.js';
import type { ServiceReport } from '../report.js';
import { execute } from './act/index.js';
import { filesOf, rollbackChanges } from './changes.js';
import { decide, idOf, isFinal, type Next, proposalBranch, type Rollback, type Seen } from './decide.js';
import { questionOf } from './measure.js';
import { phaseOf } from './phase.js';
import { plannedReport } from './planned.js';
import { type Ports, ReconcileError, type RunContext } from './ports.js';
import { type Attempt, untilLanded } from './retry.js';

/**
 * A dry run writes nothing but builds the rollback's whole change set, so what would fail a real
 * run (a pin that cannot be restored) fails here too, and a side file that could not be written
 * is said.
 */
function dryRun(service: ServicePolicy, snap: Snapshot, next: Next, planned: ServiceReport): ServiceReport {
  if (next.kind !== 'rollback') return planned;
  const r = next.rollback;
  const pin = service.pin!;
  const problems: string[] = [];
  rollbackChanges(
    service,
    snap.files,
    { from: r.from, to: r.to, reason: r.decision.reason, id: idOf(service.name, r) },
    new Date(0),
    stableTextIn(snap.history, pin.locator, pin.file, r.to),
    problems,
  );
  return problems.length
    ? {
        ...planned,
        detail: `${planned.detail ?? 'would roll back'}; would not be done: ${problems.join('; ')}`,
      }
    : planned;
}

/**
 * Whether a rollback's proposal is looked up: always in `mode: propose`; in `mode: auto` for a first
 * rollback judged at clear-cut levels (approve_below), whose ambiguous evidence may have proposed it.
 */
function asksProposal(r: Rollback, mode: Mode, ports: Ports): boolean {
  if (mode === 'propose') return true;
  return (
    mode === 'auto' && ports.proposals !== undefined && r.chain === 1 && r.decision.approval !== undefined
  );
}

/** One service's reconciliation: its report, and whether a watch has anything left to do for it. */
export interface Reconciled {
  report: ServiceReport;
  final: boolean;
}

/** The pin and its history as a PinState: what the repository says, before any metric. */
export function stateOf(
  service: ServicePolicy,
  snap: Snapshot,
  historyLimit: number,
  describe: string,
  /** The read's `since`, where it had one: `historyLimit` then counts only older commits. */
  since?: Date,
  /** `gitops.record_authors`: a rollback record by another author is not pinback's own. */
  recordAuthors?: readonly string[],
): PinState {
  const pin = service.pin!;
  const text = snap.files.get(pin.file);
  if (text === null || text === undefined) {
    throw new ReconcileError(`${service.name}: pin file ${pin.file} does not exist in ${describe}`);
  }
  const located = readPin(text, pin.locator, pin.file);
  const candidate = located.version;
  if (!isValidVersion(candidate)) {
    // Checked before any query: a pin value must never reach PromQL or a URL unvalidated.
    throw new ReconcileError(
      `${service.name}: ${pin.file}:${located.line}:${located.column}: pin value ${quote(candidate)} is not a valid version (letters, digits and . _ - + @ : / only); fix the pin`,
    );
  }
  return pinState({
    service: service.name,
    file: pin.file,
    locator: pin.locator,
    candidate,
    history: snap.history,
    locks: locksIn(snap.files, [service.name]),
    fixedStable: service.stable === 'auto' ? undefined : service.stable,
    complete: snap.historyCut !== true && historyComplete(snap.history, historyLimit, since),
    // A version replaced within minutes never really ran (a sync takes that long): no stable.
    minStableSeconds: service.minStableAgeMs / 1000,
    identity: recordAuthors && { emails: recordAuthors },
    barriers: service.barriers,
  });
}

/** What a service's decision reads: its files at head, and its pin's history back by time. */
export function readRequestOf(service: ServicePolicy, ctx: RunContext, now: Date): ReadRequest {
  const pin = service.pin;
  if (!pin) {
    throw new ReconcileError(
      `${service.name}: no pin: to roll back (a fixed candidate can only be evaluated)`,
    );
  }
  // Read back by time: every change within the guard (and verify) window, however many.
  const since = new Date(now.getTime() - service.guardWindowMs - (service.onRollback.verifyWindowMs ?? 0));
  return { files: filesOf(service), historyOf: pin.file, limit: ctx.historyLimit, since };
}

/** What one service remembers between the attempts of a run: the same question is not asked of the metrics twice. */
export interface Memo {
  question?: { key: string; decision: Decision } | undefined;
}

/**
 * One attempt at one service, from a snapshot read for it (`request`, readRequestOf): derive the
 * phase, measure what the phase asks, decide one next step, and carry it out. `stale` when a
 * commit lost a race: the caller reads again and calls again.
 */
export async function attemptService(
  service: ServicePolicy,
  read: { request: ReadRequest; snap: Snapshot },
  ports: Ports,
  ctx: RunContext,
  memo: Memo,
): Promise<Attempt<Reconciled>> {
  const mode = ctx.mode ?? service.mode;
  if (mode === 'propose' && !ports.proposals) {
    throw new ReconcileError(
      `${service.name}: mode propose opens a pull request: it needs the GitHub Action`,
    );
  }
  const { snap, request } = read;
  const now = ports.now();
  const state = stateOf(
    service,
    snap,
    ctx.historyLimit,
    ports.store.describe(),
    request.since,
    ctx.recordAuthors,
  );
  const phase = phaseOf(service, state, now.getTime());
  const question = questionOf(service, state, phase, now);
  let judgement: Decision | undefined;
  if (question) {
    judgement =
      memo.question?.key === question.key ? memo.question.decision : await question.ask(ports.providers);
    memo.question = { key: question.key, decision: judgement };
  }
  const seen: Seen = { state, phase, judgement, mode };
  let next: Next = decide(service, seen, now.getTime());
  if (next.kind === 'rollback' && asksProposal(next.rollback, mode, ports)) {
    // The proposal's state completes what was seen: an open or rejected one is the answer.
    seen.proposal = await ports.proposals!.find(
      proposalBranch(service.name, idOf(service.name, next.rollback)),
    );
    next = decide(service, seen, now.getTime());
  }
  const planned = plannedReport(service, state, next, now.getTime());
  const final = isFinal(service, next, mode);
  // Dry-run is decided here, once: no executor runs, the report says what would be done.
  if (mode === 'dry-run')
    return { kind: 'done', value: { report: dryRun(service, snap, next, planned), final } };
  const outcome = await execute({ service, ports, ctx, mode, snap, state, planned, now }, next);
  return outcome.kind === 'stale' ? outcome : { kind: 'done', value: { report: outcome.report, final } };
}

/** The message of a service that lost the race for its commit on every attempt. */
export function gaveUp(service: ServicePolicy, ctx: RunContext, store: GitOpsStore): ReconcileError {
  return new ReconcileError(
    `${service.name}: gave up after ${ctx.attempts} attempts: the branch of ${store.describe()} kept moving`,
  );
}

/**
 * One service end to end, alone: read, attempt, and read again after a lost race. A run over many
 * services reads them together instead (run.ts).
 */
export async function reconcileService(
  service: ServicePolicy,
  ports: Ports,
  ctx: RunContext,
): Promise<Reconciled> {
  const memo: Memo = {};
  return untilLanded<Reconciled>(
    ctx.attempts,
    async () => {
      const request = readRequestOf(service, ctx, ports.now());
      const snap = await ports.store.read(request);
      return attemptService(service, { request, snap }, ports, ctx, memo);
    },
    () => gaveUp(service, ctx, ports.store),
  );
}
