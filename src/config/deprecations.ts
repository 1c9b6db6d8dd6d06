import type { z } from 'zod';
import type { fullForm } from './schema.js';

/*
 * Keys that still load but whose meaning changed: each becomes a warning at its line, saying what
 * the policy now does and what to write to keep the old behaviour. Pure: the parsed file in, the
 * warnings (by key path) out.
 */

type FullForm = z.infer<typeof fullForm>;

export interface Deprecation {
  path: PropertyKey[];
  message: string;
}

/**
 * `severity: medium` used to mean "alert, never roll back". Severity now routes who is told (the
 * notify routes' `min_severity`, the incident's label) and every severity rolls back; a trigger
 * that must not roll back says `action: alert`. A medium trigger that says neither is the one
 * whose behaviour changed.
 */
export function deprecations(policy: FullForm): Deprecation[] {
  const out: Deprecation[] = [];
  for (const [service, s] of Object.entries(policy.services)) {
    for (const [trigger, t] of Object.entries(s.triggers)) {
      if (t.severity !== 'medium' || t.action !== undefined) continue;
      out.push({
        path: ['services', service, 'triggers', trigger, 'severity'],
        message:
          `severity: medium now rolls back like every severity (severity only routes notifications: ` +
          `on_rollback.notify's min_severity and the incident's label). To keep this trigger from ` +
          `rolling back, as it did before, add "action: alert" to it; to accept the change, add ` +
          `"action: rollback" to silence this warning.`,
      });
    }
  }
  return out;
}
