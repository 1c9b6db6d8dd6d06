import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../../src/report.js';
import { type ActionRun, runAction } from '../support/action.js';
import { ROOT } from '../support/cli.js';
import { removeWhenDone } from '../support/git.js';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { CANDIDATE, kustomization, PIN, type Slack, STABLE, startSlack } from '../support/github-action.js';
import { findPrometheus, type RunningPrometheus, SERVICE, startPrometheus } from '../support/prometheus.js';
import {
  callInputs,
  type Context,
  evaluate,
  evaluateAll,
  type Job,
  runStep,
  type StepRun,
  stepOf,
  type Workflow,
} from '../support/workflow.js';

/*
 * The caller in examples/workflows/reusable-caller.yml, calling the reusable workflow
 * (.github/workflows/pinback.yml) on its schedule, with the Argo CD example's policy
 * (examples/argocd/pinback.yml) as the caller's .github/pinback.yml. Its secrets PROMETHEUS_URL,
 * PROM_TOKEN and SLACK_WEBHOOK_URL point at a real Prometheus, and a local Slack; GitHub is the fake.
 * Every part of the two workflows runs as the runner runs it: the caller's `secrets:` and `with:`
 * evaluated over its secrets, the called workflow's bash steps, and its Action step as the bundled
 * Action with exactly the environment those steps give it: the runner's variables, the inputs of
 * its `with:`, and what the env step exported. Nothing else reaches the Action.
 */

const bins = findPrometheus();
const inCi = Boolean(process.env.CI);
if (!bins && !inCi) {
  console.warn(
    'prometheus/promtool not found on PATH: skipping the reusable-workflow caller test. Install them with `apt-get install prometheus`.',
  );
}

const CALLER = parse(readFileSync(join(ROOT, 'examples/workflows/reusable-caller.yml'), 'utf8')) as {
  jobs: Record<string, Job>;
};
const CALLED = parse(readFileSync(join(ROOT, '.github/workflows/pinback.yml'), 'utf8')) as Workflow;
const POLICY = readFileSync(join(ROOT, 'examples/argocd/pinback.yml'), 'utf8');
const FLAGS = 'apps/support-agent/flags.yaml';
const PROM_TOKEN = 'prom-bearer-s3cr3t';
const TOKEN = 'test-token';

