/**
 * Issue 11 through GitHub: a pin that reached the branch through a merge commit. GitHub's
 * `history(path:)` simplifies as `git log -- FILE` does (the change shows as the commit the merge
 * brought in, with that commit's old date); the store follows the first-parent chain instead, so
 * the change is dated by the merge, and a merged rollback proposal keeps its trailers.
 */
import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/github/octokit.js';
import { openGitHubStore } from '../../src/github/store.js';
import { readAuditRecord, rollbackId } from '../../src/history/trailers.js';
import type { Report } from '../../src/report.js';
import type { ActionRun } from '../support/action.js';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import {
  CANDIDATE,
  kustomization,
  PIN,
  STABLE,
  type Scenario,
  trailersOf,
  useScenarios,
} from '../support/github-action.js';

/** Who the fixture's commits are by: the author of the commit a merge lends its message from. */
const FIXTURE_AUTHOR = { name: 'Fixture Author', email: 'fixture@example.test' };
const NOW = Math.floor(Date.now() / 1000);
const HOUR = 3600;
const schedule = () => eventPayload('schedule', { repo: 'acme/app' });

/** A commit made with plumbing in a bare repository: `tree` of a commit, the parents, the time. */
async function commitTree(
  bare: string,
  o: { treeOf: string; parents: string[]; message: string; time: number },
): Promise<string> {
  const when = `@${o.time} +0000`;
  const out = await gitIn(
    bare,
    ['commit-tree', `${o.treeOf}^{tree}`, ...o.parents.flatMap((p) => ['-p', p]), '-m', o.message],
    { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when },
  );
  return out.trim();
}

/**
 * The candidate's pin reaches main through a merge commit a minute ago; the pull request's own
 * commit, with the same tree as the commit `treeOf`, was made three hours ago on top of `base`.
 */
async function mergeRenovate(bare: string, base: string, treeOf: string) {
  const bump = await commitTree(bare, {
    treeOf,
    parents: [base],
    message: `chore(deps): update support-agent to ${CANDIDATE}`,
    time: NOW - 3 * HOUR,
  });
  const merge = await commitTree(bare, {
    treeOf,
    parents: [base, bump],
    message: 'Merge pull request #7 from acme/renovate/support-agent',
    time: NOW - 60,
  });
  await gitIn(bare, ['update-ref', 'refs/heads/main', merge]);
  return { bump, merge };
}

describe('the GitHub store on a pin merged with a merge commit', () => {
  let fixture: Fixture;
  let fake: FakeGitHub;
  let merge: string;
  let bump: string;

  const store = () =>
    openGitHubStore({
      octokit: createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} }),
      repo: 'acme/gitops',
      branch: 'main',
    });
  let seen = 0;
  const operations = () => fake.requests.slice(seen).map((r) => r.operation);

  beforeAll(async () => {
    fixture = await createBareRepo([
      { files: { [PIN]: kustomization(STABLE) }, message: `deploy ${STABLE}`, date: NOW - 2 * 86_400 },
      { files: { [PIN]: kustomization(CANDIDATE) }, message: 'pin only', date: NOW - 4 * HOUR },
    ]);
    fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
  });
  afterEach(() => {
    expect(fake.violations).toEqual([]);
    seen = fake.requests.length;
  });
  afterAll(async () => {
    await fake.close();
    await removeFixtures();
  });

  it('reads a linear history in one request, as before', async () => {
    await gitIn(fixture.bare, ['update-ref', 'refs/heads/main', fixture.oids[1]!]);
    const snap = await store().read({ files: [PIN], historyOf: PIN, limit: 50 });
    expect(snap.history.map((h) => [h.sha, h.time])).toEqual([
      [fixture.oids[1], NOW - 4 * HOUR],
      [fixture.oids[0], NOW - 2 * 86_400],
    ]);
    expect(operations()).toEqual(['PinbackRead']);
  });

  it("dates the change by the merge, with the merge's message followed by the change's, in two requests", async () => {
    ({ merge, bump } = await mergeRenovate(fixture.bare, fixture.oids[0]!, fixture.oids[1]!));
    const snap = await store().read({ files: [PIN], historyOf: PIN, limit: 50 });
    expect(snap.head).toBe(merge);
    expect(snap.history).toEqual([
      {
        sha: merge,
        time: NOW - 60,
        message: `Merge pull request #7 from acme/renovate/support-agent\n\nchore(deps): update support-agent to ${CANDIDATE}`,
        text: kustomization(CANDIDATE),
        author: FIXTURE_AUTHOR,
      },
      {
        sha: fixture.oids[0],
        time: NOW - 2 * 86_400,
        message: `deploy ${STABLE}`,
        text: kustomization(STABLE),
        author: FIXTURE_AUTHOR,
        // The first commit: nothing older tells whether a merge brought it.
        simplified: true,
      },
    ]);
    expect(snap.history.map((h) => h.sha)).not.toContain(bump);
    expect(operations()).toEqual(['PinbackRead', 'PinbackMerges']);
  });

  it('needs no second request when the newest changes it returns are no merges', async () => {
    const later = await commitTree(fixture.bare, {
      treeOf: fixture.oids[0]!,
      parents: [merge],
      message: `deploy ${STABLE} again`,
      time: NOW - 30,
    });
    await gitIn(fixture.bare, ['update-ref', 'refs/heads/main', later]);
    const snap = await store().read({ files: [PIN], historyOf: PIN, limit: 1 });
    expect(snap.history.map((h) => h.sha)).toEqual([later]);
    expect(operations()).toEqual(['PinbackRead']);
  });
});

