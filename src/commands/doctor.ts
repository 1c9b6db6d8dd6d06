/**
 * `pinback doctor` (and the Action's `mode: doctor`): the readiness self-check. Reads what the
 * checks need (the GitOps repository in ONE readAll, each trigger's current traffic from its
 * provider, the token's access through a port) and hands it to the pure checks in src/doctor/.
 * Never writes.
 */
import { mapBounded } from '../concurrency.js';
import type { Policy, ServicePolicy, TriggerQuery } from '../config/policy.js';
import { type Selection, selectServices } from '../config/select.js';
import { type CheckResult, notChecked } from '../doctor/checks.js';
import { evidenceCheck, type TrafficView, type TriggerTraffic } from '../doctor/evidence-check.js';
import { type DoctorReport, doctorReport, readiness } from '../doctor/readiness.js';
import {
  killSwitchCheck,
  lockCandidateCheck,
  notifyCriticalCheck,
  ownersCheck,
  type PolicyShape,
  verifyCheck,
} from '../doctor/settings-checks.js';
import { type RepositoryView, stableCheck } from '../doctor/stable-check.js';
import { type AccessNeed, tokenCheck } from '../doctor/token-check.js';
import type { GitOpsStore, ReadRequest, Snapshot } from '../gitops/store.js';
import { LEGACY_LOCK_FILE, lockFilesOf, locksIn } from '../history/locks.js';
import type { MeasurePart, MetricsProvider } from '../metrics/provider.js';
import type { Observation } from '../policy/types.js';
import { cleanCause } from '../redact.js';
import { filesOf } from '../reconcile/changes.js';
import { DEFAULT_RUN } from '../reconcile/ports.js';
import { stateOf } from '../reconcile/service.js';

/** Current traffic is read over the last hour, or the guard window where it is shorter. */
export const TRAFFIC_LOOKBACK_MS = 3_600_000;

export interface DoctorPorts {
  /** The GitOps repository, where one was given and opened; else `unread` says why not. */
  store: GitOpsStore | undefined;
  unread: string;
  providers: ReadonlyMap<string, MetricsProvider>;
  now: Date;
  /** Where a service writes and what the backend says of the token there (GitHub, the file system). */
  access: (service: ServicePolicy) => Promise<AccessNeed[]>;
  selection?: Selection | undefined;
  historyLimit?: number | undefined;
  /** Aborts the traffic queries (a provider that hangs must not hang the doctor). */
  signal?: AbortSignal | undefined;
}

function requestOf(s: ServicePolicy, now: Date, limit: number): ReadRequest {
  if (!s.pin) {
    const files = [
      ...lockFilesOf(s.name),
      ...(s.onRollback.killSwitch ? [s.onRollback.killSwitch.file] : []),
    ];
    return { files, historyOf: LEGACY_LOCK_FILE, limit: 0 };
  }
  // As `run` reads it: every change within the guard and verify windows, then `limit` older ones.
  const since = new Date(now.getTime() - s.guardWindowMs - (s.onRollback.verifyWindowMs ?? 0));
  return { files: filesOf(s), historyOf: s.pin.file, limit, since };
}

async function readRepository(
  policy: Policy,
  services: readonly ServicePolicy[],
  p: DoctorPorts,
): Promise<Map<string, { view: RepositoryView; files?: ReadonlyMap<string, string | null> }>> {
  const out = new Map<string, { view: RepositoryView; files?: ReadonlyMap<string, string | null> }>();
  const unread = (reason: string) => {
    for (const s of services) out.set(s.name, { view: { kind: 'unread', reason } });
    return out;
  };
  if (!p.store) return unread(p.unread);
  const limit = p.historyLimit ?? DEFAULT_RUN.historyLimit;
  const requests = services.map((s) => requestOf(s, p.now, limit));
  let snaps: Snapshot[];
  try {
    snaps = await p.store.readAll(requests);
  } catch (e) {
    return unread(`reading ${p.store.describe()} failed: ${(e as Error).message}`);
  }
  const where = p.store.describe();
  services.forEach((s, i) => {
    const snap = snaps[i]!;
    try {
      const view: RepositoryView = s.pin
        ? {
            kind: 'pinned',
            state: stateOf(s, snap, limit, where, requests[i]!.since, policy.gitops?.recordAuthors),
            where,
          }
        : { kind: 'locks', locks: locksIn(snap.files, [s.name]), where };
      out.set(s.name, { view, files: snap.files });
    } catch (e) {
      out.set(s.name, { view: { kind: 'broken', problem: (e as Error).message }, files: snap.files });
    }
  });
  return out;
}

