import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';
import { parsePolicy } from '../../src/config/load.js';
import type { Policy } from '../../src/config/policy.js';
import { matchesTerms, nothingToDo, type Selection, selectServices } from '../../src/config/select.js';
import { parseShard, type Shard } from '../../src/config/shard.js';
import { shardOf } from '../../src/config/shard-of.js';

const service = (n: string) => `  ${n}: { candidate: v2, stable: v1, triggers: { e: { query: q, max: 1 } } }`;

function policyOf(names: readonly string[]): Policy {
  return parsePolicy(['version: 1', 'services:', ...names.map(service)].join('\n'), 'p.yml', {});
}

const POLICY = policyOf(['api', 'api-canary', 'web-eu', 'web-us', 'db', 'payments']);
const ALL = ['api', 'api-canary', 'web-eu', 'web-us', 'db', 'payments'];
const chosen = (selection?: Selection) => selectServices(POLICY, selection).map((s) => s.name);

/** The shard of `count` that holds `name`, and one that does not. */
const shardWith = (name: string, count: number): Shard => ({ index: shardOf(name, count), count });
const shardWithout = (name: string, count: number): Shard => ({
  index: (shardOf(name, count) % count) + 1,
  count,
});

describe('selectServices', () => {
  it.each<[string, Selection | undefined, string[]]>([
    ['nothing asked: every service', undefined, ALL],
    ['an empty selection: every service', {}, ALL],
    ['an empty list of terms: every service', { terms: [] }, ALL],
    ['one name', { terms: ['db'] }, ['db']],
    ['names, in policy order', { terms: ['db', 'api'] }, ['api', 'db']],
    ['a glob', { terms: ['web-*'] }, ['web-eu', 'web-us']],
    ['braces', { terms: ['web-{eu,us}'] }, ['web-eu', 'web-us']],
    ['an empty alternative', { terms: ['api{,-canary}'] }, ['api', 'api-canary']],
    ['a glob and a name picking the same service: once', { terms: ['api*', 'api'] }, ['api', 'api-canary']],
    ['the one shard of one: every service', { shard: shardWith('db', 1) }, ALL],
    ['a name in its shard', { terms: ['db'], shard: shardWith('db', 4) }, ['db']],
    [
      'a name outside the shard: nothing to do, no error',
      { terms: ['db'], shard: shardWithout('db', 4) },
      [],
    ],
  ])('%s', (_what, selection, expected) => {
    expect(chosen(selection)).toEqual(expected);
  });

  it('keeps of the globbed services those in the shard (shard ∘ glob)', () => {
    for (let index = 1; index <= 3; index++) {
      const shard = { index, count: 3 };
      expect(chosen({ terms: ['web-*'], shard })).toEqual(
        chosen({ terms: ['web-*'] }).filter((n) => chosen({ shard }).includes(n)),
      );
    }
  });

  it('takes no term for a shard: a name that looks like one is a service name the policy lacks', () => {
    expect(() => chosen({ terms: ['shard:1/4'] })).toThrow('no service shard:1/4 in p.yml');
  });

  it.each<[string, Selection, string]>([
    [
      'an unknown name, with the services',
      { terms: ['nope'] },
      'no service nope in p.yml (services: api, api-canary, web-eu, web-us, db, payments)',
    ],
    [
      'a misspelt name, with a did-you-mean',
      { terms: ['paymnets'] },
      'no service paymnets in p.yml (did you mean payments?)',
    ],
    [
      'misspelt names',
      { terms: ['paymnets', 'dbb'] },
      'no service paymnets, dbb in p.yml (did you mean payments for paymnets, db for dbb?)',
    ],
    [
      'a glob that matches nothing',
      { terms: ['cache-*'] },
      'no service matches cache-* in p.yml (services: api, api-canary, web-eu, web-us, db, payments)',
    ],
    [
      'an unknown name even in a shard that would not hold it',
      { terms: ['nope'], shard: shardWithout('nope', 2) },
      'no service nope in p.yml (services:',
    ],
    [
      'a glob with an unclosed brace',
      { terms: ['web-{eu,us'] },
      'service pattern "web-{eu,us": a { without its }',
    ],
  ])('refuses %s (a usage error: exit 2)', (_what, selection, message) => {
    expect(() => selectServices(POLICY, selection)).toThrow(UsageError);
    expect(() => selectServices(POLICY, selection)).toThrow(message);
  });

  it('names at most 20 services in a message, then counts them', () => {
    const many = policyOf(Array.from({ length: 30 }, (_, i) => `svc-${String(i).padStart(2, '0')}`));
    expect(() => selectServices(many, { terms: ['zzz'] })).toThrow(/svc-19, … \(30 in all\)\)$/);
  });
});

