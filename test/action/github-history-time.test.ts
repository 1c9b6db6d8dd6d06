/**
 * Issue 12 through GitHub: more changes of the pin's file within the guard window than the
 * history limit. The store reads the history back by time (`history(since:)`, paged), so the
 * candidate's pin commit is found and judged, not called outside the guard window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { createOctokit } from '../../src/github/octokit.js';
import { openGitHubStore } from '../../src/github/store.js';
import { historyComplete } from '../../src/gitops/store.js';
import { onceSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import { DEFAULT_RUN } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string, note = 0) =>
  `# note ${note}\nimages:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const NOW = Math.floor(Date.now() / 1000);
const HOUR = 3600;
/** More than one page (100) of changes since the guard window began. */
const NOISE = 130;

const policyText = `version: 1\nservices:\n  api:\n    mode: auto\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    guard_window: 2h\n    triggers: { error_rate: { max: 0.05 } }\n`;

const metrics: MetricsProvider = {
  query: async (q) => ({
    kind: 'samples',
    samples: [{ t: q.end.getTime() / 1000, v: q.version === '1.1.0' ? 0.2 : 0.01 }],
  }),
};

describe('the GitHub store on a pin file changed more often than the history limit', () => {
  let fixture: Fixture;
  let fake: FakeGitHub;
  const store = () =>
    openGitHubStore({
      octokit: createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} }),
      repo: 'acme/gitops',
      branch: 'main',
    });

  beforeAll(async () => {
    fixture = await createBareRepo([
      { files: { [PIN]: k('0.9.0') }, message: 'deploy api 0.9.0', date: NOW - 3 * 86_400 },
      { files: { [PIN]: k('1.0.0') }, message: 'deploy api 1.0.0', date: NOW - 2 * 86_400 },
      { files: { [PIN]: k('1.1.0') }, message: 'deploy api 1.1.0', date: NOW - 90 * 60 },
      ...Array.from({ length: NOISE }, (_, i) => ({
        files: { [PIN]: k('1.1.0', i + 1) },
        message: `note ${i + 1}`,
        date: NOW - 90 * 60 + (i + 1) * 30,
      })),
    ]);
    fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
  });
  afterAll(async () => {
    await fake.close();
    await removeFixtures();
  });

  it('reads every change since `since` (paged), then `limit` older ones', async () => {
    const since = new Date((NOW - 2 * HOUR) * 1000);
    const seen = fake.requests.length;
    const snap = await store().read({ files: [PIN], historyOf: PIN, limit: 1, since });
    expect(snap.history.map((h) => h.sha)).toEqual(
      (await gitIn(fixture.bare, ['log', '--format=%H', 'main', '--', PIN]))
        .trim()
        .split('\n')
        .slice(0, NOISE + 2),
    );
    expect(historyComplete(snap.history, 1, since)).toBe(false);
    expect(fake.requests.slice(seen).map((r) => r.operation)).toEqual(['PinbackRead', 'PinbackRecent']);
    const all = await store().read({ files: [PIN], historyOf: PIN, limit: 5, since });
    expect(all.history).toHaveLength(NOISE + 3);
    expect(historyComplete(all.history, 5, since)).toBe(true);
    expect(fake.violations).toEqual([]);
  });

  it('judges the candidate and rolls it back instead of calling it outside the guard window', async () => {
    const policy = parsePolicy(policyText, 'p.yml', {});
    const { report } = await reconcileService(
      policy.services[0]!,
      {
        store: store(),
        providers: new Map([['file', metrics]]),
        incidents: onceSink(undefined),
        now: () => new Date(NOW * 1000),
      },
      {
        ...DEFAULT_RUN,
        policyFile: 'p.yml',
        policyDigest: policy.digest,
        actor: 't',
        runUrl: undefined,
        author: { name: 'pinback', email: 'pinback@example.test' },
        mode: undefined,
      },
    );
    expect(report.reason).not.toBe('outside_guard_window');
    expect(report).toMatchObject({ decision: 'stop', action: 'rolled_back', from: '1.1.0', to: '1.0.0' });
    expect(await gitIn(fixture.bare, ['show', `main:${PIN}`])).toBe(k('1.0.0', NOISE));
    expect(fake.violations).toEqual([]);
  });
});
