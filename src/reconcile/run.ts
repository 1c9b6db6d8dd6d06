import { mapBounded } from '../concurrency.js';
import type { ServicePolicy } from '../config/policy.js';
import { GroupCommitStore } from '../gitops/group-commit.js';
import type { GitOpsStore, ReadRequest, Snapshot } from '../gitops/store.js';
import type { Report, ServiceReport } from '../report.js';
import { decisionRecords } from '../records/decision.js';
import { DEFAULT_RUN, type Ports, type RunContext } from './ports.js';
import { attemptService, gaveUp, type Memo, readRequestOf } from './service.js';

export interface RunResult {
  report: Report;
  /** Services that could not be reconciled, with a message for people. */
  failures: { service: string; message: string }[];
  /** Services a watch has nothing more to do for (recovered, escalated, proposed, rolled back for good). */
  final: string[];
}

export type RunOptions = Omit<RunContext, 'attempts' | 'historyLimit'> & Partial<RunContext>;

/**
 * Services judged at once. Their metrics queries are bounded per provider (metrics/bounded.ts), so
 * this only bounds how many decisions are held in memory together; the git store is read once
 * per round for all of them, so no service waits on another's read.
 */
export const SERVICE_CONCURRENCY = 64;

/** A service still to be reconciled, and what it remembers between rounds. */
interface Pending {
  index: number;
  service: ServicePolicy;
  memo: Memo;
}

/**
 * Each service's snapshot from ONE read of the repository (GitOpsStore.readAll). Where that read
 * fails as a whole, each service is read alone, so that one service's broken file fails that
 * service only.
 */
async function readRound(
  store: GitOpsStore,
  requests: readonly (ReadRequest | Error)[],
): Promise<(Snapshot | Error)[]> {
  const valid = requests.flatMap((r, i) => (r instanceof Error ? [] : [{ r, i }]));
  const out: (Snapshot | Error)[] = requests.map((r) => (r instanceof Error ? r : new Error('not read')));
  try {
    const snaps = await store.readAll(valid.map((v) => v.r));
    valid.forEach((v, k) => {
      out[v.i] = snaps[k]!;
    });
  } catch {
    await mapBounded(valid, 4, async (v) => {
      out[v.i] = await store.read(v.r).catch((e: unknown) => e as Error);
    });
  }
  return out;
}

/**
 * Reconciles the services (chosen by `selectServices`, as every command does) in rounds: one read
 * of the repository for all of them, every decision concurrently, and the commits they ask for
 * written together (GroupCommitStore). A service whose commit lost a race is read again in the
 * next round with the others that did. A failing service is reported and does not stop the
 * others; the exit code says something failed.
 */
export async function run(
  services: readonly ServicePolicy[],
  ports: Ports,
  ctx: RunOptions,
): Promise<RunResult> {
  const failures: RunResult['failures'] = [];
  const full: RunContext = {
    ...DEFAULT_RUN,
    ...ctx,
    // A service of one run can be made stale by another's commit to a file both read, once each.
    attempts: (ctx.attempts ?? DEFAULT_RUN.attempts) + services.length,
  };
  const shared: Ports = { ...ports, store: new GroupCommitStore(ports.store) };
  const reports: (ServiceReport | undefined)[] = services.map(() => undefined);
  const finals = new Set<number>();
  let pending: Pending[] = services.map((service, index) => ({ index, service, memo: {} }));
  const fail = (p: Pending, e: unknown) =>
    failures.push({ service: p.service.name, message: (e as Error).message });

  for (let round = 1; pending.length > 0; round++) {
    if (round > full.attempts) {
      for (const p of pending) fail(p, gaveUp(p.service, full, ports.store));
      break;
    }
    const now = ports.now();
    const requests = pending.map((p) => {
      try {
        return readRequestOf(p.service, full, now);
      } catch (e) {
        return e as Error;
      }
    });
    const snaps = await readRound(shared.store, requests);
    const stale = await mapBounded(pending, SERVICE_CONCURRENCY, async (p, i) => {
      const snap = snaps[i]!;
      const request = requests[i]!;
      try {
        if (snap instanceof Error) throw snap;
        if (request instanceof Error) throw request;
        const outcome = await attemptService(p.service, { request, snap }, shared, full, p.memo);
        if (outcome.kind === 'stale') return p;
        reports[p.index] = outcome.value.report;
        if (outcome.value.final) finals.add(p.index);
      } catch (e) {
        fail(p, e);
      }
      return undefined;
    });
    pending = stale.filter((p) => p !== undefined);
  }
  // Failures in the order of the services, as a run over them one by one would list them.
  const order = new Map(services.map((s, i) => [s.name, i]));
  failures.sort((a, b) => order.get(a.service)! - order.get(b.service)!);
  const done = reports.filter((r) => r !== undefined);
  if (ports.decisions) {
    // Recorded once the run has acted: a failure status links the rollback commit and incident.
    const records = decisionRecords(done, ports.now(), ctx.runUrl);
    await ports.decisions
      .record(records)
      .catch((e: unknown) =>
        ports.warn?.(`the decisions of this run were not recorded: ${(e as Error).message}`),
      );
  }
  return {
    report: { version: 1, services: done },
    failures,
    final: services.filter((_, i) => finals.has(i)).map((s) => s.name),
  };
}
