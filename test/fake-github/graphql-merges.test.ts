/**
 * The fields the GitHub store reads to follow a branch's first parents, on a history with a merge
 * commit, answered as git answers them: `history` without a path is `git log`, with a path it is
 * simplified as `git log -- PATH` is, `parents` in order, `file(path:) { oid }` the blob's id.
 */
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergesQuery, readQuery } from '../support/fake-github/store-queries.js';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

const PIN = 'apps/api/pin.yaml';

let fixture: Fixture;
let fake: FakeGitHub;
let gql: Octokit['graphql'];
let merge: string;

beforeAll(async () => {
  fixture = await createBareRepo([
    { files: { [PIN]: 'tag: v1\n' }, message: 'deploy v1', date: 1_700_000_000 },
    { files: { [PIN]: 'tag: v2\n' }, message: 'bump v2', date: 1_700_000_100, branch: 'renovate' },
    { files: { 'README.md': 'docs\n' }, message: 'docs', date: 1_700_000_200 },
  ]);
  const when = '@1700000300 +0000';
  await gitIn(fixture.work, ['merge', '--quiet', '--no-ff', '-m', 'Merge renovate', 'renovate'], {
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
  });
  await gitIn(fixture.work, ['push', '--quiet', 'origin', 'main']);
  merge = (await gitIn(fixture.work, ['rev-parse', 'HEAD'])).trim();
  fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
  gql = new Octokit({ auth: 'test-token', baseUrl: fake.url }).graphql;
});

afterAll(async () => {
  await fake.close();
  await removeFixtures();
});

interface Read {
  repository: {
    ref: {
      target: {
        oid: string;
        history: { nodes: { oid: string }[] };
        chain: {
          nodes: { oid: string; parents: { nodes: { oid: string }[] }; file: { oid: string } | null }[];
        };
      };
    };
  };
}

describe("the store's read on a merge", () => {
  it('answers the path history, the chain, the parents and the file ids as git does', async () => {
    const r = await gql<Read>(readQuery(0, false), {
      owner: 'acme',
      name: 'gitops',
      ref: 'refs/heads/main',
      historyPath: PIN,
      limit: 10,
      window: 100,
    });
    const target = r.repository.ref.target;
    const lines = (out: string) => out.split('\n').filter(Boolean);
    expect(target.oid).toBe(merge);
    expect(target.history.nodes.map((n) => n.oid)).toEqual(
      lines(await gitIn(fixture.bare, ['log', '--format=%H', 'main', '--', PIN])),
    );
    expect(target.chain.nodes.map((n) => [n.oid, ...n.parents.nodes.map((p) => p.oid)].join(' '))).toEqual(
      lines(await gitIn(fixture.bare, ['log', '--format=%H %P', 'main'])).map((l) => l.trim()),
    );
    for (const n of target.chain.nodes) {
      expect(n.file?.oid).toBe((await gitIn(fixture.bare, ['rev-parse', `${n.oid}:${PIN}`])).trim());
    }
    expect(fake.violations).toEqual([]);
  });

  it("answers a merge's time, message, file and each parent's newest change of the file", async () => {
    const r = await gql<{ repository: Record<string, unknown> }>(mergesQuery(1), {
      owner: 'acme',
      name: 'gitops',
      historyPath: PIN,
      m0: merge,
    });
    expect(r.repository.m0).toEqual({
      oid: merge,
      committedDate: '2023-11-14T22:18:20Z',
      message: 'Merge renovate',
      file: { object: { text: 'tag: v2\n', isBinary: false, isTruncated: false, byteSize: 8 } },
      parents: {
        nodes: [
          {
            history: {
              nodes: [{ oid: fixture.oids[0], committedDate: '2023-11-14T22:13:20Z', message: 'deploy v1' }],
            },
          },
          {
            history: {
              nodes: [{ oid: fixture.oids[1], committedDate: '2023-11-14T22:15:00Z', message: 'bump v2' }],
            },
          },
        ],
      },
    });
    expect(fake.violations).toEqual([]);
  });
});
