/**
 * Issue 15's must-show, against the GitHub stand-in with the bundled Action: `mode: auto` with
 * `approve_below: 5x`. A x1.8 error regression opens a proposal whose pull request and incident say
 * why it waits for a person; the same service at x6 while the proposal is open is committed on the
 * branch, the proposal closed as superseded with a comment linking the commit, the incident updated
 * once; a re-run changes nothing. Needs `npm run build` (it runs dist/index.js).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import type { ActionRun } from '../support/action.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import {
  CANDIDATE,
  idOf,
  kustomization,
  PIN,
  STABLE,
  type Scenario,
  useScenarios,
} from '../support/github-action.js';
import { metricsJson } from '../support/gitops.js';

const { make } = useScenarios();
const schedule = () => eventPayload('schedule', { repo: 'acme/app' });

/** The error rate as one number a step (Argo Rollouts' form): x1.8 and x6 are read exactly. */
const POLICY = `version: 1
gitops: { repo: acme/gitops, branch: main }
providers:
  metrics: { type: file, path: metrics.json }
services:
  support-agent:
    stage: canary
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/support-agent }
    guard_window: 2h
    owners: ["@acme/support-oncall"]
    approve_below: 5x
    triggers:
      error_rate: { max_increase: 50%, reason: error_spike }
`;

/** The candidate's error rate `times` the stable's 1%, the same every sample. */
const metrics = (s: Scenario, times: number) =>
  writeFile(
    join(s.workspace, 'metrics.json'),
    metricsJson({
      'support-agent': {
        [CANDIDATE]: { error_rate: [0.01 * times, 0.01 * times, 0.01 * times] },
        [STABLE]: { error_rate: [0.01, 0.01, 0.01] },
      },
    }),
  );

const reportOf = (run: ActionRun) => (JSON.parse(run.outputs.report!) as Report).services[0]!;

