import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from '../support/fake-github/fixture.js';
import { runGit } from '../support/fake-github/git.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

const COMMIT = `
mutation PinbackCommit($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`;

interface CommitResult {
  createCommitOnBranch: { commit: { oid: string; url: string } };
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

let fixture: Fixture;
let fake: FakeGitHub;
let octokit: Octokit;

beforeEach(async () => {
  fixture = await createBareRepo([
    { files: { 'apps/api/pin.yaml': 'tag: v2\n', 'apps/api/flags.yaml': 'off\n', 'bin/run': '#!/bin/sh\n' } },
  ]);
  await gitIn(fixture.work, ['update-index', '--chmod=+x', 'bin/run']);
  fake = await startFakeGitHub({
    repos: { 'acme/gitops': fixture.bare },
    now: () => Date.UTC(2024, 4, 1, 12),
  });
  octokit = new Octokit({ auth: 'test-token', baseUrl: fake.url });
});

afterEach(async () => {
  await fake.close();
  await removeFixtures();
});

const input = (over: Record<string, unknown> = {}) => ({
  branch: { repositoryNameWithOwner: 'acme/gitops', branchName: 'main' },
  expectedHeadOid: fixture.oids[0],
  message: { headline: 'rollback(api): v2 -> v1', body: 'Rollback-From: v2\nRollback-To: v1' },
  fileChanges: { additions: [{ path: 'apps/api/pin.yaml', contents: b64('tag: v1\n') }] },
  ...over,
});

const bare = (args: string[]) => gitIn(fixture.bare, args);

describe('createCommitOnBranch', () => {
  it('commits the given files byte-exact on top of expectedHeadOid and moves the branch', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 13, 10]);
    const r = await octokit.graphql<CommitResult>(COMMIT, {
      input: input({
        fileChanges: {
          additions: [
            { path: 'apps/api/pin.yaml', contents: b64('tag: v1\r\nno newline at end') },
            { path: 'new/dir/blob.bin', contents: b64(bytes) },
          ],
          deletions: [{ path: 'apps/api/flags.yaml' }],
        },
      }),
    });
    const oid = r.createCommitOnBranch.commit.oid;
    expect(r.createCommitOnBranch.commit.url).toBe(`https://github.com/acme/gitops/commit/${oid}`);
    expect((await bare(['rev-parse', 'refs/heads/main'])).trim()).toBe(oid);
    expect((await bare(['rev-parse', `${oid}^`])).trim()).toBe(fixture.oids[0]);
    expect(await bare(['cat-file', 'blob', `${oid}:apps/api/pin.yaml`])).toBe('tag: v1\r\nno newline at end');
    const blob = (await runGit(fixture.bare, ['cat-file', 'blob', `${oid}:new/dir/blob.bin`])).stdout;
    expect(blob.equals(bytes)).toBe(true);
    expect(await bare(['ls-tree', '-r', '--name-only', oid])).toBe(
      'apps/api/pin.yaml\nbin/run\nnew/dir/blob.bin\n',
    );
    expect(fake.violations).toEqual([]);
  });

  it('writes the message as headline, blank line, body, authored by the token user and committed by GitHub', async () => {
    const r = await octokit.graphql<CommitResult>(COMMIT, { input: input() });
    const oid = r.createCommitOnBranch.commit.oid;
    const raw = await bare(['cat-file', 'commit', oid]);
    expect(raw.slice(raw.indexOf('\n\n') + 2)).toBe(
      'rollback(api): v2 -> v1\n\nRollback-From: v2\nRollback-To: v1',
    );
    expect(await bare(['log', '-1', '--format=%an <%ae>|%cn <%ce>|%cI', oid])).toBe(
      'pinback-bot <pinback-bot@users.noreply.github.com>|GitHub <noreply@github.com>|2024-05-01T12:00:00+00:00\n',
    );
  });

  it('marks the commit Verified, as GitHub signs commits made through the API', async () => {
    const r = await octokit.graphql<CommitResult>(COMMIT, { input: input() });
    expect(fake.verifiedCommits.has(r.createCommitOnBranch.commit.oid)).toBe(true);
    expect(fake.verifiedCommits.has(fixture.oids[0]!)).toBe(false);
  });

  it('keeps the executable bit of a file it overwrites', async () => {
    await gitIn(fixture.work, ['commit', '-q', '-m', 'chmod']);
    await gitIn(fixture.work, ['push', '-q', 'origin', 'main']);
    const head = (await bare(['rev-parse', 'main'])).trim();
    const r = await octokit.graphql<CommitResult>(COMMIT, {
      input: input({
        expectedHeadOid: head,
        fileChanges: { additions: [{ path: 'bin/run', contents: b64('#!/bin/sh\nexit 0\n') }] },
      }),
    });
    expect(await bare(['ls-tree', r.createCommitOnBranch.commit.oid, 'bin/run'])).toMatch(/^100755 /);
  });

  it('answers STALE_DATA with HTTP 200 when the branch is not at expectedHeadOid, and writes nothing', async () => {
    const stale = 'a'.repeat(40);
    const res = await fetch(fake.graphqlUrl, {
      method: 'POST',
      headers: { authorization: 'bearer test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ query: COMMIT, variables: { input: input({ expectedHeadOid: stale }) } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: { createCommitOnBranch: null },
      errors: [
        {
          type: 'STALE_DATA',
          path: ['createCommitOnBranch'],
          locations: [{ line: 3, column: 3 }],
          message: `Expected branch to point to "${stale}" but it did not. Pull and try again.`,
        },
      ],
    });
    expect((await bare(['rev-parse', 'main'])).trim()).toBe(fixture.oids[0]);
    expect(fake.violations).toEqual([]);
  });

  it('answers STALE_DATA when the branch moves between the read and the write (beforeGraphQL)', async () => {
    await gitIn(fixture.work, ['commit', '-q', '--allow-empty', '-m', 'someone else']);
    const moved = (await gitIn(fixture.work, ['rev-parse', 'HEAD'])).trim();
    fake.beforeGraphQL = async (operation) => {
      if (operation === 'PinbackCommit') await gitIn(fixture.work, ['push', '-q', 'origin', 'main']);
    };
    const error = await octokit.graphql(COMMIT, { input: input() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ errors: [{ type: 'STALE_DATA' }], data: { createCommitOnBranch: null } });
    expect((await bare(['rev-parse', 'main'])).trim()).toBe(moved);
  });

  it('lets exactly one of two concurrent commits on the same head win', async () => {
    const results = await Promise.allSettled([
      octokit.graphql<CommitResult>(COMMIT, { input: input() }),
      octokit.graphql<CommitResult>(COMMIT, { input: input() }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(await bare(['rev-list', '--count', 'main'])).toBe('2\n');
  });

  it('answers NOT_FOUND for a branch that does not exist', async () => {
    const error = await octokit
      .graphql(COMMIT, {
        input: input({ branch: { repositoryNameWithOwner: 'acme/gitops', branchName: 'nope' } }),
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ errors: [{ type: 'NOT_FOUND', path: ['createCommitOnBranch'] }] });
  });

  it('refuses to delete a path that does not exist, as GitHub does', async () => {
    const error = await octokit
      .graphql(COMMIT, { input: input({ fileChanges: { deletions: [{ path: 'nope.yaml' }] } }) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      errors: [
        {
          message: `A path was requested for deletion which does not exist as of commit oid \`${fixture.oids[0]}\``,
        },
      ],
    });
    expect((await bare(['rev-parse', 'main'])).trim()).toBe(fixture.oids[0]);
  });
});
