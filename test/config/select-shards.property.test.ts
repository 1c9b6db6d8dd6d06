import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { MAX_SHARDS } from '../../src/config/shard.js';
import { selectServices } from '../../src/config/select.js';
import type { Policy } from '../../src/config/policy.js';

// One parsed service, renamed: parsing a policy per generated case would cost more than the property.
const TEMPLATE = parsePolicy(
  'version: 1\nservices:\n  t: { candidate: v2, stable: v1, triggers: { e: { query: q, max: 1 } } }\n',
  'p.yml',
  {},
).services[0]!;

const policyOf = (names: readonly string[]): Policy => ({
  file: 'p.yml',
  digest: 'sha256:0',
  gitops: undefined,
  providers: {},
  services: names.map((name) => ({ ...TEMPLATE, name })),
});

/** Names as the schema allows them: a letter or digit, then letters, digits, `_`, `.`, `-`. */
const serviceName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/);
const names = fc.uniqueArray(serviceName, { maxLength: 80 });
const count = fc.integer({ min: 1, max: MAX_SHARDS });

const shardsOf = (policy: Policy, n: number, terms?: string[]) =>
  Array.from({ length: n }, (_, i) =>
    selectServices(policy, { terms, shard: { index: i + 1, count: n } }).map((s) => s.name),
  );

describe('N shards', () => {
  it('partition any set of services: each service in exactly one shard', () => {
    fc.assert(
      fc.property(names, count, (ns, n) => {
        const seen = shardsOf(policyOf(ns), n).flat();
        expect(seen.toSorted()).toEqual([...ns].toSorted());
      }),
    );
  });

  it('put a service in the same shard whatever else the policy holds, and in whatever order', () => {
    fc.assert(
      fc.property(names, names, count, (ns, others, n) => {
        const alone = shardsOf(policyOf(ns), n);
        const mixed = shardsOf(policyOf([...others, ...ns].toReversed()), n);
        alone.forEach((shard, i) => {
          for (const name of shard) expect(mixed[i]).toContain(name);
        });
      }),
    );
  });

  it('partition what a glob picks, too (shard ∘ glob)', () => {
    fc.assert(
      fc.property(names, count, (ns, n) => {
        const policy = policyOf([...ns, 'web-1', 'web-2']);
        const picked = selectServices(policy, { terms: ['web-*'] }).map((s) => s.name);
        expect(shardsOf(policy, n, ['web-*']).flat().toSorted()).toEqual(picked.toSorted());
      }),
    );
  });

  it('spread 1,000 services evenly enough: no shard of 4 holds more than 30%', () => {
    const policy = policyOf(Array.from({ length: 1000 }, (_, i) => `service-${i}`));
    for (const shard of shardsOf(policy, 4)) expect(shard.length).toBeLessThan(300);
  });
});
