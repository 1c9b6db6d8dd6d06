import type { ServicePolicy } from '../config/policy.js';
import { locksIn } from '../history/locks.js';
import { type PinState, pinState } from '../history/pin-state.js';
import type { Snapshot } from '../gitops/store.js';
import { quote } from '../pins/errors.js';
import { isValidVersion, readPin } from '../pins/index.js';
import type { Decision } from '../policy/types.js';
import type { ServiceReport } from '../report.js';
import { execute } from './act/index.js';
import { filesOf } from './changes.js';
import { decide, idOf, isFinal, type Next, proposalBranch, type Seen } from './decide.js';
import { questionOf } from './measure.js';
import { phaseOf } from './phase.js';
import { plannedReport } from './planned.js';
import { type Ports, ReconcileError, type RunContext } from './ports.js';
import { untilLanded } from './retry.js';

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
    complete: snap.history.length < historyLimit,
    // A version replaced within minutes never really ran (a sync takes that long): no stable.
    minStableSeconds: service.minStableAgeMs / 1000,
  });
}

/**
 * One service end to end: read (pin, history, locks), derive the phase, measure what the phase
 * asks, decide one next step, and carry it out. A commit that loses a race reads and decides again.
 */
export async function reconcileService(
  service: ServicePolicy,
  ports: Ports,
  ctx: RunContext,
): Promise<Reconciled> {
  const pin = service.pin;
  if (!pin) {
    throw new ReconcileError(
      `${service.name}: no pin: to roll back (a fixed candidate can only be evaluated)`,
    );
  }
  const mode = ctx.mode ?? service.mode;
  if (mode === 'propose' && !ports.proposals) {
    throw new ReconcileError(
      `${service.name}: mode propose opens a pull request: it needs the GitHub Action`,
    );
  }
  const files = filesOf(service);
  // The same question after a lost race is not asked of the metrics twice.
  let memo: { key: string; decision: Decision } | undefined;

  return untilLanded<Reconciled>(
    ctx.attempts,
    async () => {
      const snap = await ports.store.read({ files, historyOf: pin.file, limit: ctx.historyLimit });
      const state = stateOf(service, snap, ctx.historyLimit, ports.store.describe());
      const now = ports.now();
      const phase = phaseOf(service, state, now.getTime());
      const question = questionOf(service, state, phase, now);
      let judgement: Decision | undefined;
      if (question) {
        judgement = memo?.key === question.key ? memo.decision : await question.ask(ports.providers);
        memo = { key: question.key, decision: judgement };
      }
      const seen: Seen = { state, phase, judgement };
      let next: Next = decide(service, seen, now.getTime());
      if (next.kind === 'rollback' && mode === 'propose') {
        // The proposal's state completes what was seen: an open or rejected one is the answer.
        seen.proposal = await ports.proposals!.find(
          proposalBranch(service.name, idOf(service.name, next.rollback)),
        );
        next = decide(service, seen, now.getTime());
      }
      const planned = plannedReport(service, state, next, now.getTime());
      const final = isFinal(service, next, mode);
      // Dry-run is decided here, once: no executor runs, the report says what would be done.
      if (mode === 'dry-run') return { kind: 'done', value: { report: planned, final } };
      const outcome = await execute({ service, ports, ctx, mode, snap, state, planned, now }, next);
      return outcome.kind === 'stale' ? outcome : { kind: 'done', value: { report: outcome.report, final } };
    },
    () =>
      new ReconcileError(
        `${service.name}: gave up after ${ctx.attempts} attempts: the branch of ${ports.store.describe()} kept moving`,
      ),
  );
}
