import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPin } from '../../src/pins/index.js';
import { LocateError } from '../../src/pins/errors.js';
import { regexProblem } from '../../src/pins/regex.js';
import { compile, searchAll } from '../../src/pins/regex-vm.js';

function failure(text: string, regex: string): string {
  try {
    readPin(text, { regex }, 'pins.env');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a PinError');
}

describe('a regex locator runs in linear time', () => {
  it(
    'reads (a|aa)+ against 60 characters of pin text at once (RegExp backtracks for ages)',
    { timeout: 5000 },
    () => {
      const text = `TAG=${'a'.repeat(60)}!\n`;
      expect(failure(text, '^TAG=(?<version>(a|aa)+)$')).toMatch(
        /^pins\.env: regex .*: the regex matches nothing/,
      );
      expect(readPin(text, { regex: '^TAG=(?<version>(a|aa)+)!$' }, 'pins.env').version).toBe('a'.repeat(60));
    },
  );

  it('reads nested quantifiers and polynomial patterns at once', { timeout: 5000 }, () => {
    const text = `v=${'a'.repeat(5000)}\n`;
    expect(failure(text, '^v=(?<version>(a+)+)b$')).toContain('the regex matches nothing');
    expect(failure(text, '^v=(?<version>\\w*\\w*\\w*\\w*\\w*\\w*)!')).toContain('the regex matches nothing');
    expect(readPin(`${text}v=1.2.3\n`, { regex: '^v=(?<version>(\\d+\\.?)+)$' }, 'pins.env').version).toBe(
      '1.2.3',
    );
  });

  it('stops at its step budget with a clear error, on any pattern', { timeout: 5000 }, () => {
    const text = 'x'.repeat(400_000);
    // 1000 instructions, each alive at every character: far past the budget, stopped at it.
    const regex = `(?<version>(?:${'[^y]'.repeat(400)}))y`;
    expect(failure(text, regex)).toMatch(
      /the regex takes more than 20000000 steps on this file \(400000 characters\)/,
    );
  });

  it.each([
    ['(?<version>\\S+)(?=\\n)', 'lookahead (?=…) is not supported'],
    ['(?<version>\\S+)(?!x)', 'lookahead (?!…) is not supported'],
    ['(?<=tag: )(?<version>\\S+)', 'lookbehind (?<=…) is not supported'],
    ['(?<!x)(?<version>\\S+)', 'lookbehind (?<!…) is not supported'],
    ['(a)(?<version>\\1)', '\\1 is a backreference'],
    ['(?<version>a)\\k<version>', '\\k<version> is a backreference'],
    ['(?<version>(a*)*)', '(a*)* repeats a part that can match nothing'],
    ['(?<version>(?:a|)+)', '(?:a|)+ repeats a part that can match nothing'],
    ['(?<version>a{1001})', '{1001} repeats more than 1000 times'],
    ['(?<version>(?:a{1000}){30})', 'the regex is too large'],
  ])('refuses %s, naming the construct', (regex, message) => {
    expect(regexProblem(regex)).toContain(message);
    expect(failure('a\n', regex)).toContain(message);
  });

  it('still says what RegExp says of an invalid pattern, and asks for the version group', () => {
    expect(regexProblem('(?<version>[')).toMatch(/^not a valid regular expression: /);
    expect(regexProblem('v(\\d+)')).toBe('the regex needs a named group (?<version>...)');
    expect(regexProblem('^image: \\S+:(?<version>\\S+)$')).toBeUndefined();
  });

  it('counts at most 100 matches in its message', () => {
    const text = 'v=1\n'.repeat(150);
    expect(failure(text, '^v=(?<version>\\d)$')).toContain('the regex matches at least 100 times');
  });
});

/** Every match as RegExp's matchAll finds it: the whole match and each group's [start, end). */
function native(pattern: string, text: string): (number[] | undefined)[][] {
  return [...text.matchAll(new RegExp(pattern, 'dgm'))].map((m) =>
    [...m.indices!].map((r) => (r ? [r[0], r[1]] : undefined)),
  );
}

function vm(pattern: string, text: string): (number[] | undefined)[][] {
  const program = compile(pattern);
  const { matches } = searchAll(program, text, 1000, 10_000_000);
  return matches.map((m) =>
    Array.from({ length: program.groups }, (_, g) =>
      m.caps[2 * g]! < 0 ? undefined : [m.caps[2 * g]!, m.caps[2 * g + 1]!],
    ),
  );
}

describe('the linear matcher finds what RegExp finds', () => {
  const atom = fc.constantFrom(
    'a',
    'b',
    '-',
    '.',
    '[ab]',
    '[^a]',
    '[a-]',
    '\\w',
    '\\W',
    '\\s',
    '\\S',
    '\\d',
    '\\n',
    '\\x61',
    '\\u0062',
    '\\.',
    '^',
    '$',
    '\\b',
    '\\B',
    '{',
    '\\r',
    '\\D',
    '[^\\n]',
    '[\\s\\S]',
    '[\\d-z]',
    '\\cJ',
    '\\0',
    'é',
  );
  const quantifier = fc.constantFrom(
    '',
    '',
    '',
    '*',
    '+',
    '?',
    '{2}',
    '{1,2}',
    '{0,2}',
    '{2,}',
    '*?',
    '+?',
    '??',
    '{1,3}?',
  );
  const { pattern } = fc.letrec<{ pattern: string; term: string }>((tie) => ({
    pattern: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('term'),
      fc.tuple(tie('term'), tie('pattern')).map(([a, b]) => a + b),
      fc.tuple(tie('term'), tie('pattern')).map(([a, b]) => `${a}|${b}`),
    ),
    term: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.tuple(atom, quantifier).map(([a, q]) => (/^(\^|\$|\\b|\\B)$/.test(a) ? a : a + q)),
      fc
        .tuple(fc.constantFrom('(', '(?:', '(?<g>'), tie('pattern'), quantifier)
        .map(([open, body, q]) => `${open}${body})${q}`),
    ),
  }));
  const text = fc
    .array(fc.constantFrom('a', 'b', '-', ' ', '\n', '\r', '.', 'é', '\u{1F600}', '_', '1', '{', 'z', '\0'), {
      maxLength: 14,
    })
    .map((chars) => chars.join(''));

  it('on random patterns and texts', () => {
    let tried = 0;
    let matched = 0;
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        let valid = true;
        try {
          new RegExp(p, 'dgm');
          compile(p);
        } catch (e) {
          if (!(e instanceof SyntaxError || e instanceof LocateError)) throw e;
          valid = false;
        }
        fc.pre(valid);
        tried++;
        if (native(p, t).length > 0) matched++;
        expect(vm(p, t)).toEqual(native(p, t));
      }),
      { numRuns: 3000 },
    );
    // The generator must mostly make patterns both run, and most of them must find something.
    expect(tried).toBeGreaterThan(2000);
    expect(matched).toBeGreaterThan(1000);
  });

  it.each([
    ['(?:(a)|b)+', 'ab'],
    ['(a|ab)(c|bcd)(d*)', 'abcd'],
    ['(a+?)(b*?)', 'aabb'],
    ['^(?<version>[^\\n]*)$', 'x\r\ny\n'],
    ['\\bv(?<version>\\d+)\\b', 'v1 xv2 v3x v4'],
    ['(?<version>)', 'ab'],
    ['x*', 'axxb'],
    ['(?<version>[\\s\\S]+?)!', 'ab\ncd!e!'],
    ['\\u{2}', 'uu'],
  ])('on %s against %j', (p, t) => {
    expect(vm(p, t)).toEqual(native(p, t));
  });
});
