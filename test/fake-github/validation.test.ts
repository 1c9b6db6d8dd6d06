import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

let fake: FakeGitHub;

beforeAll(async () => {
  const fixture = await createBareRepo([{ files: { 'a.txt': 'a\n' } }]);
  fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
});

afterEach(() => {
  fake.violations.length = 0;
});

afterAll(async () => {
  await fake.close();
  await removeFixtures();
});

const auth = { authorization: 'token test-token', 'content-type': 'application/json' };

async function rest(method: string, path: string, body?: unknown) {
  const init: RequestInit = { method, headers: auth };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${fake.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(fake.graphqlUrl, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: unknown; errors?: { message: string }[] },
  };
}

describe('conformance to the published GraphQL schema', () => {
  it('reports a field the schema does not have as a violation and answers errors, as GitHub does', async () => {
    const r = await graphql('query Bad { repository(owner: "acme", name: "gitops") { nope } }');
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]?.message).toMatch(/Cannot query field "nope" on type "Repository"/);
    expect(fake.violations).toHaveLength(1);
    expect(fake.violations[0]).toMatch(/graphql Bad: Cannot query field "nope"/);
  });

  it('reports a missing required variable as a violation', async () => {
    const r = await graphql(
      'query Repo($owner: String!) { repository(owner: $owner, name: "gitops") { name } }',
    );
    expect(r.body.errors?.[0]?.message).toMatch(/\$owner/);
    expect(fake.violations).toHaveLength(1);
  });

  it('reports an unbounded connection (history without first) as a violation, as GitHub refuses it', async () => {
    const r = await graphql(
      'query H { repository(owner: "acme", name: "gitops") { ref(qualifiedName: "main") { target { ... on Commit { history { nodes { oid } } } } } } }',
    );
    expect(r.body.errors?.[0]?.message).toMatch(/You must provide a `first` or `last` value/);
    expect(fake.violations).toHaveLength(1);
  });

  it('reports a field the fake does not implement, so a test cannot pass on a silent null', async () => {
    const r = await graphql('query Desc { repository(owner: "acme", name: "gitops") { description } }');
    expect(r.body.errors?.[0]?.message).toMatch(/does not implement Repository.description/);
    expect(fake.violations[0]).toMatch(/does not implement Repository.description/);
  });

  it('reports nothing for a valid query', async () => {
    await graphql('query Ok { repository(owner: "acme", name: "gitops") { nameWithOwner } }');
    expect(fake.violations).toEqual([]);
  });
});

describe('conformance to the published REST description', () => {
  it('answers 404 and reports a path GitHub has no operation for', async () => {
    const r = await rest('GET', '/repos/acme/gitops/no-such-thing');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ message: 'Not Found' });
    expect(fake.violations).toEqual([
      "GET /repos/acme/gitops/no-such-thing: no operation of GitHub's REST API matches this path",
    ]);
  });

  it('answers 404 and reports a method GitHub has no operation for on a known path', async () => {
    const r = await rest('DELETE', '/repos/acme/gitops/issues');
    expect(r.status).toBe(404);
    expect(fake.violations[0]).toMatch(/no DELETE operation on \/repos\/\{owner\}\/\{repo\}\/issues/);
  });

  it('answers 422 and reports a body without a required property (an issue without a title)', async () => {
    const r = await rest('POST', '/repos/acme/gitops/issues', { body: 'no title' });
    expect(r.status).toBe(422);
    expect(fake.violations).toEqual([
      'POST /repos/acme/gitops/issues: issues/create: body lacks the required "title"',
    ]);
    expect(fake.issues('acme/gitops')).toEqual([]);
  });

  it('answers 422 and reports a query parameter outside its enum', async () => {
    const r = await rest('GET', '/repos/acme/gitops/issues?state=merged');
    expect(r.status).toBe(422);
    expect(fake.violations[0]).toMatch(/query parameter "state" is "merged", not one of/);
  });

  it('answers 422 and reports a body property of the wrong type', async () => {
    const r = await rest('POST', '/repos/acme/gitops/issues', { title: 't', labels: 'incident' });
    expect(r.status).toBe(422);
    expect(fake.violations[0]).toMatch(/body.labels is string, expected array/);
  });

  it('answers 404 and reports an operation GitHub has but the fake does not implement', async () => {
    const r = await rest('GET', '/repos/acme/gitops/releases');
    expect(r.status).toBe(404);
    expect(fake.violations[0]).toMatch(/fake-github does not implement repos\/list-releases/);
  });

  it('reports nothing for a valid request', async () => {
    const r = await rest('GET', '/repos/acme/gitops/issues?state=all&labels=a,b&per_page=5');
    expect(r.status).toBe(200);
    expect(fake.violations).toEqual([]);
  });
});
