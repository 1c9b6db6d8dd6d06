/**
 * Issue 13: the GitHub store reads many services at once. One GraphQL query per page of up to 100
 * pin files reads the head, every file and each pin's history; the merges a page calls for ride
 * along with the next page. Against the stand-in, which checks each request against GitHub's
 * schema and charges GitHub's documented rate-limit cost.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/github/octokit.js';
import { openGitHubStore } from '../../src/github/store.js';
import type { GitOpsStore, StoreUsage } from '../../src/gitops/store.js';
import { removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';
import { createMonorepo, serviceRead } from './monorepo.js';

/** The rate-limit points of one read of 1,000 services (GitHub's published formula, fake-github/cost.ts). */
const POINTS_1000 = 25;
const NOW = Math.floor(Date.now() / 1000);
const SINCE = new Date((NOW - 2 * 3600) * 1000);

const fakes: FakeGitHub[] = [];
afterEach(() => {
  for (const f of fakes) expect(f.violations).toEqual([]);
});
afterAll(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  await removeFixtures();
});

async function monorepoStore(o: { services: number; deploys: number; mergeEvery?: number }) {
  const repo = await createMonorepo({ ...o, now: NOW });
  const fake = await startFakeGitHub({ repos: { 'acme/gitops': repo.bare } });
  fakes.push(fake);
  const store = (perQuery?: { paths: number; files: number }): GitOpsStore =>
    openGitHubStore({
      octokit: createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} }),
      repo: 'acme/gitops',
      branch: 'main',
      perQuery,
    });
  return { repo, fake, store };
}

/** What a batch cost: the operations sent and the store's own count of them. */
function spent(fake: FakeGitHub, from: number, usage: StoreUsage | undefined) {
  return {
    operations: fake.requests.slice(from).map((r) => r.operation),
    usage,
  };
}

describe('readAll over many services', () => {
  it('reads 2 services in 1 request', async () => {
    const { fake, store } = await monorepoStore({ services: 2, deploys: 6 });
    const s = store();
    const snaps = await s.readAll([serviceRead(0, SINCE), serviceRead(1, SINCE)]);
    expect(snaps.map((x) => x.history.length)).toEqual([4, 4]);
    const { operations, usage } = spent(fake, 0, s.usage?.());
    expect(operations).toEqual(['PinbackRead']);
    expect(usage).toMatchObject({ requests: 1, reads: 1, writes: 0, points: { used: 1, limit: 5000 } });
  });

  it('reads 100 services, some changed by merge commits, in 2 requests: the page, then its merges', async () => {
    const { repo, fake, store } = await monorepoStore({ services: 100, deploys: 150, mergeEvery: 5 });
    const s = store();
    const requests = Array.from({ length: 100 }, (_, i) => serviceRead(i, SINCE));
    const snaps = await s.readAll(requests);
    const { operations, usage } = spent(fake, 0, s.usage?.());
    expect(operations).toEqual(['PinbackRead', 'PinbackMerges']);
    // The page: 100 `history`, 100 `recent`, the chain and its parents (3 points); the merges: 1.
    expect(usage).toMatchObject({ requests: 2, reads: 2, points: { used: 4, remaining: 4996 } });
    // The merges newer than the chain window's start are entries of their own, dated by the merge.
    const merged = new Set(snaps.flatMap((x) => x.history.map((h) => h.sha)));
    expect(repo.merges.slice(-10).every((m) => merged.has(m))).toBe(true);
    // Each snapshot is what a read of that service alone gives (a sample: the property test has the rest).
    const before = fake.requests.length;
    for (const i of [0, 7, 35, 99]) expect(snaps[i]).toEqual(await store().read(requests[i]!));
    expect(fake.requests.length - before).toBeLessThanOrEqual(8);
    // In pages of 30, the later pages read the first one's head by id and each page's merges ride
    // along with the next one: the same snapshots, one request more than the pages.
    const paged = store({ paths: 30, files: 100 });
    const from = fake.requests.length;
    expect(await paged.readAll(requests)).toEqual(snaps);
    expect(spent(fake, from, undefined).operations).toEqual([
      'PinbackRead',
      'PinbackRead',
      'PinbackRead',
      'PinbackRead',
      'PinbackMerges',
    ]);
  });

  it('reads 1,000 services in 8 requests, one per page of 125, all from one head', async () => {
    const { fake, store } = await monorepoStore({ services: 1000, deploys: 1200 });
    const s = store();
    const snaps = await s.readAll(Array.from({ length: 1000 }, (_, i) => serviceRead(i, SINCE)));
    const { operations, usage } = spent(fake, 0, s.usage?.());
    expect(operations).toEqual(Array.from({ length: 8 }, () => 'PinbackRead'));
    expect(new Set(snaps.map((x) => x.head)).size).toBe(1);
    expect(snaps.every((x) => x.files.size === 3 && x.history.length > 0)).toBe(true);
    expect(usage).toMatchObject({ requests: 8, reads: 8 });
    // 125 `history` and 125 `recent` connections a page and the chain: 3 points a page (the
    // first reads the chain's parents too).
    expect(usage?.points?.used).toBe(POINTS_1000);
  }, 120_000);
});
