import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

let fixture: Fixture;
let fake: FakeGitHub;
let octokit: Octokit;
const repo = { owner: 'acme', repo: 'gitops' };

beforeEach(async () => {
  fixture = await createBareRepo([{ files: { 'a.txt': '1\n' } }, { files: { 'a.txt': '2\n' } }]);
  fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
  octokit = new Octokit({ auth: 'test-token', baseUrl: fake.url });
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
  await removeFixtures();
});

const [first, second] = [0, 1];
const sha = (i: number) => fixture.oids[i]!;
const bareRef = async (ref: string) =>
  (await gitIn(fixture.bare, ['rev-parse', '--verify', '--quiet', ref]).catch(() => '')).trim();

describe('git refs', () => {
  it('reads a branch ref', async () => {
    const r = await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' });
    expect(r.data).toMatchObject({ ref: 'refs/heads/main', object: { sha: sha(second), type: 'commit' } });
  });

  it('answers 404 for a ref that does not exist', async () => {
    const error = await octokit.rest.git.getRef({ ...repo, ref: 'heads/nope' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
  });

  it('creates a branch in the bare repository', async () => {
    const r = await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/pinback/x', sha: sha(first) });
    expect(r.status).toBe(201);
    expect(await bareRef('refs/heads/pinback/x')).toBe(sha(first));
    const read = await octokit.rest.git.getRef({ ...repo, ref: 'heads/pinback/x' });
    expect(read.data.object.sha).toBe(sha(first));
  });

  it('answers 422 "Reference already exists" for a branch that exists', async () => {
    const error = await octokit.rest.git
      .createRef({ ...repo, ref: 'refs/heads/main', sha: sha(first) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, response: { data: { message: 'Reference already exists' } } });
  });

  it('fast-forwards a branch', async () => {
    await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/x', sha: sha(first) });
    await octokit.rest.git.updateRef({ ...repo, ref: 'heads/x', sha: sha(second) });
    expect(await bareRef('refs/heads/x')).toBe(sha(second));
  });

  it('refuses a non-fast-forward update without force with 422, and allows it with force', async () => {
    const error = await octokit.rest.git
      .updateRef({ ...repo, ref: 'heads/main', sha: sha(first) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 422,
      response: { data: { message: 'Update is not a fast forward' } },
    });
    expect(await bareRef('refs/heads/main')).toBe(sha(second));
    await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: sha(first), force: true });
    expect(await bareRef('refs/heads/main')).toBe(sha(first));
  });

  it('deletes a branch', async () => {
    await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/x', sha: sha(first) });
    const r = await octokit.rest.git.deleteRef({ ...repo, ref: 'heads/x' });
    expect(r.status).toBe(204);
    expect(await bareRef('refs/heads/x')).toBe('');
  });

  it('reads a file through the contents API, at the default branch or a given ref', async () => {
    const head = await octokit.rest.repos.getContent({ ...repo, path: 'a.txt' });
    expect(head.data).toMatchObject({ type: 'file', encoding: 'base64', path: 'a.txt' });
    const content = (head.data as { content: string }).content;
    expect(Buffer.from(content, 'base64').toString()).toBe('2\n');
    const old = await octokit.rest.repos.getContent({ ...repo, path: 'a.txt', ref: sha(first) });
    expect(Buffer.from((old.data as { content: string }).content, 'base64').toString()).toBe('1\n');
  });

  it('answers the repository with its default branch, and the token user', async () => {
    const r = await octokit.rest.repos.get(repo);
    expect(r.data).toMatchObject({
      full_name: 'acme/gitops',
      default_branch: 'main',
      html_url: 'https://github.com/acme/gitops',
    });
    const me = await octokit.rest.users.getAuthenticated();
    expect(me.data.login).toBe('pinback-bot');
  });
});