describe('nothingToDo: the line of a shard that holds none of the chosen services', () => {
  const twelve = policyOf(Array.from({ length: 12 }, (_, i) => `svc-${i + 1}`));
  /** A shard of `count` that holds none of what the terms pick: one exists when they pick fewer. */
  const emptyShardOf = (count: number, policy: Policy, terms?: string[]) =>
    Array.from({ length: count }, (_, i) => ({ index: i + 1, count })).find(
      (shard) => selectServices(policy, { terms, shard }).length === 0,
    )!;

  it.each<[string, () => [Policy, Selection], string | undefined]>([
    ['no shard: there is always something to do', () => [POLICY, { terms: ['db'] }], undefined],
    ['a shard that holds some', () => [POLICY, { terms: ['db'], shard: shardWith('db', 4) }], undefined],
    [
      'a shard that holds none of many, counted',
      () => [twelve, { shard: emptyShardOf(16, twelve) }],
      `nothing to do: shard ${emptyShardOf(16, twelve).index}/16 holds none of the 12 chosen services`,
    ],
    [
      'a shard that holds none of the services the terms picked, counted',
      () => [POLICY, { terms: ['web-*', 'db'], shard: emptyShardOf(4, POLICY, ['web-*', 'db']) }],
      `nothing to do: shard ${emptyShardOf(4, POLICY, ['web-*', 'db']).index}/4 holds none of the 3 chosen services`,
    ],
    [
      'a shard without the one service chosen, named',
      () => [POLICY, { terms: ['db'], shard: shardWithout('db', 4) }],
      `nothing to do: shard ${shardWithout('db', 4).index}/4 does not hold db, the one chosen service`,
    ],
  ])('%s', (_what, given, line) => {
    const [policy, selection] = given();
    expect(nothingToDo(policy, selection)).toBe(line);
  });

  it('refuses what selectServices refuses', () => {
    expect(() => nothingToDo(POLICY, { terms: ['nope'], shard: shardWith('db', 4) })).toThrow(UsageError);
  });
});

describe('matchesTerms: terms as a test of names, where there is no policy to choose from', () => {
  it.each<[string[], string, boolean]>([
    [['api'], 'api', true],
    [['api'], 'api-canary', false],
    [['api-*'], 'api-canary', true],
    [['web-{eu,us}'], 'web-us', true],
    [['web-{eu,us}'], 'web-ap', false],
    [['db', 'web-*'], 'web-eu', true],
    [['nope'], 'db', false],
  ])('%j matches %j: %s', (terms, name, expected) => {
    expect(matchesTerms(terms)(name)).toBe(expected);
  });

  it('refuses a malformed glob (a usage error: exit 2)', () => {
    expect(() => matchesTerms(['web-{eu'])).toThrow(UsageError);
    expect(() => matchesTerms(['web-{eu'])).toThrow('service pattern "web-{eu": a { without its }');
  });
});

describe('a shard K/N', () => {
  it.each([
    ['1/1', { index: 1, count: 1 }],
    ['2/4', { index: 2, count: 4 }],
    [' 4/4 ', { index: 4, count: 4 }],
    ['256/256', { index: 256, count: 256 }],
  ])('%j is shard %j', (text, shard) => {
    expect(parseShard(text)).toEqual({ ok: true, shard });
  });

  it.each([
    ['', 'must be K/N'],
    ['2', 'must be K/N'],
    ['2-4', 'must be K/N'],
    ['-1/4', 'must be K/N'],
    ['1.5/4', 'must be K/N'],
    ['0/4', 'K must be from 1 to N'],
    ['5/4', 'K must be from 1 to N'],
    ['1/0', 'N must be from 1 to 256'],
    ['1/257', 'N must be from 1 to 256'],
  ])('%j is refused: %s', (text, why) => {
    const parsed = parseShard(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problem).toContain(why);
      expect(parsed.problem).toContain(`not "${text}"`);
    }
  });

  it('is computed from the name alone, documented as the first 4 bytes of its SHA-256', () => {
    // printf %s api | sha256sum -> 14c2529e...
    expect(shardOf('api', 4)).toBe((0x14c2529e % 4) + 1);
    expect(shardOf('api', 256)).toBe((0x14c2529e % 256) + 1);
  });
});