describe('mode auto with approve_below 5x', () => {
  let s: Scenario;
  let octokit: Octokit;
  let proposed: ActionRun;
  let branch: string;

  beforeAll(async () => {
    s = await make();
    octokit = new Octokit({ auth: 'test-token', baseUrl: s.fake.url });
    await writeFile(join(s.workspace, '.github', 'pinback.yml'), POLICY);
    await metrics(s, 1.8);
    proposed = await s.run('schedule', schedule());
    branch = `pinback/rollback-support-agent-${idOf(s)}`;
  });

  const why = 'error_rate x1.8 the stable (0.018 vs 0.01): above the 1.5x tolerance, below the 5x auto level';

  describe('at x1.8: past the tolerance, not the clear-cut level', () => {
    it('proposes the rollback and leaves main as it was', async () => {
      expect(proposed.code).toBe(0);
      expect(proposed.stdout).not.toContain('::error');
      expect(reportOf(proposed)).toMatchObject({
        decision: 'stop',
        action: 'proposed',
        pull_request: 'https://github.com/acme/gitops/pull/1',
        approval: { clear_cut: false, why },
      });
      expect(proposed.outputs['rolled-back']).toBe('false');
      expect((await s.git('rev-parse', 'refs/heads/main')).trim()).toBe(s.pinCommit);
      expect(s.fake.pulls('acme/gitops')).toEqual([
        expect.objectContaining({ number: 1, head: branch, base: 'main', state: 'open' }),
      ]);
    });

    it('says in the pull request why it waits for a person, with the numbers', () => {
      const body = s.fake.pulls('acme/gitops')[0]!.body!;
      expect(body).toContain('**It waits for a person: the evidence is not clear-cut.**');
      expect(body).toContain('error_rate x1.8 the stable (0.018 vs 0.01): above the 1.5x tolerance');
      expect(body).toContain('below the 5x auto level');
    });

    it('opens one incident that says so too', () => {
      const issues = s.fake.issues('acme/app');
      expect(issues).toHaveLength(1);
      expect(issues[0]!.title).toBe(
        `Rollback awaiting approval: support-agent ${CANDIDATE} -> ${STABLE} (error_spike)`,
      );
      expect(issues[0]!.body).toContain('but the evidence is not clear-cut, so a person decides');
      expect(issues[0]!.body).toContain('https://github.com/acme/gitops/pull/1');
    });
  });

  describe('at x6 while the proposal is open', () => {
    let committed: ActionRun;

    beforeAll(async () => {
      await metrics(s, 6);
      committed = await s.run('schedule', schedule());
    });

    it('commits the rollback on main itself', async () => {
      expect(committed.code).toBe(0);
      const report = reportOf(committed);
      expect(report).toMatchObject({
        action: 'rolled_back',
        approval: { clear_cut: true },
        pull_request: 'https://github.com/acme/gitops/pull/1',
      });
      expect(committed.outputs['rolled-back']).toBe('true');
      const head = (await s.git('rev-parse', 'refs/heads/main')).trim();
      expect(head).toBe(report.commit);
      expect(await s.git('show', `main:${PIN}`)).toBe(kustomization(STABLE));
    });

    it('closes the proposal as superseded, with a comment linking the commit', async () => {
      expect(s.fake.pulls('acme/gitops')).toEqual([
        expect.objectContaining({ number: 1, state: 'closed', merged: false }),
      ]);
      const { data } = await octokit.rest.issues.listComments({
        owner: 'acme',
        repo: 'gitops',
        issue_number: 1,
      });
      expect(data).toHaveLength(1);
      const commit = reportOf(committed).commit!;
      expect(data[0]!.body).toContain(`Superseded by [\`${commit.slice(0, 12)}\`](`);
      expect(data[0]!.body).toContain(commit);
      expect(data[0]!.body).toContain('past the 5x auto level');
    });

    it('records it on the one incident, once', () => {
      const issues = s.fake.issues('acme/app');
      expect(issues).toHaveLength(1);
      const clearCut = issues[0]!.comments.filter((c) =>
        c.body.includes('## Committed: the evidence passed the clear-cut level'),
      );
      expect(clearCut).toHaveLength(1);
      expect(clearCut[0]!.body).toContain(
        'While the proposal https://github.com/acme/gitops/pull/1 waited for a person, the evidence became clear-cut',
      );
    });

    it("is not taken for a person's no when the closing fires the pull request's closed event", async () => {
      const closed = await s.run(
        'pull_request',
        eventPayload('pull_request', {
          repo: 'acme/app',
          action: 'closed',
          pull_request: {
            html_url: 'https://github.com/acme/gitops/pull/1',
            merged: false,
            merge_commit_sha: null,
            head: { ref: branch },
          },
        }),
      );
      expect(closed.code).toBe(0);
      const incident = s.fake.issues('acme/app')[0]!;
      expect(incident.comments.filter((c) => c.body.includes('closed without merging'))).toEqual([]);
    });

    describe('a re-run', () => {
      let again: ActionRun;
      let head: string;
      let comments: number;

      beforeAll(async () => {
        head = (await s.git('rev-parse', 'refs/heads/main')).trim();
        comments = s.fake.issues('acme/app')[0]!.comments.length;
        again = await s.run('schedule', schedule());
      });

      it('changes nothing: no commit, no pull request, nothing said twice', async () => {
        expect(again.code).toBe(0);
        expect(reportOf(again).action).toBe('already_rolled_back');
        expect((await s.git('rev-parse', 'refs/heads/main')).trim()).toBe(head);
        expect(s.fake.pulls('acme/gitops')).toHaveLength(1);
        const { data } = await octokit.rest.issues.listComments({
          owner: 'acme',
          repo: 'gitops',
          issue_number: 1,
        });
        expect(data).toHaveLength(1);
        const incident = s.fake.issues('acme/app')[0]!;
        expect(
          incident.comments.filter((c) => c.body.includes('the evidence passed the clear-cut level')),
        ).toHaveLength(1);
        // At most the standing rollback's one "repeated" note, which every rollback gets.
        expect(incident.comments.length).toBeLessThanOrEqual(comments + 1);
      });
    });
  });
});
