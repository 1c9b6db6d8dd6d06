import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { issuesOf } from '../support/policy-issues.js';

const POLICY = `version: 1
gitops: { repo: acme/gitops, branch: main }
providers:
  metrics: { type: file, path: metrics.json }
defaults: { provider: metrics, window: 10m, cooldown: 30m }
services:
  api:
    stage: canary
    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }
    triggers:
      error_rate: { max: 0.05, reason: error_spike }
`;

/** The "billion laughs" of YAML: 581 bytes that name 9^9 strings. */
const BOMB = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

describe('aliases in a policy', () => {
  it('stops an alias bomb at the alias that expands too far', { timeout: 5000 }, () => {
    const issues = issuesOf(BOMB);
    expect(issues).toHaveLength(1);
    // b, c and d copy 81 + 729 + 6561 values; the first *d in e's list passes 10000.
    expect(issues[0]).toBe(
      'policy.yml:5:8: e[0]: the alias *d takes the file past 10000 values copied by aliases (an alias bomb?); pinback stops there: write the values out, or alias fewer of them',
    );
  });

  it('still expands ordinary aliases', () => {
    const text = POLICY.replace(
      'error_rate: { max: 0.05, reason: error_spike }',
      'error_rate: &rate { max: 0.05, reason: error_spike }\n      other_rate: *rate',
    );
    const s = parsePolicy(text, 'policy.yml', {}).services[0]!;
    expect(s.rule.triggers.map((t) => [t.name, t.max])).toEqual([
      ['error_rate', 0.05],
      ['other_rate', 0.05],
    ]);
  });

  it('refuses an alias inside its own anchored value', () => {
    expect(issuesOf('a: &x [1, *x]\n')).toEqual([
      'policy.yml:1:11: a[1]: the alias *x stands inside the value it names (&x), which would never end',
    ]);
  });

  it('refuses an alias with no anchor before it', () => {
    expect(issuesOf('a: *nowhere\n')).toEqual([
      'policy.yml:1:4: a: the alias *nowhere has no anchor &nowhere before it',
    ]);
  });
});

describe('__proto__ and merge keys', () => {
  it('refuses __proto__ in a trigger instead of inheriting its keys', () => {
    const text = POLICY.replace(
      'error_rate: { max: 0.05, reason: error_spike }',
      'error_rate:\n        reason: error_spike\n        __proto__: { max: 0.01 }',
    );
    expect(issuesOf(text)).toEqual([
      'policy.yml:13:9: services.api.triggers.error_rate.__proto__: the key "__proto__" is not allowed (JavaScript would read it as the prototype of the map, not as a key)',
    ]);
  });

  it('reports a top-level __proto__ at its own line', () => {
    expect(issuesOf(`${POLICY}__proto__: { x: 1 }\n`)).toEqual([
      'policy.yml:12:1: __proto__: the key "__proto__" is not allowed (JavaScript would read it as the prototype of the map, not as a key)',
    ]);
  });

  it('says that merge keys are not supported, at the key', () => {
    const text = POLICY.replace(
      'error_rate: { max: 0.05, reason: error_spike }',
      'base: &base { max: 0.05, reason: error_spike }\n      error_rate:\n        <<: *base',
    );
    expect(issuesOf(text)).toEqual([
      'policy.yml:13:9: services.api.triggers.error_rate.<<: YAML merge keys (<<) are not supported: write the keys out in each map',
    ]);
  });
});

describe('long values in messages', () => {
  it('caps an unknown key in the message', () => {
    const key = 'k'.repeat(100_000);
    const issues = issuesOf(`${POLICY}? ${key}\n: 1\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.length).toBeLessThan(600);
    expect(issues[0]).toContain('… (100000 characters)');
  });

  it('caps an unset environment variable name', () => {
    const name = `V${'x'.repeat(50_000)}`;
    const issues = issuesOf(POLICY.replace('main }', `"\${${name}}" }`));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.length).toBeLessThan(600);
    expect(issues[0]).toContain('is not set');
  });
});
