import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';

const policy = (trigger: string) => `version: 1
services:
  api:
    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }
    triggers:
      quality: { min: 0.75, ${trigger} }
`;

describe('severity: medium, whose meaning changed', () => {
  it('loads, rolls back, and warns at its line what to write to keep the old behaviour', () => {
    const p = parsePolicy(policy('severity: medium'), 'policy.yml', {});
    expect(p.services[0]!.rule.triggers[0]).toMatchObject({ severity: 'medium', action: 'rollback' });
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings![0]).toMatchObject({
      file: 'policy.yml',
      line: 6,
      path: 'services.api.triggers.quality.severity',
    });
    expect(p.warnings![0]!.message).toContain('add "action: alert"');
  });

  it.each([
    'severity: medium, action: alert',
    'severity: medium, action: rollback',
    'severity: critical',
    'severity: low',
    '',
  ])('does not warn with %j', (trigger) => {
    expect(parsePolicy(policy(trigger), 'policy.yml', {}).warnings ?? []).toEqual([]);
  });

  it('keeps an `action: alert` trigger from rolling back', () => {
    const p = parsePolicy(policy('severity: medium, action: alert'), 'policy.yml', {});
    expect(p.services[0]!.rule.triggers[0]).toMatchObject({ action: 'alert' });
  });
});
