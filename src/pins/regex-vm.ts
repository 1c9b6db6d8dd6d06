import { fail } from './errors.js';
import {
  type AssertKind,
  type Ast,
  type CharTest,
  isLineTerminator,
  isWordChar,
  parseRegex,
} from './regex-parse.js';

/*
 * A regex locator's pattern comes from the policy (in the Action's gate, from the pull request) and
 * the text it runs on from anyone who can change a pin file. JavaScript's own RegExp backtracks:
 * `(a|aa)+$` against 60 characters of pin text tries some 10^12 ways before it gives up (hours, the
 * event loop blocked), and neither a timeout nor a step limit can be set on it. So pinback runs locators here instead: the
 * pattern is parsed as JavaScript reads it (no flags but `m`), compiled to a small program, and run
 * as a Pike VM (Thompson's construction, with captures and leftmost-first priority): at most one
 * thread per instruction per character, so the time is O(pattern x text) whatever the pattern, and a
 * step budget bounds even that. Matches, spans and groups are those of a JavaScript RegExp.
 *
 * Why not a library: `re2js` (a pure-JS RE2, 700 KB unpacked) or `re2-wasm` would be a new
 * dependency in the bundled dist/ and read RE2's syntax, not JavaScript's, so existing locators would
 * change meaning. Why not refusing risky patterns and keeping RegExp: exponential ones can be told
 * (nested quantifiers, alternatives that overlap under a quantifier), but polynomial ones cannot
 * (`\w*\w*\w*\w*\w*\w*!` is degree 6), and a refusal list can only ever be incomplete.
 *
 * What cannot run in linear time is refused at once, naming the construct: backreferences
 * (`\1`, `\k<name>`), lookahead and lookbehind, and a repeated part that can match nothing (`(a*)*`:
 * JavaScript's rules for such empty iterations are not a finite automaton's). None is needed to find
 * a version.
 */

type Inst =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; to: number }
  | { op: 'save'; slot: number }
  | { op: 'reset'; from: number; to: number }
  | { op: 'assert'; kind: AssertKind }
  | { op: 'match' };

export interface Program {
  insts: Inst[];
  /** Capture groups, the whole match being group 0. */
  groups: number;
  names: Map<string, number>;
}

/** The most instructions a pattern may compile to (counts `{n,m}` are written out). */
const MAX_INSTS = 20_000;

function emit(ast: Ast, out: Inst[]): void {
  if (out.length > MAX_INSTS) {
    fail(`the regex is too large (over ${MAX_INSTS} steps once its counts {n,m} are written out)`);
  }
  switch (ast.t) {
    case 'char':
      out.push({ op: 'char', test: ast.test });
      return;
    case 'assert':
      out.push({ op: 'assert', kind: ast.kind });
      return;
    case 'group':
      if (ast.index !== undefined) out.push({ op: 'save', slot: 2 * ast.index });
      emit(ast.body, out);
      if (ast.index !== undefined) out.push({ op: 'save', slot: 2 * ast.index + 1 });
      return;
    case 'cat':
      for (const item of ast.items) emit(item, out);
      return;
    case 'alt': {
      const jumps: Extract<Inst, { op: 'jmp' }>[] = [];
      ast.items.forEach((item, k) => {
        const last = k === ast.items.length - 1;
        const split: Extract<Inst, { op: 'split' }> = { op: 'split', x: out.length + 1, y: -1 };
        if (!last) out.push(split);
        emit(item, out);
        if (!last) {
          const jmp: Extract<Inst, { op: 'jmp' }> = { op: 'jmp', to: -1 };
          jumps.push(jmp);
          out.push(jmp);
          split.y = out.length;
        }
      });
      for (const j of jumps) j.to = out.length;
      return;
    }
    case 'repeat':
      emitRepeat(ast, out);
  }
}

