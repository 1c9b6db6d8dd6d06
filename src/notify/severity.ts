/**
 * Severity routes notifications: each route (`on_rollback.notify[]`) takes a `min_severity`, and a
 * notice reaches it only when the severity of what breached meets it. Severity never decides whether
 * anything rolls back (the policy's triggers and `action:` do). The order is the policy's
 * (src/policy/severity.ts); this adds what a route needs: no floor, and a default.
 */
import { meetsSeverity, SEVERITIES } from '../policy/severity.js';
import type { Severity } from '../policy/types.js';

export type NoticeSeverity = Severity;

/** A trigger's severity when the policy does not say (src/config/normalize-trigger.ts). */
export const DEFAULT_SEVERITY: NoticeSeverity = 'high';

/** True when a notice of `severity` goes to a route whose floor is `min` (no floor: every notice). */
export function meets(severity: NoticeSeverity, min: NoticeSeverity | undefined): boolean {
  return min === undefined || meetsSeverity(severity, min);
}

/** The loudest of some severities, or `fallback` when there are none. */
export function loudest(
  severities: Iterable<NoticeSeverity>,
  fallback: NoticeSeverity = DEFAULT_SEVERITY,
): NoticeSeverity {
  let out: NoticeSeverity | undefined;
  for (const s of severities)
    if (out === undefined || SEVERITIES.indexOf(s) < SEVERITIES.indexOf(out)) out = s;
  return out ?? fallback;
}
