/**
 * The readiness checks of what a policy says (src/doctor/settings-checks.ts): each passes on the
 * key set, and otherwise says what is missing and the exact key to set.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import type { Policy, ServicePolicy } from '../../src/config/policy.js';
import {
  admitsCritical,
  killSwitchCheck,
  lockCandidateCheck,
  notifyCriticalCheck,
  ownersCheck,
  verifyCheck,
} from '../../src/doctor/settings-checks.js';

const FULL = { seed: false };

function policyOf(service: string, top = ''): Policy {
  return parsePolicy(
    `version: 1
${top}services:
  api:
    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }
    triggers:
      errors: { query: 'up', max: 0.05 }
${service}`,
    'policy.yml',
    { SLACK: 'https://hooks.slack.com/services/T/B/x' },
  );
}
const serviceOf = (service: string, top = ''): ServicePolicy => policyOf(service, top).services[0]!;

describe('lock_candidate', () => {
  it('passes by default: a rolled-back version is locked', () => {
    expect(lockCandidateCheck(serviceOf(''), FULL).status).toBe('pass');
  });

  it('is missing when switched off, naming the key', () => {
    const c = lockCandidateCheck(serviceOf('    on_rollback: { lock_candidate: false }\n'), FULL);
    expect(c).toMatchObject({
      status: 'missing',
      advice: 'set services.api.on_rollback.lock_candidate: true',
    });
  });

  it("names the seed form's own key there", () => {
    const seed = parsePolicy(
      'rollback:\n  stable_version: api@1.0.0\n  candidate_version: api@1.1.0\n  triggers: { e: 1 }\n  lock_candidate_after_rollback: false\n',
      'seed.yml',
    );
    expect(lockCandidateCheck(seed.services[0]!, { seed: true })).toMatchObject({
      status: 'missing',
      advice: 'set rollback.lock_candidate_after_rollback: true',
    });
  });
});

describe('kill_switch', () => {
  const withSwitch = serviceOf(
    '    on_rollback:\n      kill_switch: { file: apps/api/flags.yaml, yaml_path: data.writes_disabled, value: "true" }\n',
  );

  it('is missing without one, with the key and an example', () => {
    const c = killSwitchCheck(serviceOf(''), FULL);
    expect(c.status).toBe('missing');
    expect(c.advice).toContain('set services.api.on_rollback.kill_switch: { file:');
  });

  it('passes on the policy alone when the repository was not read', () => {
    expect(killSwitchCheck(withSwitch, FULL)).toMatchObject({ status: 'pass' });
  });

  it('passes when the flag exists in the repository, saying its value now', () => {
    const files = new Map([['apps/api/flags.yaml', 'data:\n  writes_disabled: "false"\n']]);
    const c = killSwitchCheck(withSwitch, FULL, files);
    expect(c).toMatchObject({ status: 'pass' });
    expect(c.detail).toContain('is "false" now; a rollback sets it to "true"');
  });

  it.each([
    ['the file does not exist', new Map([['apps/api/flags.yaml', null]]), 'does not exist'],
    ['the path names nothing', new Map([['apps/api/flags.yaml', 'data:\n  other: 1\n']]), 'cannot be set'],
  ])('is missing when %s', (_, files, says) => {
    const c = killSwitchCheck(withSwitch, FULL, files);
    expect(c.status).toBe('missing');
    expect(c.detail).toContain(says);
  });
});

describe('verify', () => {
  it('passes with a verification window', () => {
    expect(verifyCheck(serviceOf('    on_rollback: { verify: { window: 10m } }\n'), FULL)).toMatchObject({
      status: 'pass',
      detail: 'the stable must pass the same triggers for 10 min, else escalate',
    });
  });

  it('is missing without one', () => {
    expect(verifyCheck(serviceOf(''), FULL)).toMatchObject({
      status: 'missing',
      advice: 'set services.api.on_rollback.verify: { window: 10m }',
    });
  });
});

describe('owners', () => {
  it.each([
    ['per service', '    owners: ["@acme/api"]\n', ''],
    ['at the top level', '', 'owners: ["@acme/oncall"]\n'],
  ])('passes with owners set %s', (_, service, top) => {
    expect(ownersCheck(serviceOf(service, top), FULL).status).toBe('pass');
  });

  it('is missing without, naming both keys', () => {
    const c = ownersCheck(serviceOf(''), FULL);
    expect(c.status).toBe('missing');
    expect(c.advice).toBe(
      'set owners: ["@acme/oncall"] (top level, every service) or services.api.owners: ["@acme/oncall"]',
    );
  });
});

describe('notify_critical', () => {
  it.each([
    [{ type: 'slack' }, true],
    [{ type: 'pagerduty', min_severity: 'critical' }, true],
    [{ type: 'slack', min_severity: 'low' }, true],
    [{ type: 'slack', min_severity: 'medium' }, true],
    [{ type: 'slack', min_severity: 'sev0' }, false],
  ])('a route %j takes critical: %s', (entry, takes) => {
    expect(admitsCritical(entry)).toBe(takes);
  });

  it('passes with a route, naming it', () => {
    const c = notifyCriticalCheck(
      serviceOf('    on_rollback: { notify: [ { type: slack, webhook: "${SLACK}" } ] }\n'),
      FULL,
    );
    expect(c).toMatchObject({ status: 'pass', detail: 'critical reaches slack (every severity)' });
  });

  it('is missing without any route', () => {
    const c = notifyCriticalCheck(serviceOf(''), FULL);
    expect(c.status).toBe('missing');
    expect(c.advice).toContain('set services.api.on_rollback.notify: [{ type: slack');
  });
});
