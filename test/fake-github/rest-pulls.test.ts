import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

let fixture: Fixture;
let fake: FakeGitHub;
let octokit: Octokit;
const repo = { owner: 'acme', repo: 'gitops' };

beforeEach(async () => {
  fixture = await createBareRepo([
    { files: { 'pin.yaml': 'tag: v2\n', 'other.yaml': 'x: 1\n' } },
    {
      files: { 'pin.yaml': 'tag: v1\n' },
      branch: 'pinback/rollback-api',
      message: 'rollback(api): v2 -> v1',
    },
  ]);
  fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
  octokit = new Octokit({ auth: 'test-token', baseUrl: fake.url });
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
  await removeFixtures();
});

const bare = (args: string[]) => gitIn(fixture.bare, args);
const open = () =>
  octokit.rest.pulls.create({
    ...repo,
    title: 'Rollback api',
    head: 'pinback/rollback-api',
    base: 'main',
    body: 'why',
  });

/** Moves main ahead in the bare repo with a commit made in the work repo. */
async function advanceMain(files: Record<string, string>): Promise<void> {
  const work = fixture.work;
  await gitIn(work, ['checkout', '-q', 'main']);
  for (const [path, text] of Object.entries(files)) {
    await import('node:fs/promises').then((fs) => fs.writeFile(`${work}/${path}`, text));
    await gitIn(work, ['add', path]);
  }
  await gitIn(work, ['commit', '-q', '-m', 'main moves on']);
  await gitIn(work, ['push', '-q', 'origin', 'main']);
}

describe('pull requests', () => {
  it('opens a pull request with its head and base', async () => {
    const r = await open();
    expect(r.status).toBe(201);
    expect(r.data).toMatchObject({
      number: 1,
      state: 'open',
      html_url: 'https://github.com/acme/gitops/pull/1',
      head: { ref: 'pinback/rollback-api', sha: fixture.oids[1], label: 'acme:pinback/rollback-api' },
      base: { ref: 'main', sha: fixture.oids[0] },
      merged: false,
    });
    expect(fake.pulls('acme/gitops')).toEqual([
      {
        number: 1,
        title: 'Rollback api',
        body: 'why',
        head: 'pinback/rollback-api',
        base: 'main',
        state: 'open',
        merged: false,
        merge_commit_sha: null,
      },
    ]);
  });

  it('refuses a second open pull request for the same head with 422, as GitHub does', async () => {
    await open();
    const error = await open().catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [{ message: 'A pull request already exists for acme:pinback/rollback-api.' }],
        },
      },
    });
  });

  it('lists pull requests filtered by head owner:branch and base', async () => {
    await open();
    const byHead = await octokit.rest.pulls.list({ ...repo, head: 'acme:pinback/rollback-api' });
    expect(byHead.data.map((p) => p.number)).toEqual([1]);
    const other = await octokit.rest.pulls.list({ ...repo, head: 'acme:other' });
    expect(other.data).toEqual([]);
    const byBase = await octokit.rest.pulls.list({ ...repo, base: 'release' });
    expect(byBase.data).toEqual([]);
  });

  it('merges with a two-parent merge commit that carries the head changes onto the base', async () => {
    const pr = await open();
    const r = await octokit.rest.pulls.merge({ ...repo, pull_number: pr.data.number, merge_method: 'merge' });
    expect(r.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    const sha = r.data.sha;
    expect((await bare(['rev-parse', 'main'])).trim()).toBe(sha);
    expect(await bare(['show', '-s', '--format=%P', sha])).toBe(`${fixture.oids[0]} ${fixture.oids[1]}\n`);
    expect(await bare(['show', `${sha}:pin.yaml`])).toBe('tag: v1\n');
    expect(await bare(['show', '-s', '--format=%s', sha])).toBe(
      'Merge pull request #1 from acme/pinback/rollback-api\n',
    );
    const after = await octokit.rest.pulls.get({ ...repo, pull_number: 1 });
    expect(after.data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: sha });
  });

  it('merges a head whose base moved on with a real three-way merge', async () => {
    await advanceMain({ 'other.yaml': 'x: 2\n' });
    const pr = await open();
    const r = await octokit.rest.pulls.merge({ ...repo, pull_number: pr.data.number });
    expect(await bare(['show', `${r.data.sha}:pin.yaml`])).toBe('tag: v1\n');
    expect(await bare(['show', `${r.data.sha}:other.yaml`])).toBe('x: 2\n');
  });

  it('answers 405 when the head conflicts with the base, and leaves the base alone', async () => {
    await advanceMain({ 'pin.yaml': 'tag: v3\n' });
    const mainBefore = (await bare(['rev-parse', 'main'])).trim();
    const pr = await open();
    const error = await octokit.rest.pulls
      .merge({ ...repo, pull_number: pr.data.number })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 405 });
    expect((await bare(['rev-parse', 'main'])).trim()).toBe(mainBefore);
  });

  it('squash-merges into a single-parent commit', async () => {
    const pr = await open();
    const r = await octokit.rest.pulls.merge({
      ...repo,
      pull_number: pr.data.number,
      merge_method: 'squash',
    });
    expect(await bare(['show', '-s', '--format=%P|%s', r.data.sha])).toBe(
      `${fixture.oids[0]}|Rollback api (#1)\n`,
    );
    expect(await bare(['show', `${r.data.sha}:pin.yaml`])).toBe('tag: v1\n');
  });

  it('rebase-merges by replaying the head commits onto the base', async () => {
    await advanceMain({ 'other.yaml': 'x: 2\n' });
    const mainBefore = (await bare(['rev-parse', 'main'])).trim();
    const pr = await open();
    const r = await octokit.rest.pulls.merge({
      ...repo,
      pull_number: pr.data.number,
      merge_method: 'rebase',
    });
    expect(await bare(['show', '-s', '--format=%P|%s', r.data.sha])).toBe(
      `${mainBefore}|rollback(api): v2 -> v1\n`,
    );
    expect(await bare(['show', `${r.data.sha}:pin.yaml`])).toBe('tag: v1\n');
  });

  it('answers 409 when the head moved away from the sha the merge names', async () => {
    const pr = await open();
    const error = await octokit.rest.pulls
      .merge({ ...repo, pull_number: pr.data.number, sha: fixture.oids[0] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409 });
  });

  it('closes a pull request with PATCH', async () => {
    const pr = await open();
    const r = await octokit.rest.pulls.update({ ...repo, pull_number: pr.data.number, state: 'closed' });
    expect(r.data).toMatchObject({ state: 'closed', merged: false });
  });
});