describe('the Action on schedule, when the candidate was merged with a merge commit', () => {
  const { make } = useScenarios();
  let s: Scenario;
  let run: ActionRun;
  let merge: string;

  beforeAll(async () => {
    s = await make();
    ({ merge } = await mergeRenovate(s.gitops.bare, s.gitops.oids[0]!, s.gitops.oids[1]!));
    run = await s.run('schedule', schedule());
  });

  it('judges the candidate inside its guard window and rolls it back', () => {
    expect(run.code).toBe(0);
    const report = JSON.parse(run.outputs.report!) as Report;
    expect(report.services[0]).toMatchObject({
      decision: 'stop',
      reason: 'error_spike',
      from: CANDIDATE,
      to: STABLE,
      action: 'rolled_back',
    });
  });

  it("names the merge as the candidate's pin commit in the rollback id", async () => {
    expect(await trailersOf(s, run.outputs.commit!)).toContain(
      `Rollback-Id: ${rollbackId('support-agent', CANDIDATE, STABLE, merge)}`,
    );
  });

  it('reads twice (the merge is read on its own) and commits', () => {
    const commit = s.fake.requests.findIndex((r) => r.operation === 'PinbackCommit');
    expect(s.fake.requests.slice(0, commit + 1).map((r) => `${r.kind} ${r.operation}`)).toEqual([
      'graphql PinbackRead',
      'graphql PinbackMerges',
      'graphql PinbackCommit',
    ]);
  });

  it('commits on top of the merge', async () => {
    expect((await s.git('rev-parse', `${run.outputs.commit}^`)).trim()).toBe(merge);
  });
});

describe('a rollback proposal merged with a merge commit', () => {
  const { make } = useScenarios();
  let s: Scenario;
  let merged: string;
  let again: ActionRun;

  beforeAll(async () => {
    s = await make({ mode: 'propose' });
    await s.run('schedule', schedule());
    const octokit = new Octokit({ auth: 'test-token', baseUrl: s.fake.url });
    const { data } = await octokit.rest.pulls.merge({ owner: 'acme', repo: 'gitops', pull_number: 1 });
    merged = data.sha;
    again = await s.run('schedule', schedule());
  });

  it('is a merge commit on main', async () => {
    expect((await s.git('rev-list', '--parents', '-n1', merged)).trim().split(' ')).toHaveLength(3);
  });

  it("reads the merge as the change, with the rollback commit's trailers", async () => {
    const store = openGitHubStore({
      octokit: createOctokit({ token: 'test-token', apiUrl: s.fake.url, warn: () => {} }),
      repo: 'acme/gitops',
    });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 50 });
    expect(snap.history[0]).toMatchObject({ sha: merged, text: kustomization(STABLE) });
    expect(readAuditRecord(snap.history[0]!.message)).toMatchObject({
      kind: 'rollback',
      service: 'support-agent',
      from: CANDIDATE,
      to: STABLE,
      id: rollbackId('support-agent', CANDIDATE, STABLE, s.pinCommit),
    });
    expect(snap.history.slice(1).map((h) => h.sha)).toEqual([s.pinCommit, s.gitops.oids[0]]);
  });

  it('stands on the rollback on the next run: nothing is proposed again', () => {
    expect(again.code).toBe(0);
    const report = JSON.parse(again.outputs.report!) as Report;
    expect(report.services[0]).toMatchObject({ action: 'already_rolled_back', from: CANDIDATE, to: STABLE });
    expect(s.fake.pulls('acme/gitops')).toHaveLength(1);
  });
});
