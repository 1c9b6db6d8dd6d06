import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBareRepo, type Fixture, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

let fixture: Fixture;
let fake: FakeGitHub;
let octokit: Octokit;
const repo = { owner: 'acme', repo: 'gitops' };

beforeEach(async () => {
  fixture = await createBareRepo([
    { files: { 'a.txt': 'a\n' } },
    { files: { 'a.txt': 'b\n' }, branch: 'feature' },
  ]);
  fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
  octokit = new Octokit({ auth: 'test-token', baseUrl: fake.url });
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
  await removeFixtures();
});

describe('issues', () => {
  it('creates an issue with labels and assignees, answered 201 with GitHub shape', async () => {
    const r = await octokit.rest.issues.create({
      ...repo,
      title: 'Rollback of api v2',
      body: 'RCA',
      labels: ['incident', 'rollback'],
      assignees: ['oncall'],
    });
    expect(r.status).toBe(201);
    expect(r.data).toMatchObject({
      number: 1,
      state: 'open',
      html_url: 'https://github.com/acme/gitops/issues/1',
      labels: [{ name: 'incident' }, { name: 'rollback' }],
      assignees: [{ login: 'oncall' }],
      user: { login: 'pinback-bot' },
    });
    expect(fake.issues('acme/gitops')).toEqual([
      {
        number: 1,
        title: 'Rollback of api v2',
        body: 'RCA',
        labels: ['incident', 'rollback'],
        assignees: ['oncall'],
        state: 'open',
        comments: [],
      },
    ]);
  });

  it('lists issues carrying every given label', async () => {
    await octokit.rest.issues.create({ ...repo, title: 'one', labels: ['incident', 'rollback'] });
    await octokit.rest.issues.create({ ...repo, title: 'two', labels: ['incident'] });
    await octokit.rest.issues.create({ ...repo, title: 'three', labels: ['other'] });
    const both = await octokit.rest.issues.listForRepo({ ...repo, labels: 'incident,rollback' });
    expect(both.data.map((i) => i.title)).toEqual(['one']);
    const incident = await octokit.rest.issues.listForRepo({ ...repo, labels: 'Incident' });
    expect(incident.data.map((i) => i.title)).toEqual(['two', 'one']);
  });

  it('lists open issues by default, closed or all on request', async () => {
    await octokit.rest.issues.create({ ...repo, title: 'open' });
    const closed = await octokit.rest.issues.create({ ...repo, title: 'closed' });
    await octokit.rest.issues.update({ ...repo, issue_number: closed.data.number, state: 'closed' });
    const titles = async (state?: 'open' | 'closed' | 'all') =>
      (await octokit.rest.issues.listForRepo(state ? { ...repo, state } : repo)).data.map((i) => i.title);
    expect(await titles()).toEqual(['open']);
    expect(await titles('closed')).toEqual(['closed']);
    expect(await titles('all')).toEqual(['closed', 'open']);
  });

  it('pages with per_page and a Link header that octokit.paginate follows', async () => {
    for (let i = 1; i <= 5; i++) await octokit.rest.issues.create({ ...repo, title: `issue ${i}` });
    const first = await octokit.rest.issues.listForRepo({ ...repo, per_page: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, per_page: 2 });
    expect(all.map((i) => i.number)).toEqual([5, 4, 3, 2, 1]);
  });

  it('closes an issue with PATCH and records the state reason', async () => {
    const created = await octokit.rest.issues.create({ ...repo, title: 't' });
    const r = await octokit.rest.issues.update({
      ...repo,
      issue_number: created.data.number,
      state: 'closed',
      state_reason: 'not_planned',
    });
    expect(r.data).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
    expect(r.data.closed_at).not.toBeNull();
    expect(fake.issues('acme/gitops')[0]!.state).toBe('closed');
  });

  it('adds and lists comments', async () => {
    const created = await octokit.rest.issues.create({ ...repo, title: 't' });
    const c = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: created.data.number,
      body: 'escalated',
    });
    expect(c.status).toBe(201);
    expect(c.data.html_url).toBe(`https://github.com/acme/gitops/issues/1#issuecomment-${c.data.id}`);
    const list = await octokit.rest.issues.listComments({ ...repo, issue_number: created.data.number });
    expect(list.data.map((x) => x.body)).toEqual(['escalated']);
    expect(fake.issues('acme/gitops')[0]!.comments).toEqual([{ body: 'escalated', user: 'pinback-bot' }]);
  });

  it('adds labels to an issue without dropping the ones it has', async () => {
    const created = await octokit.rest.issues.create({ ...repo, title: 't', labels: ['incident'] });
    const r = await octokit.rest.issues.addLabels({
      ...repo,
      issue_number: created.data.number,
      labels: ['escalated'],
    });
    expect(r.data.map((l) => l.name)).toEqual(['incident', 'escalated']);
  });

  it('answers 404 for an issue that does not exist', async () => {
    const error = await octokit.rest.issues.get({ ...repo, issue_number: 42 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
  });

  it('numbers issues and pull requests from one sequence and lists pull requests among issues', async () => {
    await octokit.rest.issues.create({ ...repo, title: 'issue' });
    const pr = await octokit.rest.pulls.create({ ...repo, title: 'pr', head: 'feature', base: 'main' });
    await octokit.rest.issues.create({ ...repo, title: 'issue 2' });
    expect(pr.data.number).toBe(2);
    const list = await octokit.rest.issues.listForRepo(repo);
    expect(list.data.map((i) => [i.number, i.pull_request !== undefined])).toEqual([
      [3, false],
      [2, true],
      [1, false],
    ]);
    expect(fake.issues('acme/gitops').map((i) => i.number)).toEqual([1, 3]);
  });
});
