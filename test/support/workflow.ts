/**
 * A workflow's own parts run as GitHub's runner runs them, for tests of the workflows pinback ships
 * (.github/workflows/pinback.yml and the callers in examples/workflows): `${{ }}` expressions
 * evaluated over the contexts a test gives, and `run:` steps in bash with the runner's file commands
 * (GITHUB_OUTPUT, GITHUB_ENV). GitHub's own machinery (matrix fan-out, artifacts, `uses:` of another
 * action) is the test's to play.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeWhenDone } from './git.js';

export interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string | number>;
  with?: Record<string, string | number | boolean>;
}
export interface Job {
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
  secrets?: Record<string, string> | 'inherit';
  permissions?: Record<string, string>;
  'timeout-minutes'?: number | string;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  outputs?: Record<string, string>;
  steps: Step[];
}
export interface CallInput {
  description?: string;
  type: string;
  default?: unknown;
}
export interface Workflow {
  on: {
    workflow_call: {
      inputs: Record<string, CallInput>;
      secrets: Record<string, { description?: string; required?: boolean }>;
      outputs: Record<string, { description?: string; value: string }>;
    };
  };
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

export type Context = Record<string, unknown>;

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'word'; value: string }
  | { kind: 'op'; value: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      for (i++; i < expr.length; i++) {
        // '' is a quote inside a string.
        if (expr[i] === "'" && expr[i + 1] === "'") {
          value += "'";
          i++;
        } else if (expr[i] === "'") break;
        else value += expr[i];
      }
      if (i >= expr.length) throw new Error(`unterminated string in: ${expr}`);
      i++;
      tokens.push({ kind: 'string', value });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(expr.slice(i))!;
      tokens.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w-]*/.exec(expr.slice(i))!;
      tokens.push({ kind: 'word', value: m[0] });
      i += m[0].length;
    } else {
      const op = ['==', '!=', '&&', '||', '<=', '>='].find((o) => expr.startsWith(o, i)) ?? c;
      if (!'==!=&&||<=>=!()[].,<>'.includes(op)) throw new Error(`unsupported character ${c} in: ${expr}`);
      tokens.push({ kind: 'op', value: op });
      i += op.length;
    }
  }
  return tokens;
}

/** GitHub's truthiness: false, 0, '', null (and undefined: a missing property) are false. */
const truthy = (v: unknown): boolean =>
  !(v === false || v === 0 || v === '' || v === null || v === undefined);

function asNumber(v: unknown): number {
  if (v === null || v === undefined || v === false || v === '') return 0;
  if (v === true) return 1;
  return Number(v);
}

/** `==` as GitHub compares: strings case-insensitively, different types as numbers. */
function equal(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === undefined ? null : v);
  const [x, y] = [norm(a), norm(b)];
  if (typeof x === 'string' && typeof y === 'string') return x.toLowerCase() === y.toLowerCase();
  if (typeof x === typeof y || x === null || y === null) return x === y;
  return asNumber(x) === asNumber(y);
}

/** A value as GitHub writes it into text: objects and arrays as JSON, a missing one as ''. */
export const asText = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  fromjson: (s) => JSON.parse(asText(s)),
  tojson: (v) => JSON.stringify(v ?? null, null, 2),
  format: (f, ...args) => asText(f).replace(/\{(\d+)\}/g, (_, n: string) => asText(args[Number(n)])),
  contains: (hay, needle) =>
    Array.isArray(hay)
      ? hay.some((h) => equal(h, needle))
      : asText(hay).toLowerCase().includes(asText(needle).toLowerCase()),
  startswith: (s, p) => asText(s).toLowerCase().startsWith(asText(p).toLowerCase()),
  join: (a, sep = ',') => (Array.isArray(a) ? a.map(asText).join(asText(sep)) : asText(a)),
};

