import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBareRepo, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

let fake: FakeGitHub;
let octokit: Octokit;
const repo = { owner: 'acme', repo: 'gitops' };

beforeAll(async () => {
  const fixture = await createBareRepo([{ files: { 'a.txt': 'a\n' } }]);
  fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare }, token: 's3cret', login: 'rollbot' });
  octokit = new Octokit({ auth: 's3cret', baseUrl: fake.url });
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.violations.length = 0;
});

afterAll(async () => {
  await fake.close();
  await removeFixtures();
});

describe('the fake GitHub server', () => {
  it('listens on 127.0.0.1 with GraphQL at /graphql', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.graphqlUrl).toBe(`${fake.url}/graphql`);
  });

  it('answers 401 without a token, as GitHub does', async () => {
    const res = await fetch(`${fake.url}/user`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'Requires authentication' });
  });

  it('answers 401 "Bad credentials" to a wrong token, on REST and GraphQL', async () => {
    const rest = await fetch(`${fake.url}/user`, { headers: { authorization: 'token wrong' } });
    expect(rest.status).toBe(401);
    expect(await rest.json()).toMatchObject({ message: 'Bad credentials' });
    const gql = await fetch(fake.graphqlUrl, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong' },
      body: JSON.stringify({ query: '{ viewer { login } }' }),
    });
    expect(gql.status).toBe(401);
  });

  it('accepts the token as "token X" and as "Bearer X"', async () => {
    for (const scheme of ['token', 'Bearer']) {
      const res = await fetch(`${fake.url}/user`, { headers: { authorization: `${scheme} s3cret` } });
      expect(await res.json()).toMatchObject({ login: 'rollbot' });
    }
  });

  it('sends the headers GitHub sends: rate limits and a request id', async () => {
    const r = await octokit.rest.users.getAuthenticated();
    expect(r.headers['x-ratelimit-limit']).toBe('5000');
    expect(Number(r.headers['x-ratelimit-remaining'])).toBeLessThan(5000);
    expect(r.headers['x-ratelimit-reset']).toMatch(/^\d+$/);
    expect(r.headers['x-ratelimit-resource']).toBe('core');
    expect(r.headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('records every request in order with its operation', async () => {
    await octokit.rest.repos.get(repo);
    await octokit.graphql('query Who { viewer { login } }');
    await octokit.rest.issues.create({ ...repo, title: 't' });
    expect(fake.requests.map((r) => [r.kind, r.method, r.path, r.operation, r.status])).toEqual([
      ['rest', 'GET', '/repos/acme/gitops', 'repos/get', 200],
      ['graphql', 'POST', '/graphql', 'Who', 200],
      ['rest', 'POST', '/repos/acme/gitops/issues', 'issues/create', 201],
    ]);
    expect(fake.requests[0]!.at).toBeLessThanOrEqual(fake.requests[1]!.at);
  });

  it('injects a failure once with failNext, then answers normally', async () => {
    fake.failNext({ method: 'POST', path: /\/issues$/ }, { status: 502 });
    const error = await octokit.rest.issues.create({ ...repo, title: 't' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502 });
    const ok = await octokit.rest.issues.create({ ...repo, title: 't' });
    expect(ok.status).toBe(201);
  });

  it('injects a secondary rate limit with its retry-after header', async () => {
    fake.failNext(
      { operation: 'issues/create-comment' },
      {
        status: 403,
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        },
        headers: { 'retry-after': '1' },
      },
    );
    await octokit.rest.issues.create({ ...repo, title: 't' });
    const error = await octokit.rest.issues
      .createComment({ ...repo, issue_number: 1, body: 'x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, response: { headers: { 'retry-after': '1' } } });
  });

  it('matches failNext by GraphQL operation name', async () => {
    fake.failNext({ operation: 'Who' }, { status: 502, body: '<html>Bad Gateway</html>' });
    const first = await fetch(fake.graphqlUrl, {
      method: 'POST',
      headers: { authorization: 'bearer s3cret' },
      body: JSON.stringify({ query: 'query Who { viewer { login } }' }),
    });
    expect(first.status).toBe(502);
    expect(await first.text()).toBe('<html>Bad Gateway</html>');
    expect(await octokit.graphql('query Who { viewer { login } }')).toEqual({ viewer: { login: 'rollbot' } });
  });

  it('serves GitHub Enterprise style URLs too: /api/v3 for REST, /api/graphql for GraphQL', async () => {
    const ghes = new Octokit({ auth: 's3cret', baseUrl: `${fake.url}/api/v3` });
    expect((await ghes.rest.repos.get(repo)).data.full_name).toBe('acme/gitops');
    expect(await ghes.graphql('query Who { viewer { login } }')).toEqual({ viewer: { login: 'rollbot' } });
    expect(fake.requests.map((r) => r.url)).toEqual(['/api/v3/repos/acme/gitops', '/api/graphql']);
  });

  it('refuses a directory that is not a bare repository', async () => {
    await expect(startFakeGitHub({ repos: { 'a/b': '/nonexistent' } })).rejects.toThrow(
      /not a bare git repository/,
    );
  });
});
