import { readAuditRecord } from '../history/trailers.js';
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
    return snap.history.flatMap((h): AuditEntry[] => {
      const r = readAuditRecord(h.message);
      if (!r || r.service !== s.name) return [];
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
  });
  const seen = new Set<string>();
  return perService
    .flat()
    .filter((e) => !seen.has(e.commit) && seen.add(e.commit))
    .sort((a, b) => b.time.localeCompare(a.time));
}

export function auditTable(entries: AuditEntry[]): string {
  if (entries.length === 0) return 'no rollbacks recorded';
  return table(
    ['time', 'service', 'from', 'to', 'reason', 'commit', 'id'],
    entries.map((e) => [e.time, e.service, e.from, e.to, e.reason, e.commit.slice(0, 12), e.id]),
  );
}
