import { describe, expect, it } from 'vitest';
import {
  compileGlob,
  expandBraces,
  isGlob,
  MAX_EXPANSIONS,
  splitTerms,
  wildcardMatch,
} from '../../src/config/glob.js';

describe('a service glob', () => {
  it.each([
    // glob, name, matches
    ['api', 'api', true],
    ['api', 'api-eu', false],
    ['api-*', 'api-eu', true],
    ['api-*', 'api-', true],
    ['api-*', 'api', false],
    ['*', 'anything.at_all-1', true],
    ['*-canary', 'web-canary', true],
    ['*-canary', 'web-canary-2', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['api-?', 'api-1', true],
    ['api-?', 'api-12', false],
    ['api-??', 'api-12', true],
    ['web-{eu,us}', 'web-eu', true],
    ['web-{eu,us}', 'web-us', true],
    ['web-{eu,us}', 'web-ap', false],
    ['web-{eu,us}-*', 'web-us-2', true],
    ['api{,-canary}', 'api', true],
    ['api{,-canary}', 'api-canary', true],
    ['api{,-canary}', 'api-other', false],
    ['{a,{b,c}}-x', 'c-x', true],
    ['{a,b}{1,2}', 'b2', true],
    ['{a,b}{1,2}', 'b3', false],
    ['{a}', 'a', true],
    // Case counts: service names are case-sensitive (lock files keep `Web` and `web` apart).
    ['API-*', 'api-eu', false],
    // A dot is a dot, not "any character".
    ['a.b', 'aXb', false],
    ['a.*', 'a.b', true],
  ])('%s against %s: %s', (glob, name, expected) => {
    const g = compileGlob(glob);
    expect(g.ok && g.match(name)).toBe(expected);
  });

  it.each([
    ['a { without its }', 'web-{eu,us'],
    ['a } without its {', 'web-eu}'],
    ['a } without its {', '{a}}'],
    [`its braces expand to more than ${MAX_EXPANSIONS} patterns`, '{a,b}'.repeat(11)],
  ])('is refused with "%s": %s', (problem, glob) => {
    expect(compileGlob(glob)).toEqual({ ok: false, problem });
  });

  it('expands braces in order, nested ones included', () => {
    expect(expandBraces('{a,{b,c}}-{x,y}')).toEqual(['a-x', 'a-y', 'b-x', 'b-y', 'c-x', 'c-y']);
  });

  it.each([
    ['api', false],
    ['api-eu.prod_1', false],
    ['api-*', true],
    ['api-?', true],
    ['web-{eu,us}', true],
  ])('%s is a glob: %s', (term, expected) => {
    expect(isGlob(term)).toBe(expected);
  });

  it('matches in time linear in the name where a backtracking regex would not return', () => {
    const name = 'a'.repeat(5000);
    const started = performance.now();
    expect(wildcardMatch('*a*a*a*a*a*a*a*a*a*a*b', name)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('a list of services in a workflow input', () => {
  it.each([
    ['', []],
    ['api', ['api']],
    ['api, web', ['api', 'web']],
    ['api,\nweb\n', ['api', 'web']],
    ['api web  db', ['api', 'web', 'db']],
    ['web-{eu,us}, api-*', ['web-{eu,us}', 'api-*']],
    ['{a,{b,c}},d', ['{a,{b,c}}', 'd']],
  ])('%j splits into %j', (text, terms) => {
    expect(splitTerms(text)).toEqual(terms);
  });
});
