import type { Evidence, Severity } from './types.js';

/*
 * Severity routes; it does not decide (issue 15): who is told and how loudly. Pure helpers for the
 * routes (a notify entry's `min_severity`) and the incident's label.
 */

/** From the loudest down. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

const rank = (s: Severity): number => SEVERITIES.length - SEVERITIES.indexOf(s);

/** Whether `s` is at least `min` (critical meets every minimum; low only `low`). */
export function meetsSeverity(s: Severity, min: Severity): boolean {
  return rank(s) >= rank(min);
}

/** The loudest severity among the breached triggers; undefined where none breached. */
export function severityOf(
  evidence: readonly Pick<Evidence, 'breached' | 'severity'>[],
): Severity | undefined {
  let loudest: Severity | undefined;
  for (const e of evidence)
    if (e.breached && (loudest === undefined || rank(e.severity) > rank(loudest))) loudest = e.severity;
  return loudest;
}

/** The incident's label for its severity, e.g. `severity:critical`. */
export const severityLabel = (s: Severity): string => `severity:${s}`;
