import { mapBounded } from '../concurrency.js';
import { UsageError } from '../config/errors.js';
import type { Policy, ServicePolicy } from '../config/policy.js';
import { type Selection, selectServices } from '../config/select.js';
import type { GitOpsStore, ReadRequest, Snapshot } from '../gitops/store.js';
import { lockFilesOf } from '../history/locks.js';
import type { PinState } from '../history/pin-state.js';
import type { MetricsProvider } from '../metrics/provider.js';
import type { Decision } from '../policy/types.js';
import { questionOf } from '../reconcile/measure.js';
import { judge } from '../reconcile/observe.js';
import { type Phase, phaseOf } from '../reconcile/phase.js';
import { barrierDetail, minutes, reportBarrier } from '../reconcile/planned.js';
import { DEFAULT_RUN } from '../reconcile/ports.js';
import { SERVICE_CONCURRENCY } from '../reconcile/run.js';
import { stateOf } from '../reconcile/service.js';
import { type Report, type ServiceReport, serviceReport } from '../report.js';

export interface EvaluateOptions {
  providers: ReadonlyMap<string, MetricsProvider>;
  now: Date;
  /** `--candidate` / `--stable`: override the pins and the policy. */
  candidate?: string | undefined;
  stable?: string | undefined;
  /** `--since`: the candidate's deploy; count-aware triggers are read, and tested, from then on. */
  since?: Date | undefined;
  /** The services judged (`--service`, `--shard`); none: every service. */
  selection?: Selection | undefined;
  /**
   * `--gitops`: where each pinned service's candidate, stable and pin commit are read, as `run`
   * reads them. Only read: no lock, no commit.
   */
  store?: GitOpsStore | undefined;
  /** Commits of a pin's history read (as `run`). */
  historyLimit?: number | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Decisions only: never writes; reads the GitOps repository only when given one (`store`). */
export async function evaluate(policy: Policy, o: EvaluateOptions): Promise<Report> {
  const services = selectServices(policy, o.selection);
  const limit = o.historyLimit ?? DEFAULT_RUN.historyLimit;
  const pinned = o.store ? services.filter((s) => s.pin) : [];
  // One read of the repository for every pinned service, as `run` reads them.
  const snaps = new Map<string, Snapshot>();
  if (o.store && pinned.length > 0) {
    const read = await o.store.readAll(pinned.map((s) => requestOf(s, limit)));
    pinned.forEach((s, i) => snaps.set(s.name, read[i]!));
  }
  const reports = await mapBounded(services, SERVICE_CONCURRENCY, (service) => {
    const snap = snaps.get(service.name);
    return snap ? fromPin(service, snap, o.store!.describe(), limit, policy, o) : fixed(service, o);
  });
  return { version: 1, services: reports };
}

function requestOf(service: ServicePolicy, limit: number): ReadRequest {
  const pin = service.pin!;
  return { files: [pin.file, ...lockFilesOf(service.name)], historyOf: pin.file, limit };
}

/** Versions from the flags or the policy: today's evaluate, where no pin is read. */
async function fixed(service: ServicePolicy, o: EvaluateOptions): Promise<ServiceReport> {
  const candidate = o.candidate ?? service.candidate;
  const stable = o.stable ?? (service.stable === 'auto' ? undefined : service.stable);
  if (!candidate) {
    const hint = !service.pin
      ? 'pass --candidate VERSION (it has no pin to read it from)'
      : 'pass --candidate VERSION, or --gitops PATH|URL to read it from the pin as pinback run does';
    throw new UsageError(`service ${service.name}: no candidate version: ${hint}`);
  }
  const decision = await judge(
    service,
    { candidate, stable },
    { providers: o.providers, end: o.now, since: o.since, deployedAt: o.since },
  );
  return serviceReport(
    { service: service.name, stage: service.stage, from: candidate, to: stable ?? null },
    decision,
  );
}

/**
 * The pin's candidate and stable judged as `run` would judge them now: a candidate inside its guard
 * window since its pin commit, a rollback being verified by the stable alone since the rollback.
 * Where `run` asks the metrics nothing (settled, standing, locked, unknown deploy), the candidate
 * is judged against the stable over the trigger windows, and `detail` says why `run` would not.
 */
async function fromPin(
  service: ServicePolicy,
  snap: Snapshot,
  describe: string,
  limit: number,
  policy: Policy,
  o: EvaluateOptions,
): Promise<ServiceReport> {
  const read = stateOf(service, snap, limit, describe, undefined, policy.gitops?.recordAuthors);
  // Another candidate than the pinned one has no pin commit here: it is judged from the flags alone.
  const other = o.candidate !== undefined && o.candidate !== read.candidate;
  const state: PinState = {
    ...read,
    ...(other
      ? {
          candidate: o.candidate!,
          pinnedBy: undefined,
          rolledBackBy: undefined,
          previous: undefined,
          locked: undefined,
        }
      : {}),
    ...(o.stable !== undefined ? { stable: o.stable } : {}),
  };
  const base = {
    service: service.name,
    stage: service.stage,
    from: state.candidate,
    to: state.stable ?? null,
  };
  const now = o.now;
  const phase = phaseOf(service, state, now.getTime());
  // `--since` names the deploy: the pin commit's time gives way to it.
  const question = o.since === undefined ? questionOf(service, state, phase, now) : undefined;
  if (question) {
    const decision = await question.ask(o.providers);
    if (phase.kind === 'verifying') {
      const r = phase.rollback;
      return serviceReport({ ...base, to: null }, decision, {
        detail: `verifying the rollback from ${r.from} at ${iso(r.time * 1000)}: ${state.candidate} judged alone since then`,
      });
    }
    return (
      barrierReport(base, decision, state) ??
      serviceReport(base, decision, {
        detail: `pinned at ${iso(state.pinnedBy!.time * 1000)}: judged since then`,
      })
    );
  }
  const deployedAt = o.since ?? (state.pinnedBy ? new Date(state.pinnedBy.time * 1000) : undefined);
  const decision = await judge(
    service,
    { candidate: state.candidate, stable: state.stable },
    { providers: o.providers, end: now, since: o.since, deployedAt },
  );
  const barred = barrierReport(base, decision, state);
  if (barred) return barred;
  const why =
    o.since === undefined
      ? unjudged(service, state, phase, other ? read.candidate : undefined, limit)
      : undefined;
  return serviceReport(base, decision, why ? { detail: why } : {});
}

/** A stop `run` would escalate at a migration barrier names no version to go to, here as there. */
function barrierReport(
  base: Parameters<typeof serviceReport>[0],
  decision: Decision,
  state: PinState,
): ServiceReport | undefined {
  if (decision.decision !== 'stop' || !state.barrier) return undefined;
  const report = serviceReport({ ...base, to: null }, decision, {
    reason: 'migration_barrier',
    detail: barrierDetail(state.candidate, decision, state.barrier, false),
  });
  return { ...report, barrier: reportBarrier(state.barrier) };
}

/** Why `run` would ask the metrics nothing now, for the report's detail. */
function unjudged(
  service: ServicePolicy,
  state: PinState,
  phase: Phase,
  pinned: string | undefined,
  limit: number,
): string | undefined {
  const windows = 'judged over the trigger windows';
  if (pinned !== undefined) return `${state.candidate} is not the pinned version (${pinned}): ${windows}`;
  if (state.locked) {
    return `${state.candidate} is locked (rollback ${state.locked.rollback_id}): pinback run reverts it without a judgement`;
  }
  switch (phase.kind) {
    case 'settled':
      return `pinned at ${iso(phase.pinnedAt)}, past its ${minutes(service.guardWindowMs)} guard window: pinback run would not act; ${windows}`;
    case 'standing':
      return `rolled back from ${phase.rollback.from} at ${iso(phase.rollback.time * 1000)}: the rollback stands; ${windows}`;
    case 'unknown_deploy':
      return `the commit that pinned ${state.candidate} is older than the ${limit} commits read: ${windows}`;
    default:
      return undefined;
  }
}
