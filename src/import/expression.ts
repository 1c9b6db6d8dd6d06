/**
 * A tiny parser for the part of expr-lang (the language of Argo Rollouts' conditions) that
 * condition.ts can translate: comparisons, `&&`/`||`/`!` (and `and`/`or`/`not`), parentheses,
 * numbers, strings, `true`/`false`/`nil`, `result` with `[N]` and `.field`, and function calls.
 * Anything else (arithmetic, `in`, `matches`, closures, ternaries) is refused with where it stopped.
 */

export type Expr =
  | { t: 'or' | 'and'; items: Expr[] }
  | { t: 'not'; x: Expr }
  | { t: 'cmp'; op: string; l: Expr; r: Expr }
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'ref'; root: string; path: Array<number | string> }
  | { t: 'call'; name: string; args: Expr[]; path: Array<number | string> };

type Token =
  { k: 'num'; v: number } | { k: 'str'; v: string } | { k: 'id'; v: string } | { k: 'op'; v: string };

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', ',', '.', '-', '#'];

class Stop extends Error {}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const num = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest);
    if (num) {
      out.push({ k: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (id) {
      out.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      const end = rest.indexOf(quote, 1);
      if (end === -1) throw new Stop(`an unclosed ${quote} string`);
      out.push({ k: 'str', v: rest.slice(1, end) });
      i += end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new Stop(`"${rest[0]}" (at character ${i + 1}) is not part of the simple forms`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  return out;
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** Parses one condition; a refusal says where and why. */
export function parseExpression(text: string): { ok: true; expr: Expr } | { ok: false; reason: string } {
  let list: Token[];
  try {
    list = tokens(text);
  } catch (e) {
    if (e instanceof Stop) return { ok: false, reason: e.message };
    throw e;
  }
  let at = 0;
  const peek = () => list[at];
  const isOp = (v: string) => {
    const t = peek();
    return t !== undefined && t.k === 'op' && t.v === v;
  };
  const isWord = (v: string) => {
    const t = peek();
    return t !== undefined && t.k === 'id' && t.v === v;
  };
  const expect = (v: string) => {
    if (!isOp(v)) throw new Stop(`expected "${v}" ${where()}`);
    at++;
  };
  const where = () => {
    const t = peek();
    return t === undefined ? 'at the end' : `at ${t.k === 'str' ? JSON.stringify(t.v) : `"${String(t.v)}"`}`;
  };

  const or = (): Expr => {
    const items = [and()];
    while (isOp('||') || isWord('or')) {
      at++;
      items.push(and());
    }
    return items.length === 1 ? items[0]! : { t: 'or', items };
  };
  const and = (): Expr => {
    const items = [unary()];
    while (isOp('&&') || isWord('and')) {
      at++;
      items.push(unary());
    }
    return items.length === 1 ? items[0]! : { t: 'and', items };
  };
  const unary = (): Expr => {
    if (isOp('!') || isWord('not')) {
      at++;
      return { t: 'not', x: unary() };
    }
    const l = operand();
    const t = peek();
    if (t?.k === 'op' && COMPARISONS.has(t.v)) {
      at++;
      return { t: 'cmp', op: t.v, l, r: operand() };
    }
    return l;
  };
  const postfix = (): Array<number | string> => {
    const path: Array<number | string> = [];
    for (;;) {
      if (isOp('[')) {
        at++;
        const t = peek();
        if (t?.k === 'num' && Number.isInteger(t.v)) path.push(t.v);
        else if (t?.k === 'str') path.push(t.v);
        else throw new Stop(`an index is a whole number or a quoted key, not what stands ${where()}`);
        at++;
        expect(']');
      } else if (isOp('.')) {
        at++;
        const t = peek();
        if (t?.k !== 'id') throw new Stop(`expected a field name after "." ${where()}`);
        path.push(t.v);
        at++;
      } else return path;
    }
  };
  const operand = (): Expr => {
    const t = peek();
    if (t === undefined) throw new Stop('the condition ends where a value is expected');
    if (isOp('(')) {
      at++;
      const inner = or();
      expect(')');
      return inner;
    }
    if (isOp('-')) {
      at++;
      const n = peek();
      if (n?.k !== 'num') throw new Stop(`"-" must precede a number here, not what stands ${where()}`);
      at++;
      return { t: 'num', v: -n.v };
    }
    if (isOp('#')) {
      at++;
      return { t: 'ref', root: '#', path: postfix() };
    }
    at++;
    if (t.k === 'num') return { t: 'num', v: t.v };
    if (t.k === 'str') return { t: 'str', v: t.v };
    if (t.k === 'op') throw new Stop(`"${t.v}" stands where a value is expected`);
    if (t.v === 'true' || t.v === 'false') return { t: 'bool', v: t.v === 'true' };
    if (t.v === 'nil') return { t: 'nil' };
    if (isOp('(')) {
      at++;
      const args: Expr[] = [];
      if (!isOp(')')) {
        args.push(or());
        while (isOp(',')) {
          at++;
          args.push(or());
        }
      }
      expect(')');
      return { t: 'call', name: t.v, args, path: postfix() };
    }
    return { t: 'ref', root: t.v, path: postfix() };
  };

  try {
    const expr = or();
    if (at < list.length) throw new Stop(`unexpected ${where()} (only comparisons joined by &&, || and !)`);
    return { ok: true, expr };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, reason: e.message };
    throw e;
  }
}
