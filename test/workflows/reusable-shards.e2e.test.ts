import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../../src/report.js';
import { runAction } from '../support/action.js';
import { ROOT } from '../support/cli.js';
import { removeWhenDone } from '../support/git.js';
import { BREACHING, FORTY, shardedWorkspace } from '../support/shards.js';

/*
 * The reusable workflow (.github/workflows/pinback.yml) as the runner would run it with `shards: 4`:
 * its steps' shell scripts run in bash (as GitHub runs `run:` steps), its `${{ }}` expressions are
 * evaluated over the contexts a call gives them, and its Action step is the bundled Action in a
 * dry run, once per matrix job. Only GitHub's own machinery (the matrix fan-out, the artifact
 * upload and download) is played by the test.
 */

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string | number>;
  with?: Record<string, string | number | boolean>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: {
    workflow_call: {
      inputs: Record<string, { type: string; default?: unknown }>;
      outputs: Record<string, { value: string }>;
    };
  };
  jobs: Record<string, Job>;
}

const WORKFLOW = parse(readFileSync(join(ROOT, '.github/workflows/pinback.yml'), 'utf8')) as Workflow;

type Context = Record<string, unknown>;

/** A dotted path (`inputs.gitops-repo`, `steps.pinback.outputs.report`) in the contexts. */
function lookup(path: string, ctx: Context): unknown {
  let at: unknown = ctx;
  for (const key of path.split('.')) at = (at as Record<string, unknown> | undefined)?.[key];
  return at;
}

/**
 * `${{ … }}` over the contexts, for the forms this workflow uses: a path, `a || b`, and a
 * `fromJSON(path)`. Anything else fails the test, so the workflow cannot outgrow what is checked.
 */
function evaluate(text: string, ctx: Context): unknown {
  // One expression and nothing else keeps its type (a list from fromJSON); else it is text.
  const whole = /^\$\{\{\s*((?:(?!\}\}).)+?)\s*\}\}$/.exec(text);
  const one = (expr: string): unknown => {
    const json = /^fromJSON\(([\w.-]+)\)$/.exec(expr);
    if (json) return JSON.parse(String(lookup(json[1]!, ctx)));
    if (!/^[\w.-]+(\s*\|\|\s*[\w.-]+)*$/.test(expr)) throw new Error(`unsupported expression: ${expr}`);
    for (const operand of expr.split('||').map((s) => s.trim())) {
      const v = lookup(operand, ctx);
      if (v !== undefined && v !== '' && v !== false) return v;
    }
    return '';
  };
  if (whole) return one(whole[1]!);
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => String(one(expr)));
}

const asText = (v: unknown) => String(v);

/** What a step wrote to GITHUB_OUTPUT: `name=value` lines and `name<<EOF` blocks. */
function outputsOf(text: string): Record<string, string> {
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

/** A `run:` step as the runner runs it: `bash --noprofile --norc -eo pipefail`, in `cwd`. */
async function runStep(
  step: Step,
  ctx: Context,
  cwd: string,
): Promise<{ code: number; outputs: Record<string, string>; stdout: string }> {
  const output = join(mkdtempSync(join(tmpdir(), 'pinback-step-')), 'output');
  removeWhenDone(join(output, '..'));
  writeFileSync(output, '');
  const env = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([k, v]) => [k, asText(evaluate(String(v), ctx))]),
  );
  try {
    const { stdout } = await promisify(execFile)(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!],
      {
        cwd,
        env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...env },
      },
    );
    return { code: 0, outputs: outputsOf(readFileSync(output, 'utf8')), stdout };
  } catch (e) {
    return {
      code: (e as { code?: number }).code ?? 1,
      outputs: {},
      stdout: (e as { stdout?: string }).stdout ?? '',
    };
  }
}

const step = (job: string, id: string) => WORKFLOW.jobs[job]!.steps.find((s) => s.id === id)!;
const CALL = {
  shards: 4,
  'gitops-repo': 'acme/gitops',
  config: 'pinback.yml',
  mode: 'dry-run',
  services: '',
  watch: '',
  interval: '1m',
  'fail-on-stop': false,
  'gitops-branch': '',
};