/** One expression (the text inside `${{ }}`) over the contexts. */
export function evaluateExpression(expr: string, ctx: Context): unknown {
  const tokens = tokenize(expr);
  let at = 0;
  const peek = () => tokens[at];
  const isOp = (v: string) => peek()?.kind === 'op' && peek()!.value === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error(`expected ${v} in: ${expr}`);
    at++;
  };
  const primary = (): unknown => {
    const t = tokens[at++];
    if (!t) throw new Error(`unexpected end of: ${expr}`);
    if (t.kind === 'string' || t.kind === 'number') return t.value;
    if (t.kind === 'op' && t.value === '(') {
      const v = or();
      expect(')');
      return v;
    }
    if (t.kind === 'op' && t.value === '!') return !truthy(unary());
    if (t.kind !== 'word') throw new Error(`unexpected ${t.value} in: ${expr}`);
    if (t.value === 'true' || t.value === 'false') return t.value === 'true';
    if (t.value === 'null') return null;
    if (isOp('(')) {
      const fn = FUNCTIONS[t.value.toLowerCase()];
      if (!fn) throw new Error(`unsupported function ${t.value} in: ${expr}`);
      at++;
      const args: unknown[] = [];
      while (!isOp(')')) {
        args.push(or());
        if (isOp(',')) at++;
      }
      at++;
      return fn(...args);
    }
    let value: unknown = ctx[t.value];
    for (;;) {
      if (isOp('.')) {
        at++;
        const key = tokens[at++];
        if (key?.kind !== 'word') throw new Error(`expected a property name in: ${expr}`);
        value = (value as Record<string, unknown> | undefined)?.[key.value];
      } else if (isOp('[')) {
        at++;
        const key = asText(or());
        expect(']');
        value = (value as Record<string, unknown> | undefined)?.[key];
      } else return value;
    }
  };
  const unary = (): unknown => primary();
  const comparison = (): unknown => {
    let left = unary();
    while (isOp('==') || isOp('!=')) {
      const op = tokens[at++]!.value;
      const right = unary();
      left = op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  const and = (): unknown => {
    let left = comparison();
    while (isOp('&&')) {
      at++;
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  function or(): unknown {
    let left = and();
    while (isOp('||')) {
      at++;
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  }
  const value = or();
  if (at !== tokens.length) throw new Error(`unexpected ${tokens[at]!.value} in: ${expr}`);
  return value;
}

/**
 * A value of a workflow file over the contexts: one `${{ }}` and nothing else keeps its type (a list
 * from fromJSON); any other text gets each expression's text.
 */
export function evaluate(text: string, ctx: Context): unknown {
  const whole = /^\$\{\{\s*((?:(?!\}\}).)+?)\s*\}\}$/s.exec(text);
  if (whole) return evaluateExpression(whole[1]!, ctx);
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/gs, (_, expr: string) => asText(evaluateExpression(expr, ctx)));
}

/** Every value of a `with:` (or `env:`, `secrets:`) mapping evaluated to text. */
export function evaluateAll(
  values: Record<string, string | number | boolean> | undefined,
  ctx: Context,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values ?? {}).map(([k, v]) => [k, asText(evaluate(String(v), ctx))]),
  );
}

/** What a step wrote to a file command (GITHUB_OUTPUT, GITHUB_ENV): `name=value` lines and `name<<EOF` blocks. */
export function fileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const block = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (block) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== block[2]; i++) value.push(lines[i]!);
      out[block[1]!] = value.join('\n');
      continue;
    }
    const pair = /^([^=]+)=(.*)$/.exec(lines[i]!);
    if (pair) out[pair[1]!] = pair[2]!;
  }
  return out;
}

export interface StepRun {
  code: number;
  /** GITHUB_OUTPUT */
  outputs: Record<string, string>;
  /** GITHUB_ENV: the variables the steps after this one get. */
  exported: Record<string, string>;
  stdout: string;
}

/**
 * A `run:` step as the runner runs it: `bash --noprofile --norc -eo pipefail`, in `cwd`, with the
 * runner's variables the test gives (`RUNNER_TEMP`, what earlier steps exported) under the step's own.
 */
export async function runStep(
  step: Step,
  ctx: Context,
  cwd: string,
  runner: Record<string, string> = {},
): Promise<StepRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pinback-step-'));
  removeWhenDone(dir);
  const output = join(dir, 'output');
  const envFile = join(dir, 'env');
  writeFileSync(output, '');
  writeFileSync(envFile, '');
  const env = evaluateAll(step.env, ctx);
  const result = await new Promise<{ code: number; stdout: string }>((done) => {
    execFile(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!],
      { cwd, env: { PATH: process.env.PATH, ...runner, GITHUB_OUTPUT: output, GITHUB_ENV: envFile, ...env } },
      (error, stdout) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout }),
    );
  });
  return {
    ...result,
    outputs: result.code === 0 ? fileCommands(readFileSync(output, 'utf8')) : {},
    exported: fileCommands(readFileSync(envFile, 'utf8')),
  };
}

/** A step of a job by its id. */
export function stepOf(workflow: Workflow, job: string, id: string): Step {
  const step = workflow.jobs[job]?.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in job ${job}`);
  return step;
}

/** The inputs a call gives a reusable workflow: its `with:` over each input's default. */
export function callInputs(workflow: Workflow, given: Record<string, unknown>): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(workflow.on.workflow_call.inputs))
    inputs[name] = given[name] ?? spec.default ?? (spec.type === 'boolean' ? false : '');
  for (const name of Object.keys(given))
    if (!(name in inputs)) throw new Error(`the workflow has no input ${name}`);
  return inputs;
}
