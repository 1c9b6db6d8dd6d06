import { type AuditRecord, readAuditRecord } from '../history/trailers.js';
import type { HistoryEntry } from '../history/entry.js';
import { LEGACY_LOCK_FILE, LOCK_DIR } from '../history/locks.js';
import { mapBounded } from '../concurrency.js';
import type { Policy } from '../config/policy.js';
import type { GitOpsStore } from '../gitops/store.js';
import { table } from '../incident/markdown.js';
import { selectServices } from '../config/select.js';

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
}

/** Commits of a history read whose trailers are a pinback record `keep` accepts. */
function entriesOf(history: readonly HistoryEntry[], keep: (r: AuditRecord) => boolean): AuditEntry[] {
  return history.flatMap((h): AuditEntry[] => {
    const r = readAuditRecord(h.message);
    if (!r || !keep(r)) return [];
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
      },
    ];
  });
}

/** One entry per commit, newest first; within one second, by service (one order whatever was read). */
function newestFirst(entries: readonly AuditEntry[]): AuditEntry[] {
  const seen = new Set<string>();
  return entries
    .filter((e) => !seen.has(e.commit) && seen.add(e.commit))
    .sort((a, b) => b.time.localeCompare(a.time) || a.service.localeCompare(b.service));
}

/** Rollback history read back from the trailers of each service's pin history, newest first. */
export async function audit(
  policy: Policy,
  store: GitOpsStore,
  names?: readonly string[],
  limit = 200,
): Promise<AuditEntry[]> {
  const services = selectServices(policy, names).filter((s) => s.pin);
  const perService = await mapBounded(services, 4, async (s) => {
    const snap = await store.read({ files: [], historyOf: s.pin!.file, limit });
    return entriesOf(snap.history, (r) => r.service === s.name);
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
 */
export async function auditRepository(
  store: GitOpsStore,
  names?: readonly string[],
  limit = 200,
): Promise<AuditEntry[]> {
  const wanted = names?.length ? new Set(names) : undefined;
  const read = async (historyOf: string) => (await store.read({ files: [], historyOf, limit })).history;
  const history = [...(await read(LOCK_DIR)), ...(await read(LEGACY_LOCK_FILE))];
  const entries = entriesOf(history, (r) => wanted === undefined || wanted.has(r.service));
  // Each history gave its newest `limit`: the newest `limit` of both are among them.
  return newestFirst(entries).slice(0, limit);
}

export function auditTable(entries: AuditEntry[]): string {
  if (entries.length === 0) return 'no rollbacks recorded';
  return table(
    ['time', 'service', 'from', 'to', 'reason', 'commit', 'id'],
    entries.map((e) => [e.time, e.service, e.from, e.to, e.reason, e.commit.slice(0, 12), e.id]),
  );
}
