import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../../src/report.js';
import { type ActionRun, runAction } from '../support/action.js';
import { ROOT } from '../support/cli.js';
import { removeWhenDone } from '../support/git.js';
import { evaluateAll, type Job, runStep, type StepRun } from '../support/workflow.js';

/*
 * The `action` job of .github/workflows/ci.yml as the runner runs it on a push: its shell steps in
 * bash, its `uses: ./` step as the bundled Action (action.yml's dist/index.js) with the step's
 * inputs and env, in the checked-out repository.
 */

const CI = parse(readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8')) as {
  jobs: Record<string, Job>;
};
const JOB = CI.jobs.action!;
// No API at all: any request would fail against this address.
const NO_GITHUB = { GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_GRAPHQL_URL: 'http://127.0.0.1:9/graphql' };
const PUSH = { ref: 'refs/heads/main', repository: { full_name: 'acme/pinback' } };

describe("ci.yml's `uses: ./` job on a push", () => {
  let temp: string;
  let made: StepRun;
  let action: ActionRun;
  let checked: StepRun;

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'pinback-runner-temp-'));
    removeWhenDone(temp);
    const runner = { RUNNER_TEMP: temp };
    const ctx = { runner: { temp } };
    const [make, use, check] = JOB.steps.slice(1);
    made = await runStep(make!, ctx, ROOT, runner);
    expect(use!.uses).toBe('./');
    action = await runAction({
      inputs: evaluateAll(use!.with, ctx),
      event: 'push',
      payload: PUSH,
      workspace: ROOT,
      env: { ...runner, ...evaluateAll(use!.env, ctx), ...NO_GITHUB },
    });
    checked = await runStep(
      check!,
      { ...ctx, steps: { pinback: { outputs: action.outputs } } },
      ROOT,
      runner,
    );
  }, 60_000);

  it('builds the example GitOps repository', () => {
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('support-agent pinned 2.3.3 -> 2.4.0');
  });

  it('runs the Action in a dry run that decides stop for the example', () => {
    expect(action.code, action.stdout).toBe(0);
    expect(action.stdout).not.toContain('::error');
    expect(action.stdout).toContain('PINBACK_EVENT_NAME: this dry run acts as a schedule event, not as push');
    const report = JSON.parse(action.outputs.report!) as Report;
    expect(report.services).toMatchObject([
      { service: 'support-agent', decision: 'stop', action: 'dry_run', from: '2.4.0', to: '2.3.3' },
    ]);
  });

  it("passes its own check of the Action's outputs", () => {
    expect(checked.code, checked.stdout).toBe(0);
  });
});

describe('PINBACK_EVENT_NAME', () => {
  const example = (inputs: Record<string, string>, env: Record<string, string>) =>
    runAction({
      inputs: {
        config: 'examples/dry-run/pinback.yml',
        // Never read: a push is ignored, and a refused override stops the run before it.
        'gitops-repo': join(tmpdir(), 'pinback-no-such-gitops'),
        token: '',
        ...inputs,
      },
      event: 'push',
      payload: PUSH,
      workspace: ROOT,
      env: { ...NO_GITHUB, ...env },
    });

  it('is needed on a push, which pinback does not act on', async () => {
    const r = await example({ mode: 'dry-run' }, {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pinback does not act on push events');
    expect(r.outputs.decision).toBe('none');
  });

  it.each(['auto', 'propose', ''])(
    'is refused with mode %j: only a dry run may act as another event',
    async (mode) => {
      const r = await example({ mode }, { PINBACK_EVENT_NAME: 'schedule' });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        `::error::PINBACK_EVENT_NAME=schedule acts as another event than the workflow's, which only a dry run may do, and the mode is ${mode || 'auto'}`,
      );
      expect(r.outputs.decision).toBeUndefined();
    },
  );
});
