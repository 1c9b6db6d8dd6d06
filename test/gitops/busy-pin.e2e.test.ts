/**
 * Issue 12: a pin file that changes often. Sixty unrelated commits to the pin's file after the
 * candidate's pin commit, all within the guard window, must not push that commit out of the
 * history read: the history is read back by time (the guard window), not by a commit count.
 * Real git, local and a shallow remote clone.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { type GitOpsStore, historyComplete } from '../../src/gitops/store.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import { onceSink } from '../../src/incident/sink.js';
import { DEFAULT_RUN } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import { initRemote, initRepo, type TestRepo, useGitStores } from '../support/git.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string, note = 0) =>
  `# note ${note}\nimages:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const NOW = Math.floor(Date.now() / 1000);
const HOUR = 3600;
const NOISE = 60;

const open = useGitStores();

/** api 1.0.0 pinned two days ago, 1.1.0 pinned 90 minutes ago, then NOISE comment edits of the same file. */
async function busy(repo: TestRepo) {
  await repo.commit('deploy api 0.9.0', { files: { [PIN]: k('0.9.0') }, time: NOW - 3 * 86_400 });
  const deploy = await repo.commit('deploy api 1.0.0', {
    files: { [PIN]: k('1.0.0') },
    time: NOW - 2 * 86_400,
  });
  const bump = await repo.commit('deploy api 1.1.0', { files: { [PIN]: k('1.1.0') }, time: NOW - 90 * 60 });
  for (let i = 1; i <= NOISE; i++) {
    await repo.commit(`note ${i}`, { files: { [PIN]: k('1.1.0', i) }, time: NOW - 90 * 60 + i * 60 });
  }
  return { deploy, bump };
}

const policyText = `version: 1\nservices:\n  api:\n    mode: auto\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    guard_window: 2h\n    triggers: { error_rate: { max: 0.05 } }\n`;

/** 1.1.0 breaches error_rate; 1.0.0 is healthy. */
const metrics: MetricsProvider = {
  query: async (q) => ({
    kind: 'samples',
    samples: [{ t: q.end.getTime() / 1000, v: q.version === '1.1.0' ? 0.2 : 0.01 }],
  }),
};

async function reconcile(store: GitOpsStore) {
  const policy = parsePolicy(policyText, 'p.yml', {});
  const result = await reconcileService(
    policy.services[0]!,
    {
      store,
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
  return result.report;
}

describe('a pin file with more changes in the guard window than the history limit (git store)', () => {
  it('reads every change since `since`, then `limit` older ones', async () => {
    const repo = await initRepo();
    const { deploy, bump } = await busy(repo);
    const store = await open({ target: repo.dir });
    const since = new Date((NOW - 2 * HOUR) * 1000);
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 1, since });
    expect(snap.history).toHaveLength(NOISE + 2);
    expect(snap.history[NOISE]!.sha).toBe(bump);
    expect(snap.history[NOISE + 1]!.sha).toBe(deploy);
    expect(historyComplete(snap.history, 1, since)).toBe(false);
    const all = await store.read({ files: [PIN], historyOf: PIN, limit: 5, since });
    expect(all.history).toHaveLength(NOISE + 3);
    expect(historyComplete(all.history, 5, since)).toBe(true);
    // Without `since`, the count alone, as before.
    expect((await store.read({ files: [PIN], historyOf: PIN, limit: 10 })).history).toHaveLength(10);
  });

  it('judges the candidate and rolls it back instead of calling it outside the guard window', async () => {
    const repo = await initRepo();
    await busy(repo);
    const store = await open({ target: repo.dir });
    const report = await reconcile(store);
    expect(report.reason).not.toBe('outside_guard_window');
    expect(report).toMatchObject({ decision: 'stop', action: 'rolled_back', from: '1.1.0', to: '1.0.0' });
    expect((await repo.show('main', PIN)).toString()).toBe(k('1.0.0', NOISE));
  });

  it('deepens a shallow remote clone until it reaches the pin commit, and rolls back', async () => {
    const remote = await initRemote();
    const { deploy, bump } = await busy(remote.seed);
    await remote.seed.push();
    const store = await open({ target: remote.url, depth: 10 });
    const since = new Date((NOW - 2 * HOUR) * 1000);
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 1, since });
    expect(snap.history.map((h) => h.sha).slice(NOISE)).toEqual([bump, deploy]);
    const report = await reconcile(store);
    expect(report).toMatchObject({ decision: 'stop', action: 'rolled_back', from: '1.1.0', to: '1.0.0' });
  });
});
