import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../../src/report.js';
import { runAction } from '../support/action.js';
import { ROOT } from '../support/cli.js';
import { removeWhenDone } from '../support/git.js';
import { BREACHING, FORTY, shardedWorkspace } from '../support/shards.js';
import {
  asText,
  callInputs,
  type Context,
  evaluate,
  runStep,
  stepOf,
  type Workflow,
} from '../support/workflow.js';

/*
 * The reusable workflow (.github/workflows/pinback.yml) as the runner would run it with `shards: 4`:
 * its steps' shell scripts run in bash (as GitHub runs `run:` steps), its `${{ }}` expressions are
 * evaluated over the contexts a call gives them, and its Action step is the bundled Action in a
 * dry run, once per matrix job. Only GitHub's own machinery (the matrix fan-out, the artifact
 * upload and download) is played by the test.
 */

const WORKFLOW = parse(readFileSync(join(ROOT, '.github/workflows/pinback.yml'), 'utf8')) as Workflow;

const step = (job: string, id: string) => stepOf(WORKFLOW, job, id);
const CALL = callInputs(WORKFLOW, {
  shards: 4,
  'gitops-repo': 'acme/gitops',
  config: 'pinback.yml',
  mode: 'dry-run',
});

describe('the reusable workflow', () => {
  it('takes a shard count, 1 by default, and fans out over it in a matrix where no shard stops another', () => {
    expect(WORKFLOW.on.workflow_call.inputs.shards).toMatchObject({ type: 'number', default: 1 });
    const guard = WORKFLOW.jobs.guard!;
    expect(guard.needs).toBe('shards');
    expect(guard.strategy?.['fail-fast']).toBe(false);
    expect(guard.concurrency?.['cancel-in-progress']).toBe(false);
    expect(guard.steps.find((s) => s.id === 'pinback')?.uses).toMatch(/pinback@/);
  });

  it("uses a GitHub App's token, minted in each job, when given app-client-id (or the deprecated app-id)", () => {
    const app = step('guard', 'app');
    expect(app.uses).toMatch(/^actions\/create-github-app-token@v3$/);
    const given = (inputs: Record<string, string>) => ({
      inputs: { 'app-client-id': '', 'app-id': '', ...inputs },
    });
    expect(evaluate(`\${{ ${app.if} }}`, given({}))).toBe(false);
    const ways: Record<string, string>[] = [{ 'app-client-id': 'Iv23abc' }, { 'app-id': 'Iv23abc' }];
    for (const inputs of ways) {
      expect(evaluate(`\${{ ${app.if} }}`, given(inputs))).toBe(true);
      expect(evaluate(String(app.with!['client-id']), given(inputs))).toBe('Iv23abc');
    }
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

  it.each([
    ['schedule', 'shares the queue of scheduled runs'],
    ['repository_dispatch', 'an alert: a group of its own'],
    ['issues', 'an unlock: a group of its own'],
    ['workflow_run', 'a post-deploy watch: a group of its own'],
    ['workflow_dispatch', 'a manual run: a group of its own'],
  ])('puts a run on %s in its concurrency group: %s', async (event) => {
    const r = await runStep(
      step('shards', 'list'),
      { inputs: { shards: 2 }, github: { run_id: 9, run_attempt: 1, event_name: event } },
      tmpdir(),
    );
    const group = evaluate(WORKFLOW.jobs.guard!.concurrency!.group, {
      inputs: CALL,
      matrix: { shard: 1 },
      needs: { shards: { outputs: r.outputs } },
    });
    if (event === 'schedule') expect(group).toBe('pinback-acme/gitops-shard-1-of-4');
    else expect(group).toBe(`pinback-acme/gitops-shard-1-of-4-${event}-${r.outputs.key}`);
    expect(WORKFLOW.jobs.guard!.concurrency!['cancel-in-progress']).toBe(false);
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
      'commit',
      'decision',
      'incident-url',
      'report',
      'rolled-back',
    ]);
  });
});

describe('merging shard outputs', () => {
  it.each([
    [
      'no shard reported (an ignored event)',
      [],
      { decision: 'none', 'rolled-back': 'false', report: '', commit: '', 'incident-url': '' },
    ],
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
        commit: '',
        'incident-url': '',
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
        commit: '',
        'incident-url': '',
      },
    ],
    [
      'gates (no report)',
      [
        { decision: 'allow', rolled_back: '', report: null },
        { decision: 'stop', rolled_back: '', report: null },
      ],
      { decision: 'stop', 'rolled-back': 'false', report: '', commit: '', 'incident-url': '' },
    ],
    [
      "two shards rolled back: the lowest shard's commit and incident",
      [
        {
          shard: 10,
          decision: 'stop',
          rolled_back: 'true',
          report: { version: 1, services: [] },
          commit: 'c10',
          incident_url: 'u10',
        },
        {
          shard: 3,
          decision: 'stop',
          rolled_back: 'true',
          report: { version: 1, services: [] },
          commit: 'c3',
          incident_url: 'u3',
        },
        {
          shard: 1,
          decision: 'allow',
          rolled_back: 'false',
          report: { version: 1, services: [] },
          commit: '',
          incident_url: '',
        },
      ],
      {
        decision: 'stop',
        'rolled-back': 'true',
        report: '{"version":1,"services":[]}',
        commit: 'c3',
        'incident-url': 'u3',
      },
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
