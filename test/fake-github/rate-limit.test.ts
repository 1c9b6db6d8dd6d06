/**
 * The stand-in charges what GitHub charges: a call's `rateLimit { cost nodeCount }` by GitHub's
 * published formula (checked against the examples of "Rate limits and node limits for the GraphQL
 * API"), the hourly budget going down by it, and a call over 500,000 nodes refused.
 */
import { Octokit } from '@octokit/rest';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callCost } from '../support/fake-github/cost.js';
import { createBareRepo, removeFixtures } from '../support/fake-github/fixture.js';
import { githubSchema } from '../support/fake-github/graphql.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

const cost = (query: string, variables: Record<string, unknown> = {}) =>
  callCost(githubSchema(), parse(query), undefined, variables);

describe("GitHub's documented examples", () => {
  it.each([
    [
      'simple: 50 repositories and 10 issues of each',
      `query { viewer { repositories(first: 50) { edges { repository: node { name
         issues(first: 10) { totalCount edges { node { title bodyHTML } } } } } } } }`,
      { nodes: 550, requests: 51, cost: 1 },
    ],
    [
      'complex: pull requests, issues and their comments, followers',
      `query { viewer {
         repositories(first: 50) { edges { repository: node { name
           pullRequests(first: 20) { edges { pullRequest: node { title
             comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
           issues(first: 20) { totalCount edges { issue: node { title bodyHTML
             comments(first: 10) { edges { comment: node { bodyHTML } } } } } } } } }
         followers(first: 10) { edges { follower: node { login } } } } }`,
      { nodes: 22_060, requests: 2_102, cost: 21 },
    ],
    [
      'the rate-limit example: 1 + 100 + 5,000 requests, 51 points',
      `query { viewer { login repositories(first: 100) { edges { node { name
         pullRequests(first: 50) { edges { node { title
           labels(first: 60) { edges { node { name } } } } } } } } } } }`,
      { nodes: 305_100, requests: 5_101, cost: 51 },
    ],
  ])('%s', (_, query, expected) => {
    expect(cost(query)).toEqual(expected);
  });

  it('reads `first` from variables and fragments, and counts every alias', () => {
    const query = `query($n: Int!) { repository(owner: "o", name: "n") {
      a: object(oid: "x") { ...History } b: object(oid: "y") { ...History } } }
      fragment History on Commit { history(first: $n) { nodes { parents(first: 8) { nodes { oid } } } } }`;
    expect(cost(query, { n: 100 })).toEqual({ nodes: 1_800, requests: 202, cost: 2 });
  });

  it('charges a mutation the minimum, whatever it returns', () => {
    expect(
      cost(
        'mutation { createCommitOnBranch(input: { branch: {}, expectedHeadOid: "x", message: { headline: "h" } }) { commit { oid } } }',
      ),
    ).toMatchObject({ cost: 1 });
  });
});

describe('the stand-in', () => {
  let fake: FakeGitHub;
  let gql: Octokit['graphql'];

  beforeAll(async () => {
    const { bare } = await createBareRepo([{ files: { 'a.txt': 'a\n' } }]);
    fake = await startFakeGitHub({ repos: { 'acme/gitops': bare } });
    gql = new Octokit({ auth: 'test-token', baseUrl: fake.url }).graphql;
  });
  afterAll(async () => {
    await fake.close();
    await removeFixtures();
  });

  it('answers each call its cost and node count, and the budget left after it', async () => {
    const query = `query Cost { rateLimit { cost nodeCount remaining used limit resetAt }
      repository(owner: "acme", name: "gitops") { defaultBranchRef { target { ... on Commit {
        history(first: 100) { nodes { parents(first: 8) { nodes { oid } } } } } } } } }`;
    const first = await gql<{ rateLimit: Record<string, unknown> }>(query);
    const second = await gql<{ rateLimit: Record<string, unknown> }>(query);
    expect(first.rateLimit).toMatchObject({ cost: 1, nodeCount: 900, limit: 5000, remaining: 4999, used: 1 });
    expect(second.rateLimit).toMatchObject({ cost: 1, remaining: 4998, used: 2 });
    expect(first.rateLimit.resetAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(fake.violations).toEqual([]);
  });

  it('refuses a call over 500,000 nodes before running it, as GitHub does', async () => {
    const query = `query Big { repository(owner: "acme", name: "gitops") { defaultBranchRef { target {
      ... on Commit { history(first: 100) { nodes { history(first: 100) { nodes {
        history(first: 100) { nodes { oid } } } } } } } } } } }`;
    await expect(gql(query)).rejects.toMatchObject({
      errors: [
        {
          type: 'MAX_NODE_LIMIT_EXCEEDED',
          message:
            'By the time this query traverses to the history connection, it is requesting up to 1,010,100 possible nodes which exceeds the maximum limit of 500,000.',
        },
      ],
    });
    expect(fake.violations).toHaveLength(1);
    fake.violations.splice(0);
  });
});