function emitRepeat(ast: Extract<Ast, { t: 'repeat' }>, out: Inst[]): void {
  // JavaScript forgets the groups inside a repeated part at the start of every repetition.
  const reset: Inst = { op: 'reset', from: 2 * ast.firstGroup, to: 2 * (ast.firstGroup + ast.groups) };
  const once = () => {
    if (ast.groups > 0) out.push(reset);
    emit(ast.body, out);
  };
  const branch = (): Extract<Inst, { op: 'split' }> => {
    const split: Extract<Inst, { op: 'split' }> = { op: 'split', x: -1, y: -1 };
    out.push(split);
    return split;
  };
  const take = (split: Extract<Inst, { op: 'split' }>, body: number, exit: number) => {
    split.x = ast.greedy ? body : exit;
    split.y = ast.greedy ? exit : body;
  };
  for (let k = 0; k < ast.min; k++) once();
  if (ast.max === Infinity) {
    const loop = out.length;
    const split = branch();
    once();
    out.push({ op: 'jmp', to: loop });
    take(split, loop + 1, out.length);
    return;
  }
  const splits: { split: Extract<Inst, { op: 'split' }>; body: number }[] = [];
  for (let k = ast.min; k < ast.max; k++) {
    const split = branch();
    splits.push({ split, body: out.length });
    once();
  }
  for (const { split, body } of splits) take(split, body, out.length);
}

/** Compiles `pattern` (which `new RegExp(pattern)` accepts); a LocateError names what is not run. */
export function compile(pattern: string): Program {
  const { ast, groups, names } = parseRegex(pattern);
  const insts: Inst[] = [];
  emit({ t: 'group', index: 0, body: ast }, insts);
  insts.push({ op: 'match' });
  return { insts, groups, names };
}

/** One match: `caps[2g]`, `caps[2g+1]` are group g's [start, end), or -1 where it took no part. */
export interface VmMatch {
  caps: readonly number[];
}

export interface Search {
  matches: VmMatch[];
  /** False when the step budget ran out before the end of the text: `matches` are the first ones. */
  complete: boolean;
}

function holds(kind: AssertKind, text: string, sp: number): boolean {
  const before = sp > 0 ? text.charCodeAt(sp - 1) : -1;
  const after = sp < text.length ? text.charCodeAt(sp) : -1;
  switch (kind) {
    case 'bol':
      return sp === 0 || isLineTerminator(before);
    case 'eol':
      return sp === text.length || isLineTerminator(after);
    case 'word':
    case 'nonword':
      return (isWordChar(before) !== isWordChar(after)) === (kind === 'word');
  }
}

/**
 * Every match of `program` in `text`, as `String.prototype.matchAll` finds them (after an empty
 * match the search goes on one character later), stopping after `limit` matches or `budget` steps.
 */
const OP = { char: 0, match: 1, jmp: 2, split: 3, save: 4, reset: 5, assert: 6 } as const;

