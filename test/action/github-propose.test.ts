import { Octokit } from '@octokit/rest';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockFileOf } from '../../src/history/locks.js';
import type { Report } from '../../src/report.js';
import type { ActionRun } from '../support/action.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import {
  idOf,
  issueUrl,
  kustomization,
  PIN,
  STABLE,
  type Scenario,
  useScenarios,
} from '../support/github-action.js';

const { make } = useScenarios();
const schedule = () => eventPayload('schedule', { repo: 'acme/app' });

describe('a service in mode propose', () => {
  let s: Scenario;
  let run: ActionRun;
  let branch: string;

  beforeAll(async () => {
    s = await make({ mode: 'propose' });
    run = await s.run('schedule', schedule());
    branch = `pinback/rollback-support-agent-${idOf(s)}`;
  });

  it('passes and reports the proposal', () => {
    expect(run.stdout).not.toContain('::error');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.outputs.report!) as Report;
    expect(report.services[0]).toMatchObject({
      action: 'proposed',
      pull_request: 'https://github.com/acme/gitops/pull/1',
    });
  });

  it('opens one pull request from the rollback branch to main', () => {
    expect(s.fake.pulls('acme/gitops')).toEqual([
      expect.objectContaining({ number: 1, head: branch, base: 'main', state: 'open' }),
    ]);
  });

  it('links the incident from the pull request', () => {
    const issues = s.fake.issues('acme/app');
    expect(issues).toHaveLength(1);
    expect(s.fake.pulls('acme/gitops')[0]!.body).toContain(
      `Incident: ${issueUrl('acme/app', issues[0]!.number)}`,
    );
  });

  it('leaves the base branch where it was', async () => {
    expect((await s.git('rev-parse', 'refs/heads/main')).trim()).toBe(s.pinCommit);
  });

  it('puts the one rollback commit on the branch, signed by GitHub', async () => {
    const tip = (await s.git('rev-parse', `refs/heads/${branch}`)).trim();
    expect(tip).toBe(run.outputs.commit);
    expect((await s.git('rev-list', `main..${branch}`)).trim()).toBe(tip);
    expect(s.fake.verifiedCommits.has(tip)).toBe(true);
  });

  describe('a re-run', () => {
    let again: ActionRun;

    beforeAll(async () => {
      again = await s.run('schedule', schedule());
    });

    it('does not open a second pull request', () => {
      expect(again.code).toBe(0);
      expect(s.fake.pulls('acme/gitops')).toHaveLength(1);
      expect((JSON.parse(again.outputs.report!) as Report).services[0]).toMatchObject({
        action: 'proposed',
        pull_request: 'https://github.com/acme/gitops/pull/1',
      });
      expect(s.fake.issues('acme/app')).toHaveLength(1);
    });
  });

  describe('merging the pull request', () => {
    let merged: string;

    beforeAll(async () => {
      const octokit = new Octokit({ auth: 'test-token', baseUrl: s.fake.url });
      const { data } = await octokit.rest.pulls.merge({ owner: 'acme', repo: 'gitops', pull_number: 1 });
      merged = data.sha;
    });

    it('records the merge on the incident when the pull request closes merged, once', async () => {
      const closed = () =>
        eventPayload('pull_request', {
          repo: 'acme/app',
          action: 'closed',
          pull_request: {
            html_url: 'https://github.com/acme/gitops/pull/1',
            merged: true,
            merge_commit_sha: merged,
            head: { ref: branch },
          },
        });
      const first = await s.run('pull_request', closed());
      expect(first.code).toBe(0);
      await s.run('pull_request', closed());
      const incident = s.fake.issues('acme/app')[0]!;
      const applied = incident.comments.filter((c) => c.body.includes('## Applied by merging the proposal'));
      expect(applied).toHaveLength(1);
      expect(applied[0]!.body).toContain(`merge commit \`${merged.slice(0, 12)}\``);
    });

    it('sets the pin on main to the stable version', async () => {
      expect((await s.git('rev-parse', 'refs/heads/main')).trim()).toBe(merged);
      expect(await s.git('show', `main:${PIN}`)).toBe(kustomization(STABLE));
    });

    it("changes main by exactly the rollback commit's changes: the pin and the service's lock file", async () => {
      const rollback = run.outputs.commit!;
      expect(await s.git('diff', '--name-only', s.pinCommit, 'main')).toBe(
        `${lockFileOf('support-agent')}\n${PIN}\n`,
      );
      expect(await s.git('diff', s.pinCommit, 'main')).toBe(await s.git('diff', `${rollback}^`, rollback));
    });
  });
});

describe('a proposal a person closed without merging', () => {
  let s: Scenario;
  let again: ActionRun;

  beforeAll(async () => {
    s = await make({ mode: 'propose' });
    await s.run('schedule', schedule());
    const octokit = new Octokit({ auth: 'test-token', baseUrl: s.fake.url });
    await octokit.rest.pulls.update({ owner: 'acme', repo: 'gitops', pull_number: 1, state: 'closed' });
    again = await s.run('schedule', schedule());
  });

  it('is not proposed again', () => {
    expect(again.code).toBe(0);
    expect(s.fake.pulls('acme/gitops')).toHaveLength(1);
    const report = JSON.parse(again.outputs.report!) as Report;
    expect(report.services[0]).toMatchObject({
      action: 'none',
      detail: 'the proposal was closed without merging',
    });
  });
});
