/**
 * The readiness self-check's vocabulary (issue 15, "A readiness self-check"): the eight things a
 * service needs before pinback guards it in production, and what one check found. No imports: the
 * policy schema names these ids in `doctor.require`.
 */

/** The checks, in the order a checklist lists them; also the names `doctor.require` takes. */
export const CHECK_IDS = [
  'stable',
  'lock_candidate',
  'kill_switch',
  'verify',
  'owners',
  'notify_critical',
  'min_evidence',
  'token',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** One line of the checklist, for people. */
export const CHECK_LABELS: Record<CheckId, string> = {
  stable: 'a stable to return to, unlocked',
  lock_candidate: 'the rolled-back candidate is locked',
  kill_switch: 'a kill switch is set with the rollback',
  verify: 'the rollback is verified',
  owners: 'owners to escalate to',
  notify_critical: 'a notification route for critical',
  min_evidence: 'minimum evidence reachable at current traffic',
  token: 'the token can write where it must',
};

/**
 * What one check found: `pass`; `missing`, with the policy key to set (or the action to take) in
 * `advice`; `not_checked`, with why in `detail` (a repository not given, a metric that could not be
 * queried): never counted as a pass.
 */
export type CheckResult =
  | { check: CheckId; status: 'pass'; detail: string; advice?: undefined }
  | { check: CheckId; status: 'missing'; detail: string; advice: string }
  | { check: CheckId; status: 'not_checked'; detail: string; advice?: string | undefined };

export type CheckStatus = CheckResult['status'];

export const pass = (check: CheckId, detail: string): CheckResult => ({ check, status: 'pass', detail });

export const missing = (check: CheckId, detail: string, advice: string): CheckResult => ({
  check,
  status: 'missing',
  detail,
  advice,
});

export const notChecked = (check: CheckId, detail: string, advice?: string): CheckResult => ({
  check,
  status: 'not_checked',
  detail,
  ...(advice === undefined ? {} : { advice }),
});

/** `doctor:` of the policy: the checks every service must pass, and the least score. */
export interface DoctorSettings {
  require: readonly CheckId[];
  minScore: number | undefined;
}
