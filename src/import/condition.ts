/**
 * Argo Rollouts' `successCondition` / `failureCondition` (expr-lang expressions over `result`) read
 * as pinback limits (pure). Only the simple forms have a faithful translation: comparisons of one
 * value with numbers (`result[0] <= 0.05`, `result >= 0.95 && result <= 1.5`), guards for no data
 * (`len(result) == 0 || ...`, `isNaN(result) || ...`, `default(result, 0) < 1`) and the casts
 * `asFloat`/`asInt`. Anything else is refused with the reason, never guessed.
 *
 * Semantics (argo-rollouts utils/evaluate/evaluate.go, EvaluateResult): a measurement fails when the
 * failure condition holds, or, without one, when the success condition does not; with both and
 * neither holding it is inconclusive; an expression that cannot be evaluated (no data without a
 * guard) is an error. pinback breaches when the value is above `max` or below `min`.
 */
import { parseExpression, type Expr } from './expression.js';

/** The value a condition compares: `result[0]` is `[0]`, `result.data.ok` is `['data', 'ok']`. */
export type Segment = number | string;

type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';

interface Value {
  path: Segment[];
  /** `default(result, 0)`: the value compared when there is none. */
  fallback?: number;
}

type Atom = { k: 'cmp'; op: Op; bound: number; value: Value } | { k: 'no_data' } | { k: 'has_data' };
type Form = { t: 'and' | 'or'; items: Form[] } | { t: 'not'; x: Form } | { t: 'atom'; a: Atom };

class Refused extends Error {}
const refuse = (reason: string): never => {
  throw new Refused(reason);
};

export const showPath = (path: readonly Segment[]): string =>
  `result${path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`;

const CASTS = new Set(['asFloat', 'asInt', 'float', 'int']);

/** The numeric value an operand reads, or undefined when it is not one. */
function valueOf(e: Expr): Value | undefined {
  if (e.t === 'ref' && e.root === 'result') return { path: e.path };
  if (e.t === 'call' && e.path.length === 0) {
    if (CASTS.has(e.name) && e.args.length === 1) return valueOf(e.args[0]!);
    if (e.name === 'default' && e.args.length === 2) {
      const inner = valueOf(e.args[0]!);
      const fallback = e.args[1]!;
      if (inner && fallback.t === 'num') return { ...inner, fallback: fallback.v };
      if (inner) refuse('default(...) takes a number as its fallback here');
    }
  }
  return undefined;
}

const isResultLength = (e: Expr) =>
  e.t === 'call' && e.name === 'len' && e.args.length === 1 && e.args[0]!.t === 'ref' && e.path.length === 0;

const FLIP: Record<Op, Op> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };
const NEGATE: Record<Op, Op> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==' };

function holds(v: number, op: Op, bound: number): boolean {
  switch (op) {
    case '<':
      return v < bound;
    case '<=':
      return v <= bound;
    case '>':
      return v > bound;
    case '>=':
      return v >= bound;
    case '==':
      return v === bound;
    case '!=':
      return v !== bound;
  }
}

function describe(e: Expr): string {
  if (e.t === 'str') return `the text ${JSON.stringify(e.v)}`;
  if (e.t === 'bool') return String(e.v);
  if (e.t === 'nil') return 'nil';
  return 'another value';
}

function lengthGuard(op: Op, n: number): Atom {
  const empty = holds(0, op, n);
  // A guard is about empty or not: `len(result) == 0`, `len(result) > 0`; one with 1 element is no data too.
  if (empty === holds(1, op, n) || holds(1, op, n) !== holds(2, op, n))
    refuse(`len(result) ${op} ${n} is not a test for an empty result`);
  return empty ? { k: 'no_data' } : { k: 'has_data' };
}

const AGGREGATES = new Set(['all', 'any', 'none', 'one', 'max', 'min', 'mean', 'median', 'sum', 'count']);

function overSeveral(name: string): never {
  return refuse(
    `${name}(...) over several values: pinback judges one value a step (aggregate: last, mean, max, min or a ` +
      'percentile of the window; reduce: sum, max, mean or min across series)',
  );
}

function comparison(e: Extract<Expr, { t: 'cmp' }>): Atom {
  const op = e.op as Op;
  for (const side of [e.l, e.r]) if (side.t === 'call' && AGGREGATES.has(side.name)) overSeveral(side.name);
  if (isResultLength(e.l) && e.r.t === 'num') return lengthGuard(op, e.r.v);
  if (isResultLength(e.r) && e.l.t === 'num') return lengthGuard(FLIP[op], e.l.v);
  let value = valueOf(e.l);
  let other = e.r;
  let o = op;
  if (!value) {
    value = valueOf(e.r);
    other = e.l;
    o = FLIP[op];
  }
  if (!value) refuse('a comparison must read result (result, result[0], result.field) against a number');
  if (other.t === 'nil' && (o === '==' || o === '!=')) return { k: o === '==' ? 'no_data' : 'has_data' };
  if (other.t !== 'num') {
    return refuse(
      `${showPath(value!.path)} is compared with ${describe(other)}: pinback's limits are numbers ` +
        '(make the metric answer a number, e.g. 1 for ok and 0 for not, and compare that)',
    );
  }
  return { k: 'cmp', op: o, bound: other.v, value: value! };
}

