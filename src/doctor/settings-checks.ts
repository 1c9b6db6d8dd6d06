/**
 * Pure checks of what a service's policy says about the rollback itself: the lock, the kill
 * switch, the verification, the owners, a route for critical. Each returns one CheckResult whose
 * advice names the exact policy key to set.
 */
import type { ServicePolicy } from '../config/policy.js';
import { readPin, writePin } from '../pins/index.js';
import { type CheckResult, missing, pass } from './checks.js';

/** Where a service's keys are written: `services.<name>.…`, or the seed form's `rollback:`. */
export interface PolicyShape {
  seed: boolean;
}

const at = (s: ServicePolicy, key: string) => `services.${s.name}.${key}`;

/** The seed form has no key for it: the advice is to write the full form, and which key to set there. */
function inFullForm(s: ServicePolicy, shape: PolicyShape, key: string, example: string): string {
  const set = `set ${at(s, key)}: ${example}`;
  return shape.seed
    ? `write the full form (version: 1, services:; the seed form has no such key) and ${set}`
    : set;
}

export function lockCandidateCheck(s: ServicePolicy, shape: PolicyShape): CheckResult {
  if (s.onRollback.lockCandidate)
    return pass('lock_candidate', 'a rolled-back version is locked: no bot or merge pins it again unseen');
  return missing(
    'lock_candidate',
    'lock_candidate is false: a rolled-back version can be pinned again by an image bot or a revert',
    shape.seed
      ? 'set rollback.lock_candidate_after_rollback: true'
      : `set ${at(s, 'on_rollback.lock_candidate')}: true`,
  );
}

/**
 * A kill switch is the emergency stop a rollback sets beside the pin. With the repository read
 * (`files`), its file must exist and its locator must write there, as the rollback commit will.
 */
export function killSwitchCheck(
  s: ServicePolicy,
  shape: PolicyShape,
  files?: ReadonlyMap<string, string | null>,
): CheckResult {
  const ks = s.onRollback.killSwitch;
  if (!ks) {
    return missing(
      'kill_switch',
      'no kill switch: a rollback only moves the pin (nothing turns a risky feature or writes off)',
      inFullForm(
        s,
        shape,
        'on_rollback.kill_switch',
        '{ file: apps/<svc>/flags.yaml, yaml_path: data.writes_disabled, value: "true" } (leave it out of doctor.require where the service has no such flag)',
      ),
    );
  }
  const where = 'yaml_path' in ks.locator ? ks.locator.yaml_path : `regex ${ks.locator.regex}`;
  if (files === undefined) return pass('kill_switch', `${ks.file} ${where} set to "${ks.value}" on rollback`);
  const text = files.get(ks.file);
  if (text === null || text === undefined) {
    return missing(
      'kill_switch',
      `the kill switch's file ${ks.file} does not exist in the GitOps repository: the rollback would leave it out`,
      `create ${ks.file}, or point ${at(s, 'on_rollback.kill_switch.file')} at the flags file`,
    );
  }
  try {
    const now = readPin(text, ks.locator, ks.file).version;
    writePin(text, ks.locator, ks.value, ks.file);
    return pass('kill_switch', `${ks.file} ${where} is "${now}" now; a rollback sets it to "${ks.value}"`);
  } catch (e) {
    return missing(
      'kill_switch',
      `the kill switch cannot be set: ${(e as Error).message}`,
      `fix ${at(s, 'on_rollback.kill_switch')} (yaml_path or regex) to name the flag in ${ks.file}`,
    );
  }
}

export function verifyCheck(s: ServicePolicy, shape: PolicyShape): CheckResult {
  const ms = s.onRollback.verifyWindowMs;
  if (ms !== undefined)
    return pass('verify', `the stable must pass the same triggers for ${ms / 60_000} min, else escalate`);
  return missing(
    'verify',
    'no recovery verification: a rollback that did not fix things is never noticed or escalated',
    inFullForm(s, shape, 'on_rollback.verify', '{ window: 10m }'),
  );
}

export function ownersCheck(s: ServicePolicy, shape: PolicyShape): CheckResult {
  if (s.owners.length) return pass('owners', `escalates to ${s.owners.join(', ')}`);
  const example = '["@acme/oncall"]';
  return missing(
    'owners',
    'no owners: an escalation (a rollback that did not recover, no stable to return to) names nobody',
    shape.seed
      ? inFullForm(s, shape, 'owners', example)
      : `set owners: ${example} (top level, every service) or ${at(s, 'owners')}: ${example}`,
  );
}

const RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

/**
 * Whether a notify entry is told of a critical event. `min_severity` is read where the entry has
 * it: without it, an entry is told of every severity.
 */
export function admitsCritical(entry: object): boolean {
  const min = (entry as { min_severity?: unknown }).min_severity;
  if (min === undefined) return true;
  return typeof min === 'string' && min in RANK && RANK[min as keyof typeof RANK] <= RANK.critical;
}

const routeName = (entry: object) => {
  const type = String((entry as { type?: unknown }).type ?? 'route');
  const min = (entry as { min_severity?: unknown }).min_severity;
  return min === undefined ? `${type} (every severity)` : `${type} (${String(min)} and above)`;
};

export function notifyCriticalCheck(s: ServicePolicy, shape: PolicyShape): CheckResult {
  const routes = s.onRollback.notify.filter((n) => admitsCritical(n));
  if (routes.length) return pass('notify_critical', `critical reaches ${routes.map(routeName).join(', ')}`);
  return missing(
    'notify_critical',
    s.onRollback.notify.length
      ? `no notify route takes critical (${s.onRollback.notify.map(routeName).join(', ')})`
      : 'no notify route: a critical rollback reaches nobody but the incident issue',
    inFullForm(
      s,
      shape,
      'on_rollback.notify',
      '[{ type: slack, webhook: "${SLACK_WEBHOOK_URL}" }] (a pager for critical where the policy offers one)',
    ),
  );
}
