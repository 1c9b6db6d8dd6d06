/**
 * Pure: a service's checklist scored and held against the policy's `doctor:` minimum, and the
 * report `pinback doctor --json` prints.
 */
import { CHECK_IDS, type CheckId, type CheckResult, type DoctorSettings } from './checks.js';

export interface ServiceReadiness {
  service: string;
  stage: string;
  /** Checks passed, of `of` (every check: one not checked is not passed). */
  score: number;
  of: number;
  checks: CheckResult[];
  /** Why the service falls short of `doctor:` (empty when it meets it, or none is set). */
  unmet: string[];
}

export interface DoctorReport {
  version: 1;
  /** The policy's `doctor.require` and `doctor.min_score` (none set: nothing can fail). */
  require: CheckId[];
  min_score: number | null;
  /** Every service meets the minimum. */
  ok: boolean;
  services: ServiceReadiness[];
}

/** The checks in the checklist's order, whatever order they were made in. */
export function ordered(checks: readonly CheckResult[]): CheckResult[] {
  return [...checks].sort((a, b) => CHECK_IDS.indexOf(a.check) - CHECK_IDS.indexOf(b.check));
}

export function readiness(
  service: { name: string; stage: string },
  checks: readonly CheckResult[],
  settings: DoctorSettings | undefined,
): ServiceReadiness {
  const list = ordered(checks);
  const score = list.filter((c) => c.status === 'pass').length;
  const unmet: string[] = [];
  for (const id of settings?.require ?? []) {
    const c = list.find((x) => x.check === id);
    if (!c || c.status === 'pass') continue;
    // A required check that could not be made is not met: the gate never passes on what it did not see.
    unmet.push(
      c.status === 'missing'
        ? `${id} is required (doctor.require) and missing`
        : `${id} is required (doctor.require) and could not be checked`,
    );
  }
  const min = settings?.minScore;
  if (min !== undefined && score < min)
    unmet.push(`score ${score}/${list.length} is below doctor.min_score ${min}`);
  return { service: service.name, stage: service.stage, score, of: list.length, checks: list, unmet };
}

export function doctorReport(
  services: ServiceReadiness[],
  settings: DoctorSettings | undefined,
): DoctorReport {
  return {
    version: 1,
    require: [...(settings?.require ?? [])],
    min_score: settings?.minScore ?? null,
    ok: services.every((s) => s.unmet.length === 0),
    services,
  };
}