function formOf(e: Expr): Form {
  switch (e.t) {
    case 'and':
    case 'or':
      return { t: e.t, items: e.items.map(formOf) };
    case 'not':
      return { t: 'not', x: formOf(e.x) };
    case 'cmp':
      return { t: 'atom', a: comparison(e) };
    case 'call':
      if ((e.name === 'isNaN' || e.name === 'isNil') && e.path.length === 0)
        return { t: 'atom', a: { k: 'no_data' } };
      if (e.name === 'isInf')
        return refuse(
          'isInf(...): pinback reads an infinite value as no data (see on_no_data), not as a value',
        );
      if (AGGREGATES.has(e.name)) return overSeveral(e.name);
      return refuse(
        `${e.name}(...) is not one of the simple forms (comparisons, len, isNaN, default, asFloat, asInt)`,
      );
    case 'ref':
      return refuse(`${showPath(e.path)} is read as true or false: pinback's limits are numbers`);
    default:
      return refuse('a condition is a comparison of result with a number, or several joined by && or ||');
  }
}

type Truth = boolean | 'error';

/** What the condition says when there is no data: true, false, or an error (expr cannot evaluate it). */
function withoutData(f: Form): Truth {
  switch (f.t) {
    case 'atom':
      if (f.a.k === 'no_data') return true;
      if (f.a.k === 'has_data') return false;
      return f.a.value.fallback === undefined ? 'error' : holds(f.a.value.fallback, f.a.op, f.a.bound);
    case 'not': {
      const x = withoutData(f.x);
      return x === 'error' ? x : !x;
    }
    case 'and':
    case 'or':
      // expr-lang evaluates left to right and stops at the first operand that decides.
      for (const item of f.items) {
        const r = withoutData(item);
        if (r === 'error') return r;
        if (r === (f.t === 'or')) return r;
      }
      return f.t === 'and';
  }
}

type Cmp = Extract<Atom, { k: 'cmp' }>;
/** With data: comparisons only (guards are constants), negations pushed into the comparisons. */
type DataForm = boolean | Cmp | { t: 'and' | 'or'; items: DataForm[] };

function withData(f: Form, negated = false): DataForm {
  switch (f.t) {
    case 'atom':
      if (f.a.k === 'cmp') return negated ? { ...f.a, op: NEGATE[f.a.op] } : f.a;
      return (f.a.k === 'has_data') !== negated;
    case 'not':
      return withData(f.x, !negated);
    case 'and':
    case 'or': {
      const t = (f.t === 'and') !== negated ? 'and' : 'or';
      const items: DataForm[] = [];
      for (const item of f.items.map((i) => withData(i, negated))) {
        if (typeof item === 'boolean') {
          // true in an `or` (false in an `and`) decides; the other constant drops out.
          if (item === (t === 'or')) return item;
          continue;
        }
        if (typeof item === 'object' && 't' in item && item.t === t) items.push(...item.items);
        else items.push(item);
      }
      if (items.length === 0) return t === 'and';
      return items.length === 1 ? items[0]! : { t, items };
    }
  }
}

export interface ConditionLimits {
  path: Segment[];
  max?: number;
  min?: number;
  /** Where pinback decides otherwise at the limit itself (a strict comparison in the source). */
  boundary: string[];
  /** The condition's truth without data. */
  noData: Truth;
}

export type Parsed = { ok: true; limits: ConditionLimits } | { ok: false; reason: string };

/**
 * One condition as limits. `role` says what it holding means: `success` (the measurement passes)
 * or `failure` (it fails).
 */
