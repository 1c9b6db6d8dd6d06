import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { issuesOf } from '../support/policy-issues.js';

const FULL = `version: 1
gitops: { repo: acme/gitops, branch: main }
providers:
  metrics: { type: file, path: metrics.json }
defaults: { provider: metrics, window: 10m, cooldown: 30m }
services:
  support-agent:
    stage: canary
    pin: { file: apps/support-agent/kustomization.yaml, kustomize_image: ghcr.io/acme/support-agent }
    guard_window: 2h
    triggers:
      error_rate: { max: 0.05, reason: error_spike }
      latency_p95_ms: { max: 1800, max_increase: 50%, reason: sla_breach }
      quality_score: { min: 0.75, aggregate: mean }
    require: 2
    sustained: 3
`;

describe('parsePolicy, full form', () => {
  it('normalizes durations to milliseconds and percentages to ratios', () => {
    const p = parsePolicy(FULL, 'policy.yml', {});
    const s = p.services[0]!;
    expect(s.guardWindowMs).toBe(7_200_000);
    expect(s.cooldownMs).toBe(1_800_000);
    expect(s.queries[0]!.windowMs).toBe(600_000);
    expect(s.rule.triggers[1]!.maxIncrease).toBe(0.5);
  });

  it('applies service settings to every trigger', () => {
    const s = parsePolicy(FULL, 'policy.yml', {}).services[0]!;
    expect(s.rule.require).toBe(2);
    expect(s.rule.triggers.map((t) => t.sustained)).toEqual([3, 3, 3]);
    expect(s.rule.triggers[2]!.aggregate).toBe('mean');
  });

  it('reads the pin locator', () => {
    const s = parsePolicy(FULL, 'policy.yml', {}).services[0]!;
    expect(s.pin).toEqual({
      file: 'apps/support-agent/kustomization.yaml',
      locator: { kustomize_image: 'ghcr.io/acme/support-agent', field: undefined },
    });
  });

  it('defaults to no data being inconclusive and to stable: auto', () => {
    const s = parsePolicy(FULL, 'policy.yml', {}).services[0]!;
    expect(s.stable).toBe('auto');
    expect(s.rule.triggers.every((t) => t.onNoData === 'inconclusive')).toBe(true);
  });

  it('records the digest of the file bytes', () => {
    expect(parsePolicy(FULL, 'policy.yml', {}).digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('substitutes environment variables', () => {
    const text = FULL.replace('path: metrics.json', 'path: "${METRICS_PATH}"');
    const p = parsePolicy(text, 'policy.yml', { METRICS_PATH: '/data/m.json' });
    expect(p.providers.metrics).toEqual({ type: 'file', path: '/data/m.json' });
  });

  it('keeps $$ as a literal dollar', () => {
    const text = FULL.replace('path: metrics.json', () => 'path: "$${HOME}"');
    expect(parsePolicy(text, 'policy.yml', {}).providers.metrics).toEqual({ type: 'file', path: '${HOME}' });
  });
});

describe('parsePolicy, errors at the offending line and column', () => {
  it.each([
    [
      'a wrong value type',
      FULL.replace('max: 0.05', 'max: high'),
      'policy.yml:12:26: services.support-agent.triggers.error_rate.max: Invalid input: expected number, received string',
    ],
    [
      'a bad duration',
      FULL.replace('guard_window: 2h', 'guard_window: two hours'),
      'policy.yml:10:19: services.support-agent.guard_window: expected a duration',
    ],
    [
      'a bad percentage',
      FULL.replace('max_increase: 50%', 'max_increase: lots'),
      'policy.yml:13:50: services.support-agent.triggers.latency_p95_ms.max_increase: expected a percentage such as 50%',
    ],
    [
      'an unknown key with a suggestion',
      FULL.replace('sustained: 3', 'sustaned: 3'),
      'policy.yml:16:5: services.support-agent.sustaned: unknown key "sustaned" (did you mean "sustained"?)',
    ],
    [
      'a missing environment variable',
      FULL.replace('path: metrics.json', 'path: "${METRICS_PATH}"'),
      'policy.yml:4:32: providers.metrics.path: environment variable METRICS_PATH is not set',
    ],
    [
      'an unknown provider',
      FULL.replace('provider: metrics', 'provider: prom'),
      'policy.yml:5:23: defaults.provider: no provider "prom" under providers: (have metrics)',
    ],
    [
      'require above the trigger count',
      FULL.replace('require: 2', 'require: 4'),
      'policy.yml:15:14: services.support-agent.require: require: 4 but the service has 3 trigger(s)',
    ],
    [
      'two locators on one pin',
      FULL.replace('kustomize_image:', 'container: x, kustomize_image:'),
      'policy.yml:9:10: services.support-agent.pin: a pin takes exactly one locator, found kustomize_image and container',
    ],
    [
      'a trigger without a limit',
      FULL.replace('{ max: 0.05, reason: error_spike }', '{ reason: error_spike }'),
      'policy.yml:12:19: services.support-agent.triggers.error_rate: a trigger needs a limit',
    ],
    ['invalid YAML', 'version: 1\nservices: [\n', 'policy.yml:3:1:'],
  ])('reports %s', (_name, text, expected) => {
    expect(issuesOf(text)[0]).toContain(expected);
  });

  it('reports every problem, not just the first', () => {
    const text = FULL.replace('max: 0.05', 'max: high').replace('sustained: 3', 'sustaned: 3');
    expect(issuesOf(text)).toHaveLength(2);
  });

  it('rejects a file that is not a mapping', () => {
    expect(issuesOf('- a\n- b\n')[0]).toContain('policy.yml:1:1: a policy file is a YAML mapping');
  });
});

describe('parsePolicy, seed form', () => {
  const SEED = `rollback:
  stable_version: support-agent@2.3.3
  candidate_version: support-agent@2.4.0
  triggers:
    error_rate_p95: 0.05
    latency_p95_ms: 1800
    tool_failure_rate: 0.03
  lock_candidate_after_rollback: true
`;

  it('loads as one service with fixed versions and maximum triggers', () => {
    const s = parsePolicy(SEED, 'seed.yml', {}).services[0]!;
    expect(s).toMatchObject({
      name: 'support-agent',
      candidate: '2.4.0',
      stable: '2.3.3',
      stage: 'canary',
      pin: undefined,
    });
    expect(s.rule.triggers.map((t) => [t.name, t.max])).toEqual([
      ['error_rate_p95', 0.05],
      ['latency_p95_ms', 1800],
      ['tool_failure_rate', 0.03],
    ]);
    expect(s.onRollback.lockCandidate).toBe(true);
  });

  it('uses the seeds reason vocabulary', () => {
    const s = parsePolicy(SEED, 'seed.yml', {}).services[0]!;
    expect(s.rule.triggers.map((t) => t.reason)).toEqual(['error_spike', 'sla_breach', 'error_spike']);
  });

  it('reports a version without a service at its line', () => {
    expect(issuesOf(SEED.replace('support-agent@2.4.0', '2.4.0'))[0]).toContain(
      'policy.yml:3:22: rollback.candidate_version: expected SERVICE@VERSION',
    );
  });
});
