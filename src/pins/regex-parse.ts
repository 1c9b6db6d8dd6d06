import { fail } from './errors.js';

/*
 * The syntax of a regex locator, read as JavaScript reads a pattern without the `u` flag (Annex B
 * included: `\u` without four hex digits is a `u`, a `{` that starts no count is a `{`), into a tree
 * the linear-time matcher in regex-vm.ts compiles. `new RegExp(pattern)` has accepted the pattern
 * first, so only what JavaScript allows is read here; what the matcher cannot run is refused with a
 * LocateError naming it.
 */

export type CharTest = (c: number) => boolean;
export type AssertKind = 'bol' | 'eol' | 'word' | 'nonword';

export type Ast =
  | { t: 'char'; test: CharTest }
  | { t: 'assert'; kind: AssertKind }
  | { t: 'group'; index: number | undefined; body: Ast }
  | { t: 'cat'; items: Ast[] }
  | { t: 'alt'; items: Ast[] }
  | { t: 'repeat'; body: Ast; min: number; max: number; greedy: boolean; firstGroup: number; groups: number };

/** The largest count a `{n,m}` may give. */
const MAX_COUNT = 1000;

export const isLineTerminator = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
export const isWordChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** Membership of one code unit in a class or escape, as JavaScript decides it (memoized). */
function nativeTest(source: string): CharTest {
  const re = new RegExp(`^${source}$`);
  const ascii = new Int8Array(128);
  const other = new Map<number, boolean>();
  return (c) => {
    if (c < 128) {
      if (ascii[c] === 0) ascii[c] = re.test(String.fromCharCode(c)) ? 1 : -1;
      return ascii[c] === 1;
    }
    let hit = other.get(c);
    if (hit === undefined) {
      hit = re.test(String.fromCharCode(c));
      if (other.size < 4096) other.set(c, hit);
    }
    return hit;
  };
}

class Parser {
  private i = 0;
  groups = 1;
  readonly names = new Map<string, number>();
  constructor(private readonly s: string) {}

  parse(): Ast {
    const ast = this.alternation();
    // RegExp accepted the pattern, so only an unbalanced `)` could be left; it never is.
    if (this.i < this.s.length) fail(`cannot read the regex at character ${this.i + 1}`);
    return ast;
  }

  private alternation(): Ast {
    const items = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private sequence(): Ast {
    const items: Ast[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const start = this.i;
      const firstGroup = this.groups;
      const atom = this.atom();
      items.push(this.quantified(atom, start, firstGroup));
    }
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  private quantified(body: Ast, start: number, firstGroup: number): Ast {
    const s = this.s;
    let min: number;
    let max: number;
    const c = s[this.i];
    const counted = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i)) : null;
    if (c === '*' || c === '+' || c === '?') {
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
      this.i++;
    } else if (counted) {
      min = Number(counted[1]);
      max = counted[2] === undefined ? min : counted[3] === '' ? Infinity : Number(counted[3]);
      if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) {
        fail(`${counted[0]} repeats more than ${MAX_COUNT} times; a version needs no such count`);
      }
      this.i += counted[0].length;
    } else {
      return body;
    }
    const greedy = s[this.i] !== '?';
    if (!greedy) this.i++;
    if (max > min && nullable(body)) {
      fail(
        `${s.slice(start, this.i)} repeats a part that can match nothing, which pinback does not run ` +
          '(JavaScript gives such empty repetitions rules a linear-time matcher cannot follow); make the part match at least one character',
      );
    }
    return { t: 'repeat', body, min, max, greedy, firstGroup, groups: this.groups - firstGroup };
  }

  private atom(): Ast {
    const s = this.s;
    const c = s[this.i]!;
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'assert', kind: c === '^' ? 'bol' : 'eol' };
    }
    if (c === '.') {
      this.i++;
      return { t: 'char', test: (x) => !isLineTerminator(x) };
    }
    if (c === '(') return this.group();
    if (c === '[') {
      const start = this.i;
      this.i++;
      while (this.i < s.length && s[this.i] !== ']') this.i += s[this.i] === '\\' ? 2 : 1;
      this.i++;
      return { t: 'char', test: nativeTest(s.slice(start, this.i)) };
    }
    if (c === '\\') return this.escape();
    this.i++;
    const code = c.charCodeAt(0);
    return { t: 'char', test: (x) => x === code };
  }

  private group(): Ast {
    const s = this.s;
    const open = this.i;
    let index: number | undefined;
    if (s.startsWith('(?:', open)) {
      this.i += 3;
    } else if (/^\(\?<?[=!]/.test(s.slice(open, open + 4))) {
      const kind = s[open + 2] === '<' ? 'lookbehind' : 'lookahead';
      fail(
        `${kind} ${s.slice(open, open + (kind === 'lookbehind' ? 4 : 3))}…) is not supported: pinback runs a regex locator in linear time; match the text around the version instead`,
      );
    } else if (s.startsWith('(?<', open)) {
      const close = s.indexOf('>', open);
      index = this.groups++;
      this.names.set(s.slice(open + 3, close), index);
      this.i = close + 1;
    } else {
      index = this.groups++;
      this.i++;
    }
    const body = this.alternation();
    this.i++; // `)`: RegExp checked the balance
    return { t: 'group', index, body };
  }

  private escape(): Ast {
    const s = this.s;
    const start = this.i;
    const next = s[start + 1] ?? '';
    if (next === 'b' || next === 'B') {
      this.i += 2;
      return { t: 'assert', kind: next === 'b' ? 'word' : 'nonword' };
    }
    if (/[1-9]/.test(next) || (next === '0' && /[0-9]/.test(s[start + 2] ?? ''))) {
      fail(
        `${s.slice(start, start + 2)} is a backreference (or an octal escape), which pinback does not run: a backreference cannot be matched in linear time; write the character out (\\xHH for a code)`,
      );
    }
    if (next === 'k') {
      fail(
        `${/^\\k<[^>]*>/.exec(s.slice(start))?.[0] ?? '\\k'} is a backreference, which pinback does not run: a backreference cannot be matched in linear time`,
      );
    }
    let length = 2;
    if (next === 'x' && /^[0-9A-Fa-f]{2}$/.test(s.slice(start + 2, start + 4))) length = 4;
    else if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(s.slice(start + 2, start + 6))) length = 6;
    else if (next === 'c') {
      if (!/[A-Za-z]/.test(s[start + 2] ?? ''))
        fail('\\c without a control letter: write \\\\c for a backslash and c');
      length = 3;
    }
    this.i += length;
    return { t: 'char', test: nativeTest(s.slice(start, start + length)) };
  }
}

function nullable(ast: Ast): boolean {
  switch (ast.t) {
    case 'char':
      return false;
    case 'assert':
      return true;
    case 'group':
      return nullable(ast.body);
    case 'cat':
      return ast.items.every(nullable);
    case 'alt':
      return ast.items.some(nullable);
    case 'repeat':
      return ast.min === 0 || nullable(ast.body);
  }
}

/** The tree of `pattern`, its number of groups (the whole match is group 0) and its named groups. */
export function parseRegex(pattern: string): { ast: Ast; groups: number; names: Map<string, number> } {
  const parser = new Parser(pattern);
  const ast = parser.parse();
  return { ast, groups: parser.groups, names: parser.names };
}