export function parseCondition(text: string, role: 'success' | 'failure'): Parsed {
  try {
    const parsed = parseExpression(text);
    if (!parsed.ok) return parsed;
    const form = formOf(parsed.expr);
    const data = withData(form);
    if (typeof data === 'boolean') {
      return refuse(
        `with data it is always ${data}: it does not depend on the value, so there is no limit to take`,
      );
    }
    // The comparisons whose holding means a breach (failure) or a pass (success) must be joined the
    // way a max and a min are: a pass needs all of them, a breach any one of them.
    const joint = role === 'success' ? 'and' : 'or';
    const cmps = 'k' in data ? [data] : data.t === joint ? (data.items as DataForm[]) : undefined;
    if (!cmps || cmps.some((c) => typeof c !== 'object' || !('k' in c))) {
      return refuse(
        role === 'success'
          ? 'a success condition passes here when either of several comparisons holds: pinback breaches above a max or below a min, one range'
          : 'a failure condition fails here only when several comparisons hold together: pinback breaches above a max or below a min, one range',
      );
    }
    const list = cmps as Cmp[];
    const path = list[0]!.value.path;
    const other = list.find((c) => showPath(c.value.path) !== showPath(path));
    if (other)
      refuse(
        `it compares two values (${showPath(path)} and ${showPath(other.value.path)}): a trigger judges one`,
      );
    const limits: ConditionLimits = { path, boundary: [], noData: withoutData(form) };
    for (const c of list) {
      // A success comparison is a pass; pinback's limits say what breaches: its negation.
      const breach = role === 'success' ? NEGATE[c.op] : c.op;
      if (breach === '==' || breach === '!=')
        refuse(
          `${c.op} ${c.bound}: an equality has no max or min (pinback breaches above a max or below a min)`,
        );
      const key = breach === '>' || breach === '>=' ? 'max' : 'min';
      if (limits[key] !== undefined)
        refuse(`it has two ${key === 'max' ? 'upper' : 'lower'} limits: keep one`);
      limits[key] = c.bound;
      // pinback breaches strictly (value > max, value < min): the limit itself passes.
      if (breach === '>=' || breach === '<=') {
        limits.boundary.push(
          `at exactly ${c.bound} the source fails the measurement and pinback passes it (${key}: ${c.bound} allows ${c.bound})`,
        );
      }
    }
    if (limits.max !== undefined && limits.min !== undefined && limits.min > limits.max)
      refuse(`no value passes it (below ${limits.min} and above ${limits.max} both fail)`);
    return { ok: true, limits };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, reason: e.message };
    throw e;
  }
}

/** A metric's two conditions together: the limits of one trigger and what no data means. */
export interface Judgement {
  path: Segment[];
  max?: number;
  min?: number;
  /** undefined: pinback's default (inconclusive), as an evaluation error is neither pass nor fail. */
  onNoData?: 'allow' | 'stop';
  /** What differs from the source's meaning (translated all the same). */
  changed: string[];
}

export type Judged =
  | { ok: true; judgement: Judgement }
  | { ok: false; field: 'successCondition' | 'failureCondition' | 'metric'; reason: string };

const sameLimits = (a: ConditionLimits, b: ConditionLimits) => a.max === b.max && a.min === b.min;

function noDataOf(s: Truth | undefined, f: Truth | undefined): 'allow' | 'stop' | undefined {
  if (s === 'error' || f === 'error') return undefined;
  if (f !== undefined && s !== undefined) return f ? 'stop' : s ? 'allow' : undefined;
  if (f !== undefined) return f ? 'stop' : 'allow';
  return s ? 'allow' : 'stop';
}

export function judgementOf(success: string | undefined, failure: string | undefined): Judged {
  if (success === undefined && failure === undefined) {
    return {
      ok: false,
      field: 'metric',
      reason:
        'no successCondition or failureCondition: Argo Rollouts counts every measurement a success, and a pinback trigger needs a limit',
    };
  }
  const s = success === undefined ? undefined : parseCondition(success, 'success');
  const f = failure === undefined ? undefined : parseCondition(failure, 'failure');
  if (s && !s.ok) return { ok: false, field: 'successCondition', reason: s.reason };
  if (f && !f.ok) return { ok: false, field: 'failureCondition', reason: f.reason };
  const sl = s?.ok ? s.limits : undefined;
  const fl = f?.ok ? f.limits : undefined;
  if (sl && fl && showPath(sl.path) !== showPath(fl.path)) {
    return {
      ok: false,
      field: 'failureCondition',
      reason: `the two conditions read different values (${showPath(sl.path)} and ${showPath(fl.path)})`,
    };
  }
  const main = (fl ?? sl)!;
  const changed = [...main.boundary];
  if (sl && fl && !sameLimits(sl, fl)) {
    changed.push(
      'values that meet neither condition are inconclusive in Argo Rollouts (the rollout pauses); pinback has no such band: ' +
        'it breaches past the failureCondition and passes the rest',
    );
  }
  const judgement: Judgement = { path: main.path, changed };
  if (main.max !== undefined) judgement.max = main.max;
  if (main.min !== undefined) judgement.min = main.min;
  const onNoData = noDataOf(sl?.noData, fl?.noData);
  if (onNoData) judgement.onNoData = onNoData;
  return { ok: true, judgement };
}
