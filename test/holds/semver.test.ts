import { describe, expect, it } from 'vitest';
import {
  excludeFromRange,
  goExpand,
  parseFluxSemver,
  rangeExcludes,
  re2ToRegExp,
} from '../../src/holds/semver.js';
import { LocateError } from '../../src/pins/errors.js';

const v = (tag: string) => {
  const parsed = parseFluxSemver(tag);
  if (!parsed) throw new Error(`test version ${tag} is not semver`);
  return parsed;
};

describe('Flux semver tags (fluxcd/pkg version.ParseVersion)', () => {
  it.each([
    { tag: '2.4.0', text: '2.4.0' },
    { tag: 'v2.4.0', text: '2.4.0' },
    { tag: '2.4.0-rc.1+build.7', text: '2.4.0-rc.1+build.7' },
  ])('accepts $tag and writes it as $text', ({ tag, text }) => {
    expect(parseFluxSemver(tag)?.text).toBe(text);
  });

  it.each(['2.4', '02.4.0', '2.4.0-01', 'vv2.4.0', 'latest', 'main-abc123'])('rejects %s', (tag) => {
    expect(parseFluxSemver(tag)).toBeUndefined();
  });
});

describe('excluding a version from a Masterminds range', () => {
  it.each([
    { range: '>=1.0.0', version: '2.4.0', expected: '>=1.0.0, !=2.4.0' },
    { range: '5.2.x', version: '5.2.1', expected: '5.2.x, !=5.2.1' },
    { range: '>=1.0.0 <3.0.0', version: '2.4.0', expected: '>=1.0.0 <3.0.0, !=2.4.0' },
    { range: '^1.2 || ^2.0  ', version: '2.4.0', expected: '^1.2, !=2.4.0 || ^2.0, !=2.4.0  ' },
    { range: '1.2 - 2.9.9', version: '2.4.0', expected: '1.2 - 2.9.9, !=2.4.0' },
    { range: '*', version: '2.4.0', expected: '*, !=2.4.0' },
    { range: '', version: '2.4.0', expected: '!=2.4.0' },
    {
      range: '>=1.0.0, !=2.4.0 || >=3.0.0',
      version: '2.4.0',
      expected: '>=1.0.0, !=2.4.0 || >=3.0.0, !=2.4.0',
    },
    { range: '>=2.0.0-0 || >=3.0.0', version: '2.4.0-rc.1', expected: '>=2.0.0-0, !=2.4.0-rc.1 || >=3.0.0' },
    { range: '1.2 - 2.9.9', version: '2.4.0-rc.1', expected: '1.2 - 2.9.9' },
  ])('$range without $version is $expected', ({ range, version, expected }) => {
    expect(excludeFromRange(range, v(version))).toBe(expected);
    expect(rangeExcludes(expected, v(version))).toBe(true);
  });

  it.each([
    { range: '>=1.0.0', version: '2.4.0', held: false },
    { range: '>=1.0.0, !=2.4.0', version: '2.4.0', held: true },
    { range: '>=1.0.0 != v2.4.0', version: 'v2.4.0', held: true },
    { range: '>=1.0.0, !=2.4.0+build.9', version: '2.4.0', held: true },
    { range: '>=1.0.0, !=2.4.0-rc.1', version: '2.4.0', held: false },
    { range: '>=1.0.0, !=2.4', version: '2.4.0', held: false },
    { range: '>=1.0.0, !=2.4.0 || ^3', version: '2.4.0', held: false },
    { range: '>=1.0.0', version: '2.4.0-rc.1', held: true },
  ])('$range holds $version: $held', ({ range, version, held }) => {
    expect(rangeExcludes(range, v(version))).toBe(held);
  });
});

describe('filterTags.extract (Go Regexp.ExpandString)', () => {
  it.each([
    {
      pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)',
      extract: '$ts',
      tag: 'main-abc123-1700000000',
      expected: '1700000000',
    },
    { pattern: '^v(?P<semver>.*)-rc$', extract: '${semver}', tag: 'v2.4.0-rc', expected: '2.4.0' },
    { pattern: '^(\\d+)\\.(\\d+)$', extract: '$2.$1.0', tag: '4.2', expected: '2.4.0' },
    { pattern: '^(?P<a>x)', extract: '$$a-$missing-$a', tag: 'x', expected: '$a--x' },
    { pattern: '(?i)^REL-(?P<v>.*)', extract: '$v', tag: 'rel-1.0.0', expected: '1.0.0' },
    { pattern: '\\A(?P<v>[0-9.]+)\\z', extract: '$v', tag: '1.0.0', expected: '1.0.0' },
    { pattern: '^main-(?P<ts>[0-9]+)$', extract: '$ts', tag: 'release-1.0.0', expected: undefined },
  ])('expands $extract from $tag', ({ pattern, extract, tag, expected }) => {
    expect(goExpand(re2ToRegExp(pattern), extract, tag)).toBe(expected);
  });

  it.each(['[[:alpha:]]+', '\\pL+', '(?U)a+', 'a(?i)b'])(
    'refuses the RE2 pattern %s it cannot read the same way',
    (pattern) => {
      expect(() => re2ToRegExp(pattern)).toThrow(LocateError);
    },
  );
});
