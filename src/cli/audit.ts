import { existsSync } from 'node:fs';
import { audit, auditRepository, auditTable, type AuditEntry } from '../commands/audit.js';
import { UsageError } from '../config/errors.js';
import { loadPolicy } from '../config/load.js';
import { openCliStore } from '../gitops/open.js';
import type { Values } from './args.js';
import { DEFAULT_CONFIG } from './options.js';
import { using, withStore } from './store.js';

/**
 * `pinback audit`: with a policy (`-c FILE`, or the default file where it exists), each pin's
 * history; without one, the repository given by `--gitops` alone, from the trailers.
 */
export async function auditCommand(v: Values): Promise<number> {
  const file = v.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  let entries: AuditEntry[];
  if (file !== undefined) {
    const policy = await loadPolicy(file);
    entries = await withStore(policy, v, (store) => audit(policy, store, v.service));
  } else {
    if (v.gitops === undefined) {
      throw new UsageError(
        `pinback audit needs the GitOps repository: pass --gitops PATH|URL (the rollback commits' trailers say the rest), or -c FILE for a policy that names it (there is no ${DEFAULT_CONFIG} here)`,
      );
    }
    entries = await using(await openCliStore(v.gitops, v.branch), (store) =>
      auditRepository(store, v.service),
    );
  }
  process.stdout.write(
    v.json ? `${JSON.stringify({ version: 1, rollbacks: entries }, null, 2)}\n` : `${auditTable(entries)}\n`,
  );
  return 0;
}