describe('the reusable workflow', () => {
  it('takes a shard count, 1 by default, and fans out over it in a matrix where no shard stops another', () => {
    expect(WORKFLOW.on.workflow_call.inputs.shards).toEqual({ type: 'number', default: 1 });
    const guard = WORKFLOW.jobs.guard!;
    expect(guard.needs).toBe('shards');
    expect(guard.strategy?.['fail-fast']).toBe(false);
    expect(guard.concurrency?.['cancel-in-progress']).toBe(false);
    expect(guard.steps.find((s) => s.id === 'pinback')?.uses).toMatch(/pinback@/);
  });

  it("uses a GitHub App's token, minted in each job, when given app-id", () => {
    const app = step('guard', 'app');
    expect(app.uses).toMatch(/^actions\/create-github-app-token@/);
    expect(app.if).toBe("inputs.app-id != ''");
    const token = String(step('guard', 'pinback').with!.token);
    const ctx = (minted: string, secret: string): Context => ({
      steps: { app: { outputs: { token: minted } } },
      secrets: { token: secret },
      github: { token: 'github-token' },
    });
    expect(evaluate(token, ctx('app-token', 'secret-token'))).toBe('app-token');
    expect(evaluate(token, ctx('', 'secret-token'))).toBe('secret-token');
    expect(evaluate(token, ctx('', ''))).toBe('github-token');
  });

  it.each([
    [1, [1]],
    [4, [1, 2, 3, 4]],
    [256, Array.from({ length: 256 }, (_, i) => i + 1)],
  ])('derives the matrix of shards: %i gives %j', async (shards, list) => {
    const r = await runStep(
      step('shards', 'list'),
      { inputs: { shards }, github: { run_id: 1, run_attempt: 1 } },
      tmpdir(),
    );
    expect(r.code).toBe(0);
    expect(
      evaluate(WORKFLOW.jobs.guard!.strategy!.matrix!.shard as string, {
        needs: { shards: { outputs: r.outputs } },
      }),
    ).toEqual(list);
    expect(r.outputs.key).toMatch(/^1-1-[0-9a-f]{8}$/);
  });

  it.each([0, 257, 'four', '1/4'])('refuses shards: %j', async (shards) => {
    const r = await runStep(
      step('shards', 'list'),
      { inputs: { shards }, github: { run_id: 1, run_attempt: 1 } },
      tmpdir(),
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('::error::input shards must be a whole number from 1 to 256');
  });

  it('gives each of 4 shards its own K/4 and its own concurrency group', () => {
    const guard = WORKFLOW.jobs.guard!;
    const ctx = (k: number): Context => ({ inputs: CALL, matrix: { shard: k } });
    const values = [1, 2, 3, 4].map((k) => evaluate(asText(step('guard', 'pinback').with!.shard), ctx(k)));
    const groups = [1, 2, 3, 4].map((k) => evaluate(guard.concurrency!.group, ctx(k)));
    expect(values).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(new Set(groups).size).toBe(4);
    for (const g of groups) expect(g).toContain('acme/gitops');
  });
});

describe('a 4-shard matrix run of the reusable workflow over 40 services', () => {
  const reports: Report[] = [];
  let merged: Record<string, string>;

  beforeAll(async () => {
    const ws = shardedWorkspace(FORTY, { pinned: true });
    const listed = await runStep(
      step('shards', 'list'),
      { inputs: CALL, github: { run_id: 7, run_attempt: 1 } },
      tmpdir(),
    );
    const shards = evaluate(WORKFLOW.jobs.guard!.strategy!.matrix!.shard as string, {
      needs: { shards: { outputs: listed.outputs } },
    }) as number[];
    // The artifacts of every shard, as download-artifact with merge-multiple lays them out.
    const downloaded = mkdtempSync(join(tmpdir(), 'pinback-artifacts-'));
    removeWhenDone(downloaded);
    mkdirSync(join(downloaded, 'pinback-shards'));
    await Promise.all(
      shards.map(async (k) => {
        const inputs = { ...CALL, 'gitops-repo': ws.repo!.dir };
        const ctx: Context = { inputs, matrix: { shard: k }, secrets: {}, github: { token: '' } };
        const given = Object.fromEntries(
          Object.entries(step('guard', 'pinback').with!).map(([name, v]) => [
            name,
            asText(evaluate(String(v), ctx)),
          ]),
        );
        const action = await runAction({
          inputs: given,
          event: 'schedule',
          payload: { schedule: '*/5 * * * *' },
          workspace: ws.dir,
          // No API at all: any request would fail against this address.
          env: { GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_GRAPHQL_URL: 'http://127.0.0.1:9/graphql' },
        });
        expect(action.stdout).not.toContain('::error');
        reports.push(JSON.parse(action.outputs.report!) as Report);
        const job = mkdtempSync(join(tmpdir(), 'pinback-job-'));
        removeWhenDone(job);
        const keep = await runStep(
          step('guard', 'keep'),
          { ...ctx, steps: { pinback: { outputs: action.outputs } } },
          job,
        );
        expect(keep.code).toBe(0);
        for (const f of readdirSync(join(job, 'pinback-shard')))
          copyFileSync(join(job, 'pinback-shard', f), join(downloaded, 'pinback-shards', f));
      }),
    );
    const merge = await runStep(step('report', 'merge'), {}, downloaded);
    expect(merge.code).toBe(0);
    merged = merge.outputs;
  }, 120_000);

  it('evaluates each service exactly once', () => {
    expect(reports).toHaveLength(4);
    const seen = reports.flatMap((r) => r.services.map((s) => s.service));
    expect(seen.toSorted()).toEqual(FORTY);
    for (const r of reports) expect(r.services.length).toBeGreaterThan(0);
  });

  it("gives the caller one report of every shard's services, and the most severe decision", () => {
    const report = JSON.parse(merged.report!) as Report;
    expect(report.services.map((s) => s.service).toSorted()).toEqual(FORTY);
    expect(report.services.find((s) => s.service === BREACHING)).toMatchObject({
      decision: 'stop',
      action: 'dry_run',
    });
    expect(merged.decision).toBe('stop');
    expect(merged['rolled-back']).toBe('false');
  });

  it("wires the workflow's outputs to the merged ones", () => {
    for (const [name, o] of Object.entries(WORKFLOW.on.workflow_call.outputs))
      expect(o.value).toBe(`\${{ jobs.report.outputs.${name} }}`);
    expect(Object.keys(WORKFLOW.jobs.report!.outputs!).toSorted()).toEqual([
      'decision',
      'report',
      'rolled-back',
    ]);
  });
});

describe('merging shard outputs', () => {
  it.each([
    ['no shard reported (an ignored event)', [], { decision: 'none', 'rolled-back': 'false', report: '' }],
    [
      'one shard rolled back',
      [
        { decision: 'allow', rolled_back: 'false', report: { version: 1, services: [{ service: 'a' }] } },
        { decision: 'stop', rolled_back: 'true', report: { version: 1, services: [{ service: 'b' }] } },
      ],
      {
        decision: 'stop',
        'rolled-back': 'true',
        report: '{"version":1,"services":[{"service":"a"},{"service":"b"}]}',
      },
    ],
    [
      'a shard with nothing to do',
      [
        { decision: 'none', rolled_back: 'false', report: { version: 1, services: [] } },
        {
          decision: 'inconclusive',
          rolled_back: 'false',
          report: { version: 1, services: [{ service: 'a' }] },
        },
      ],
      {
        decision: 'inconclusive',
        'rolled-back': 'false',
        report: '{"version":1,"services":[{"service":"a"}]}',
      },
    ],
    [
      'gates (no report)',
      [
        { decision: 'allow', rolled_back: '', report: null },
        { decision: 'stop', rolled_back: '', report: null },
      ],
      { decision: 'stop', 'rolled-back': 'false', report: '' },
    ],
  ])('%s', async (_what, shards, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'pinback-merge-'));
    removeWhenDone(dir);
    mkdirSync(join(dir, 'pinback-shards'));
    shards.forEach((s, i) => writeFileSync(join(dir, 'pinback-shards', `${i + 1}.json`), JSON.stringify(s)));
    const r = await runStep(step('report', 'merge'), {}, dir);
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual(expected);
  });
});