export function searchAll(program: Program, text: string, limit: number, budget: number): Search {
  const { insts } = program;
  const size = insts.length;
  // The program as flat arrays: the loops below run millions of times and stay monomorphic.
  const op = new Uint8Array(size);
  const a = new Int32Array(size);
  const b = new Int32Array(size);
  const tests: (CharTest | undefined)[] = [];
  const kinds: (AssertKind | undefined)[] = [];
  insts.forEach((inst, pc) => {
    op[pc] = OP[inst.op];
    if (inst.op === 'char') tests[pc] = inst.test;
    else if (inst.op === 'jmp') a[pc] = inst.to;
    else if (inst.op === 'split') [a[pc], b[pc]] = [inst.x, inst.y];
    else if (inst.op === 'save') a[pc] = inst.slot;
    else if (inst.op === 'reset') [a[pc], b[pc]] = [inst.from, inst.to];
    else if (inst.op === 'assert') kinds[pc] = inst.kind;
  });
  const seen = new Int32Array(size).fill(-1);
  let generation = 0;
  let steps = 0;
  const matches: VmMatch[] = [];
  // Captures are copied on write only: every fresh thread shares this one.
  const none: number[] = new Array<number>(2 * program.groups).fill(-1);

  // The threads at the position read (`cur`) and at the next one (`nxt`), highest priority first:
  // at most one per instruction. Plain arrays, swapped each step.
  let curPcs = new Int32Array(size);
  let curCaps = new Array<number[]>(size).fill(none);
  let curLength = 0;
  let nxtPcs = new Int32Array(size);
  let nxtCaps = new Array<number[]>(size).fill(none);
  let nxtLength = 0;
  const swap = () => {
    [curPcs, nxtPcs] = [nxtPcs, curPcs];
    [curCaps, nxtCaps] = [nxtCaps, curCaps];
    curLength = nxtLength;
    nxtLength = 0;
  };
  // The closure's work list: each instruction, once past `seen`, pushes at most two entries.
  const stackPcs = new Int32Array(2 * size + 2);
  const stackCaps = new Array<number[]>(2 * size + 2).fill(none);

  /** Adds to `nxt` what `pc` leads to through jumps, splits, saves, resets and assertions, in priority order. */
  const add = (pc0: number, caps0: number[], sp: number): void => {
    let top = 0;
    stackPcs[top] = pc0;
    stackCaps[top++] = caps0;
    while (top > 0) {
      const pc = stackPcs[--top]!;
      const caps = stackCaps[top]!;
      steps++;
      if (seen[pc] === generation) continue;
      seen[pc] = generation;
      switch (op[pc]) {
        case OP.jmp:
          stackPcs[top] = a[pc]!;
          stackCaps[top++] = caps;
          break;
        case OP.split:
          stackPcs[top] = b[pc]!;
          stackCaps[top++] = caps;
          stackPcs[top] = a[pc]!;
          stackCaps[top++] = caps;
          break;
        case OP.save: {
          const next = caps.slice();
          next[a[pc]!] = sp;
          stackPcs[top] = pc + 1;
          stackCaps[top++] = next;
          break;
        }
        case OP.reset: {
          const next = caps.slice();
          next.fill(-1, a[pc]!, b[pc]!);
          stackPcs[top] = pc + 1;
          stackCaps[top++] = next;
          break;
        }
        case OP.assert:
          if (holds(kinds[pc]!, text, sp)) {
            stackPcs[top] = pc + 1;
            stackCaps[top++] = caps;
          }
          break;
        default:
          nxtPcs[nxtLength] = pc;
          nxtCaps[nxtLength++] = caps;
      }
    }
  };

  let from = 0;
  while (from <= text.length && matches.length < limit) {
    let found: number[] | undefined;
    generation++;
    nxtLength = 0;
    add(0, none, from);
    swap();
    for (let sp = from; curLength > 0 || found === undefined; sp++) {
      // `cur`: the threads at `sp`, highest priority first (an earlier start ranks first).
      generation++;
      const c = sp < text.length ? text.charCodeAt(sp) : -1;
      for (let k = 0; k < curLength; k++) {
        const pc = curPcs[k]!;
        if (op[pc] === OP.match) {
          // Lower-priority threads lose to this match; higher ones, already in `nxt`, go on.
          found = curCaps[k]!;
          break;
        }
        if (c < 0 || !tests[pc]!(c)) continue;
        const to = pc + 1;
        if (op[to]! <= OP.match) {
          // The common case, a character after a character: no closure to follow.
          if (seen[to] === generation) continue;
          seen[to] = generation;
          nxtPcs[nxtLength] = to;
          nxtCaps[nxtLength++] = curCaps[k]!;
        } else add(to, curCaps[k]!, sp + 1);
      }
      steps += curLength;
      if (steps > budget) return { matches, complete: false };
      if (sp >= text.length) break;
      if (found === undefined) add(0, none, sp + 1);
      swap();
    }
    if (found === undefined) break;
    matches.push({ caps: found });
    from = found[1]! === found[0]! ? found[1]! + 1 : found[1]!;
  }
  return { matches, complete: true };
}