describe.skipIf(!bins && !inCi)(
  'a caller of the reusable workflow, with its secrets, on its schedule',
  () => {
    let prometheus: RunningPrometheus;
    let slack: Slack;
    let fake: FakeGitHub;
    let gitops: Fixture;
    let workspace: string;
    let callerSecrets: Record<string, string>;
    let env: StepRun;
    let action: ActionRun;
    let outputs: Record<string, string>;

    beforeAll(async () => {
      if (!bins) throw new Error('prometheus and promtool must be on PATH in CI (.ci/run installs them)');
      // The fixture's series labelled `app` too, as the Argo CD example's queries select them, and
      // scraped every 15 s, so that its `increase(…[1m])` sees samples enough.
      prometheus = await startPrometheus(bins, Date.now(), undefined, {
        labels: `app="${SERVICE}"`,
        everySeconds: 15,
      });
      slack = await startSlack(200);
      const now = Math.floor(Date.now() / 1000);
      const flags = (v: string) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: support-agent-flags\ndata:\n  writes_disabled: "${v}"\n`;
      gitops = await createBareRepo([
        {
          files: { [PIN]: kustomization(STABLE), [FLAGS]: flags('false') },
          message: `deploy ${STABLE}`,
          date: now - 86_400,
        },
        { files: { [PIN]: kustomization(CANDIDATE) }, message: `deploy ${CANDIDATE}`, date: now - 600 },
      ]);
      const app = await createBareRepo([{ files: { 'README.md': '# app\n' }, date: now - 86_400 }]);
      fake = await startFakeGitHub({ repos: { 'acme/gitops': gitops.bare, 'acme/app': app.bare } });
      // The caller's checkout: its policy is the Argo CD example.
      workspace = await mkdtemp(join(tmpdir(), 'pinback-caller-'));
      removeWhenDone(workspace);
      await mkdir(join(workspace, '.github'));
      await writeFile(join(workspace, '.github', 'pinback.yml'), POLICY);

      // The caller's job: its secrets and inputs, over the caller repository's own secrets.
      const job = CALLER.jobs.guard!;
      callerSecrets = evaluateAll(job.secrets as Record<string, string>, {
        secrets: { PROMETHEUS_URL: prometheus.url, PROM_TOKEN, SLACK_WEBHOOK_URL: slack.url },
      });
      const inputs = callInputs(CALLED, job.with ?? {});
      // A called workflow's github context is its caller's.
      const github = {
        event_name: 'schedule',
        run_id: 77,
        run_attempt: 1,
        repository_owner: 'acme',
        token: TOKEN,
      };

      const listed = await runStep(stepOf(CALLED, 'shards', 'list'), { inputs, github }, workspace);
      expect(listed.code).toBe(0);
      const matrix = evaluate(CALLED.jobs.guard!.strategy!.matrix!.shard as string, {
        needs: { shards: { outputs: listed.outputs } },
      });
      expect(matrix).toEqual([1]);

      // The guard job of shard 1/1, step by step.
      const ctx: Context = {
        inputs,
        secrets: callerSecrets,
        github,
        matrix: { shard: 1 },
        needs: { shards: { outputs: listed.outputs } },
        steps: {},
      };
      expect(evaluate(`\${{ ${stepOf(CALLED, 'guard', 'app').if} }}`, ctx)).toBe(false);
      env = await runStep(stepOf(CALLED, 'guard', 'env'), ctx, workspace);
      expect(env.code, env.stdout).toBe(0);
      action = await runAction({
        inputs: evaluateAll(stepOf(CALLED, 'guard', 'pinback').with, ctx),
        event: 'schedule',
        payload: eventPayload('schedule', { repo: 'acme/app' }),
        workspace,
        env: {
          GITHUB_API_URL: fake.url,
          GITHUB_GRAPHQL_URL: fake.graphqlUrl,
          GITHUB_REPOSITORY: 'acme/app',
          ...env.exported,
        },
      });
      const kept = await runStep(
        stepOf(CALLED, 'guard', 'keep'),
        { ...ctx, steps: { pinback: { outputs: action.outputs } } },
        workspace,
      );
      expect(kept.code).toBe(0);
      // The report job: download-artifact lays the shard's file out in pinback-shards/.
      const report = await mkdtemp(join(tmpdir(), 'pinback-report-'));
      removeWhenDone(report);
      await mkdir(join(report, 'pinback-shards'));
      await writeFile(
        join(report, 'pinback-shards', '1.json'),
        await readFile(join(workspace, 'pinback-shard', '1.json')),
      );
      const merged = await runStep(stepOf(CALLED, 'report', 'merge'), {}, report);
      expect(merged.code).toBe(0);
      const jobs = {
        report: { outputs: evaluateAll(CALLED.jobs.report!.outputs, { steps: { merge: merged } }) },
      };
      outputs = Object.fromEntries(
        Object.entries(CALLED.on.workflow_call.outputs).map(([name, o]) => [
          name,
          String(evaluate(o.value, { jobs })),
        ]),
      );
    }, 120_000);

    afterAll(async () => {
      await prometheus?.stop();
      await slack?.close();
      await fake?.close();
      if (workspace) await rm(workspace, { recursive: true, force: true });
      await removeFixtures();
    });

    it('grants the job what auto mode needs and calls the reusable workflow', () => {
      const job = CALLER.jobs.guard!;
      expect(job.uses).toBe('acme/pinback/.github/workflows/pinback.yml@v1');
      expect(job.permissions).toEqual({ contents: 'write', issues: 'write', 'pull-requests': 'write' });
      expect(Number(job.with!['timeout-minutes'])).toBeGreaterThan(0);
    });

    it("exports the caller's three secrets to the Action's step, each masked first", () => {
      expect(env.exported).toEqual({
        PROMETHEUS_URL: prometheus.url,
        PROM_TOKEN,
        SLACK_WEBHOOK_URL: slack.url,
      });
      for (const value of Object.values(env.exported)) expect(env.stdout).toContain(`::add-mask::${value}`);
    });

    it('judges the candidate from Prometheus and rolls it back', async () => {
      expect(action.code, action.stdout).toBe(0);
      expect(action.stdout).not.toContain('::error');
      const report = JSON.parse(action.outputs.report!) as Report;
      expect(report.services[0]).toMatchObject({
        service: 'support-agent',
        decision: 'stop',
        reason: 'error_spike',
        action: 'rolled_back',
        from: CANDIDATE,
        to: STABLE,
      });
      expect(await gitIn(gitops.bare, ['show', `main:${PIN}`])).toContain(`newTag: ${STABLE}`);
      expect(await gitIn(gitops.bare, ['show', `main:${FLAGS}`])).toContain('writes_disabled: "true"');
    });

    it('opens the incident and tells Slack', () => {
      expect(fake.issues('acme/app')).toHaveLength(1);
      expect(slack.received).toHaveLength(1);
      expect(JSON.stringify(slack.received[0])).toContain('support-agent');
    });

    it("gives the caller the workflow's outputs, commit and incident-url among them", async () => {
      expect(outputs.decision).toBe('stop');
      expect(outputs['rolled-back']).toBe('true');
      expect(outputs.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(outputs.commit).toBe(action.outputs.commit);
      expect(await gitIn(gitops.bare, ['cat-file', '-t', outputs.commit!])).toContain('commit');
      expect(outputs['incident-url']).toBe(
        `https://github.com/acme/app/issues/${fake.issues('acme/app')[0]!.number}`,
      );
      expect((JSON.parse(outputs.report!) as Report).services.map((s) => s.service)).toEqual([
        'support-agent',
      ]);
    });

    it('writes none of the secrets to the log, the outputs or the incident', () => {
      const log = `${env.stdout}\n${action.stdout}\n${action.stderr}`
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n');
      const secretPath = new URL(slack.url).pathname;
      for (const [where, text] of Object.entries({
        log,
        outputs: JSON.stringify(outputs),
        incident: JSON.stringify(fake.issues('acme/app')),
      })) {
        expect(text, where).not.toContain(PROM_TOKEN);
        expect(text, where).not.toContain(secretPath);
      }
    });
  },
);
