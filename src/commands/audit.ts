import { type AuditRecord, type CheckedRecord, readAuditRecord } from '../history/trailers.js';
import type { HistoryEntry } from '../history/entry.js';
import { checkRecords } from '../history/pin-state.js';
import { LEGACY_LOCK_FILE, LOCK_DIR, lockFileOf, lockFor, parseLocks } from '../history/locks.js';
import { mapBounded } from '../concurrency.js';
import type { Policy } from '../config/policy.js';
import type { GitOpsStore } from '../gitops/store.js';
import { table } from '../incident/markdown.js';
import { matchesTerms, selectServices } from '../config/select.js';

export interface AuditEntry {
  service: string;
  kind: 'rollback' | 'release';
  from: string;
  to: string;
  reason: string;
  stage: string;
  time: string;
  commit: string;
  id: string;
  actor: string;
  run: string | null;
  evidence: string[];
  /**
   * Whether the record checked out as pinback's own. Trailers are text anyone can write (a squash
   * merge pastes them from a pull request's body): an untrusted record is listed, never counted.
   */
  trusted: boolean;
  /** Why the record is not trusted; null when it is. */
  untrusted_reason: string | null;
}

/** One entry per checked record of a history read (`records[i]` is that of `history[i]`). */
function entriesOf(
  history: readonly HistoryEntry[],
  records: readonly (CheckedRecord | undefined)[],
): AuditEntry[] {
  return history.flatMap((h, i): AuditEntry[] => {
    const r = records[i];
    if (!r) return [];
    return [
      {
        service: r.service,
        kind: r.kind,
        from: r.from,
        to: r.to,
        reason: r.reason,
        stage: r.stage,
        time: new Date(h.time * 1000).toISOString(),
        commit: h.sha,
        id: r.id,
        actor: r.actor,
        run: r.run ?? null,
        evidence: r.evidence,
        trusted: r.untrusted === undefined,
        untrusted_reason: r.untrusted ?? null,
      },
    ];
  });
}

/**
 * One entry per commit, newest first; within one second, by service (one order whatever was read).
 * A commit read twice (it changed both lock files) is trusted where either read trusts it.
 */
function newestFirst(entries: readonly AuditEntry[]): AuditEntry[] {
  const byCommit = new Map<string, AuditEntry>();
  for (const e of entries) {
    const had = byCommit.get(e.commit);
    if (had === undefined || (!had.trusted && e.trusted)) byCommit.set(e.commit, e);
  }
  return [...byCommit.values()].sort(
    (a, b) => b.time.localeCompare(a.time) || a.service.localeCompare(b.service),
  );
}

/**
 * Why a record read from a lock file's history (`history`, newest first, with texts) is not
 * pinback's own; undefined when it checks out. Without a policy the pin file is unknown, so the id
 * cannot be recomputed from the pin (checkRecords does that with one): what is checked is the
 * lock a locking rollback adds in the same commit, the lock of `from` under the record's id,
 * present after the commit and absent before it (where the history read reaches before it).
 */
function lockDoubt(
  r: AuditRecord,
  sha: string,
  history: readonly HistoryEntry[],
  file: string,
): string | undefined {
  if (r.kind !== 'rollback') return 'a release changes no lock file: it is checked only with a policy';
  const at = history.findIndex((h) => h.sha === sha);
  if (at === -1) return `the commit changed no lock of ${r.service} in ${file}`;
  const lockAt = (text: string | null) => {
    try {
      const lock = lockFor(parseLocks(text, file), r.service, r.from);
      return lock?.rollback_id === r.id ? lock : undefined;
    } catch {
      return undefined;
    }
  };
  if (!lockAt(history[at]!.text)) {
    return `the commit leaves no lock of ${r.service} ${r.from} under rollback ${r.id} in ${file}`;
  }
  const before = history[at + 1];
  if (before && lockAt(before.text)) {
    return `the lock of ${r.service} ${r.from} under rollback ${r.id} was in ${file} before the commit`;
  }
  return undefined;
}

