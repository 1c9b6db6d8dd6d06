/**
 * `min_stable_age`: how long a version must have stayed pinned to be chosen as the stable. The policy
 * reads it (service over defaults over 5m) and the reconciler's choice of stable follows it.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import type { HistoryEntry } from '../../src/history/entry.js';
import { stateOf } from '../../src/reconcile/service.js';
import { issuesOf } from '../support/policy-issues.js';

const PIN = 'apps/api/kustomization.yaml';

function policy(o: { defaults?: string; service?: string } = {}): string {
  return `version: 1
providers:
  metrics: { type: file, path: metrics.json }
defaults: { provider: metrics${o.defaults ? `, ${o.defaults}` : ''} }
services:
  api:
    pin: { file: ${PIN}, kustomize_image: api }
${o.service ? `    ${o.service}\n` : ''}    triggers:
      errors: { max: 0.05 }
`;
}

const service = (o: { defaults?: string; service?: string } = {}) =>
  parsePolicy(policy(o), 'policy.yml', {}).services[0]!;

const k = (tag: string) => `images:\n  - name: api\n    newTag: ${tag}\n`;

/** History newest first from [tag, seconds it stayed pinned] oldest first; the last is the candidate. */
function history(...runs: [string, number][]): HistoryEntry[] {
  let t = 1_000_000;
  return runs
    .map(([tag, lasted], i) => {
      const entry = { sha: `c${i}`, time: t, message: `deploy ${tag}`, text: k(tag) };
      t += lasted;
      return entry;
    })
    .reverse();
}

function stableOf(o: { defaults?: string; service?: string }, h: HistoryEntry[]): string | undefined {
  const snap = { head: h[0]!.sha, files: new Map([[PIN, h[0]!.text]]), history: h };
  return stateOf(service(o), snap, 100, 'memory').stable;
}

describe('min_stable_age in the policy', () => {
  it('defaults to 5 minutes', () => {
    expect(service().minStableAgeMs).toBe(300_000);
  });

  it.each([
    { name: 'under defaults:', o: { defaults: 'min_stable_age: 15m' }, ms: 900_000 },
    { name: 'on the service', o: { service: 'min_stable_age: 90s' }, ms: 90_000 },
    {
      name: 'on the service over defaults:',
      o: { defaults: 'min_stable_age: 1h', service: 'min_stable_age: 0s' },
      ms: 0,
    },
  ])('is read $name', ({ o, ms }) => {
    expect(service(o).minStableAgeMs).toBe(ms);
  });

  it('is a duration', () => {
    expect(issuesOf(policy({ service: 'min_stable_age: 5 minutes' }))).toContain(
      'policy.yml:8:21: services.api.min_stable_age: expected a duration such as 30s, 10m, 1h or 1h30m',
    );
  });
});

describe('min_stable_age decides the stable the reconciler reads', () => {
  // v1 ran for days, v2 for 10 minutes, v3 is the candidate.
  const h = history(['v1', 3 * 86_400], ['v2', 600], ['v3', 0]);

  it('by default a version that ran 10 minutes is the stable', () => {
    expect(stableOf({}, h)).toBe('v2');
  });

  it('with min_stable_age: 15m it is skipped for the one before', () => {
    expect(stableOf({ service: 'min_stable_age: 15m' }, h)).toBe('v1');
    expect(stableOf({ defaults: 'min_stable_age: 15m' }, h)).toBe('v1');
  });

  it('with min_stable_age: 0s a version replaced within a minute is a stable too', () => {
    const quick = history(['v1', 3 * 86_400], ['v2', 40], ['v3', 0]);
    expect(stableOf({}, quick)).toBe('v1');
    expect(stableOf({ service: 'min_stable_age: 0s' }, quick)).toBe('v2');
  });
});
