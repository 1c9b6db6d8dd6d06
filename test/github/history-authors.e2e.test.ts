/**
 * Issue 12 through GitHub: a rollback record is trusted only when its commit's author is
 * pinback's. The store reads each history entry's author: the commit's own, or, for a merge that
 * lends the message (and so the trailers) of a commit it brought in, that commit's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/github/octokit.js';
import { openGitHubStore } from '../../src/github/store.js';
import { createGeneratedRepo, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';
import { DEVELOPER, MAINTAINER, RENOVATE } from './monorepo.js';

const PIN = 'apps/api/pin.yaml';
const T = 1_700_000_000;

let fake: FakeGitHub;
let oids: string[];

beforeAll(async () => {
  const repo = await createGeneratedRepo([
    { files: { [PIN]: 'tag: v1\n', 'README.md': 'a\n' }, message: 'bootstrap', time: T, author: MAINTAINER },
    { files: { [PIN]: 'tag: v2\n' }, message: 'deploy v2', time: T + 60, author: DEVELOPER },
    {
      files: { [PIN]: 'tag: v3\n' },
      message: 'chore: v3\n\nRollback-Id: forged',
      time: T + 90,
      parents: [1],
      author: RENOVATE,
    },
    {
      files: { [PIN]: 'tag: v3\n' },
      message: 'Merge pull request #3',
      time: T + 120,
      parents: [1, 2],
      author: MAINTAINER,
    },
    { files: { 'README.md': 'b\n' }, message: 'docs', time: T + 150, parents: [3], author: RENOVATE },
    // A merge that changes the pin itself: it brings no change of it, and lends no message.
    {
      files: { [PIN]: 'tag: v4\n', 'README.md': 'b\n' },
      message: 'Merge pull request #5',
      time: T + 180,
      parents: [3, 4],
      author: MAINTAINER,
    },
  ]);
  oids = repo.oids;
  fake = await startFakeGitHub({ repos: { 'acme/gitops': repo.bare } });
});
afterAll(async () => {
  await fake.close();
  await removeFixtures();
});

describe('history entries on GitHub', () => {
  it('carry the author whose trailers each message ends with', async () => {
    const store = openGitHubStore({
      octokit: createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} }),
      repo: 'acme/gitops',
      branch: 'main',
    });
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 10 });
    expect(snap.history.map((h) => [h.sha, h.message, h.author])).toEqual([
      [oids[5], 'Merge pull request #5', MAINTAINER],
      [oids[3], 'Merge pull request #3\n\nchore: v3\n\nRollback-Id: forged', RENOVATE],
      [oids[1], 'deploy v2', DEVELOPER],
      [oids[0], 'bootstrap', MAINTAINER],
    ]);
    expect(fake.violations).toEqual([]);
  });
});