/** Rollback history read back from the trailers of each service's pin history, newest first. */
export async function audit(
  policy: Policy,
  store: GitOpsStore,
  terms?: readonly string[],
  limit = 200,
): Promise<AuditEntry[]> {
  const services = selectServices(policy, { terms }).filter((s) => s.pin);
  // One read for all services: the pin histories come from one walk of the repository.
  const snaps = await store.readAll(services.map((s) => ({ files: [], historyOf: s.pin!.file, limit })));
  const identity = policy.gitops?.recordAuthors && { emails: policy.gitops.recordAuthors };
  const perService = services.map((s, i) => {
    const snap = snaps[i]!;
    const records = checkRecords({
      service: s.name,
      file: s.pin!.file,
      locator: s.pin!.locator,
      history: snap.history,
      complete: snap.historyCut !== true && snap.history.length < limit,
      identity,
    });
    return entriesOf(snap.history, records);
  });
  return newestFirst(perService.flat());
}

/**
 * Rollback history without a policy: the trailers carry the service, the versions and the reason,
 * and the pin files are unknown, so the commits read are those that changed a lock file: the
 * per-service lock directory (`.pinback/locks`, read as a directory: its history is every commit
 * that changed a file in it) and the legacy `.pinback/locks.yaml`, for rollbacks made before the
 * lock files were split. Every rollback that locks its candidate (`lock_candidate`, the default)
 * changes one; a rollback with `lock_candidate: false`, a second rollback of a version still
 * locked, and a kill switch's release do not, and are listed only with the policy (`audit`).
 * Without the pin, a record is trusted when its commit added the lock it names (lockDoubt): the
 * history of each listed service's own lock file is read for the texts, the legacy file's already
 * has them.
 */
export async function auditRepository(
  store: GitOpsStore,
  terms?: readonly string[],
  limit = 200,
): Promise<AuditEntry[]> {
  // Globs work here, rather than being refused: without a policy the services known are those the
  // records name, and matching the terms against them lists the same rollbacks as `audit` with a
  // policy does for the same `--service 'api-*'`. A term that matches no record is no error (unlike
  // selectServices): there is no list of services to check it against, and "no rollbacks
  // recorded" is an answer, as it is for a name today.
  const wanted = terms?.length ? matchesTerms(terms) : undefined;
  const read = async (historyOf: string) => (await store.read({ files: [], historyOf, limit })).history;
  const [dir, legacy] = [await read(LOCK_DIR), await read(LEGACY_LOCK_FILE)];
  const recordsOf = (history: readonly HistoryEntry[]) =>
    history.map((h) => {
      const r = readAuditRecord(h.message);
      return r && (wanted === undefined || wanted(r.service)) ? r : undefined;
    });
  const [inDir, inLegacy] = [recordsOf(dir), recordsOf(legacy)];
  // The lock directory's history names the commits; each service's own file gives the texts.
  const services = [...new Set(inDir.flatMap((r) => (r ? [r.service] : [])))];
  const own = new Map(await mapBounded(services, 4, async (s) => [s, await read(lockFileOf(s))] as const));
  /** The records of one history, checked against the lock file each one's service writes to. */
  const check = (
    history: readonly HistoryEntry[],
    records: readonly (AuditRecord | undefined)[],
    lockFile: (r: AuditRecord) => { file: string; history: readonly HistoryEntry[] },
  ) =>
    records.map((r, i): CheckedRecord | undefined => {
      if (!r) return undefined;
      const { file, history: locks } = lockFile(r);
      return { ...r, untrusted: lockDoubt(r, history[i]!.sha, locks, file) };
    });
  const entries = [
    ...entriesOf(
      dir,
      check(dir, inDir, (r) => ({ file: lockFileOf(r.service), history: own.get(r.service) ?? [] })),
    ),
    ...entriesOf(
      legacy,
      check(legacy, inLegacy, () => ({ file: LEGACY_LOCK_FILE, history: legacy })),
    ),
  ];
  // Each history gave its newest `limit`: the newest `limit` of both are among them.
  return newestFirst(entries).slice(0, limit);
}

export function auditTable(entries: AuditEntry[]): string {
  if (entries.length === 0) return 'no rollbacks recorded';
  return table(
    ['time', 'service', 'from', 'to', 'reason', 'commit', 'id', 'trusted'],
    entries.map((e) => [
      e.time,
      e.service,
      e.from,
      e.to,
      e.reason,
      e.commit.slice(0, 12),
      e.id,
      e.trusted ? 'yes' : `no: ${(e.untrusted_reason ?? '').replace(/\|/g, '\\|')}`,
    ]),
  );
}