/** The part of a trigger that counts its evidence: all requests, all observations, every bucket. */
const EVIDENCE_PART = { ratio: 'total', mean: 'count', histogram: 'buckets', value: 'value' } as const;

/**
 * The version serving now (the pinned one, else a fixed candidate, else a fixed stable) and the
 * stable beside it, for queries that name `{{stable_version}}`.
 */
function currentVersions(
  s: ServicePolicy,
  view: RepositoryView,
): { version: string | undefined; stable: string | undefined } {
  const fixedStable = s.stable === 'auto' ? undefined : s.stable;
  if (view.kind === 'pinned') return { version: view.state.candidate, stable: view.state.stable };
  return { version: s.candidate ?? fixedStable, stable: s.candidate === undefined ? undefined : fixedStable };
}

async function readTraffic(
  s: ServicePolicy,
  { version, stable }: { version: string | undefined; stable: string | undefined },
  p: DoctorPorts,
  why: string,
): Promise<TrafficView> {
  if (version === undefined) return { kind: 'unread', reason: `no version to read the traffic of: ${why}` };
  const lookbackMs = Math.min(TRAFFIC_LOOKBACK_MS, s.guardWindowMs);
  const end = p.now;
  const ask = async (q: TriggerQuery): Promise<TriggerTraffic> => {
    const rule = s.rule.triggers.find((t) => t.name === q.name);
    const part = EVIDENCE_PART[rule?.measure.kind ?? 'value'];
    const partQuery = q.parts.find((x) => x.part === part);
    const provider = p.providers.get(q.provider);
    if (!rule || !partQuery || !provider) {
      const cause = !provider ? `no provider "${q.provider}"` : `no ${part} query`;
      return { trigger: q.name, answer: { kind: 'no_data', cause } };
    }
    const counts = part !== 'value';
    const answer: Observation = await provider.query(
      {
        service: s.name,
        stage: s.stage,
        trigger: q.name,
        version,
        stableVersion: stable,
        query: counts ? partQuery.query : q.query,
        windowMs: q.windowMs,
        // Counts over the lookback (the rate); a single query over its own window, as it is judged.
        start: counts ? new Date(end.getTime() - lookbackMs) : undefined,
        end,
        args: q.args,
        reduce: q.reduce,
        stepMs: q.stepMs,
        part: counts ? (part as MeasurePart) : undefined,
        groupBy: partQuery.groupBy,
      },
      p.signal,
    );
    return {
      trigger: q.name,
      answer: answer.kind === 'no_data' ? { kind: 'no_data', cause: cleanCause(answer.cause) } : answer,
    };
  };
  return {
    kind: 'read',
    version,
    lookbackMs,
    endMs: end.getTime(),
    triggers: await Promise.all(s.queries.map(ask)),
  };
}

/** One service's eight checks. */
async function checksOf(
  policy: Policy,
  s: ServicePolicy,
  repo: { view: RepositoryView; files?: ReadonlyMap<string, string | null> },
  p: DoctorPorts,
): Promise<CheckResult[]> {
  const shape: PolicyShape = { seed: policy.seed === true };
  const why = repo.view.kind === 'unread' ? repo.view.reason : 'the pin could not be read';
  const [traffic, access] = await Promise.all([
    readTraffic(s, currentVersions(s, repo.view), p, why),
    p.access(s).catch((e: unknown) => e as Error),
  ]);
  return [
    stableCheck(s, shape, repo.view),
    lockCandidateCheck(s, shape),
    killSwitchCheck(s, shape, repo.files),
    verifyCheck(s, shape),
    ownersCheck(s, shape),
    notifyCriticalCheck(s, shape),
    evidenceCheck(s, shape, traffic),
    access instanceof Error
      ? notChecked('token', `could not ask: ${cleanCause(access.message)}`)
      : tokenCheck(access),
  ];
}

/** The readiness of every selected service; reads, never writes. */
export async function doctor(policy: Policy, p: DoctorPorts): Promise<DoctorReport> {
  const services = selectServices(policy, p.selection);
  const repos = await readRepository(policy, services, p);
  const rows = await mapBounded(services, 16, async (s) =>
    readiness(
      { name: s.name, stage: s.stage },
      await checksOf(policy, s, repos.get(s.name)!, p),
      policy.doctor,
    ),
  );
  return doctorReport(rows, policy.doctor);
}
