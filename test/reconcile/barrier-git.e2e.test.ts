/**
 * Migration barriers on real git: the Rollback-Barrier trailer of a pull request's commit, merged
 * with a merge commit, marks the version it pinned; a stop whose rollback would cross it escalates
 * without any commit (no revert, no lock, a clean work tree, from a local work tree and from a
 * remote), and the Markdown incident says which barrier and why.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/commands/evaluate.js';
import { parsePolicy } from '../../src/config/load.js';
import { openGitStore } from '../../src/gitops/git.js';
import type { GitOpsStore } from '../../src/gitops/store.js';
import { fileIncidentSink } from '../../src/incident/file.js';
import { onceSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import { DEFAULT_RUN } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import { tempDir } from '../support/git.js';
import { GitOpsRepo } from '../support/gitops.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const MIGRATION = 'migration 0042 drops column legacy_email';

const policyOf = (extra = '') =>
  parsePolicy(
    `version: 1
owners: ["@acme/db-oncall"]
services:
  api:
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }
    triggers: { error_rate: { max: 0.05, reason: error_spike } }
${extra}`,
    'pinback.yml',
    {},
  );

/** Every version breaches but the healthy ones. */
const breaching = (...healthy: string[]): MetricsProvider => ({
  query: async (q) => ({
    kind: 'samples',
    samples: [{ t: q.end.getTime() / 1000, v: healthy.includes(q.version) ? 0.01 : 0.2 }],
  }),
});

const stores: GitOpsStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

async function reconcileOn(
  target: string,
  policy: ReturnType<typeof policyOf>,
  incidentDir: string,
  healthy: readonly string[] = ['2.3.3'],
) {
  const store = await openGitStore({ target, branch: 'main' });
  stores.push(store);
  const { report } = await reconcileService(
    policy.services[0]!,
    {
      store,
      providers: new Map([['file', breaching(...healthy)]]),
      incidents: onceSink(fileIncidentSink(incidentDir, async () => undefined)),
      now: () => new Date(),
    },
    {
      ...DEFAULT_RUN,
      policyFile: 'pinback.yml',
      policyDigest: policy.digest,
      actor: 'test',
      runUrl: undefined,
      author: { name: 'pinback', email: 'pinback@example.test' },
      mode: undefined,
    },
  );
  return report;
}

/** 2.3.3 for days, then a pull request pinning 2.4.0 with the trailer, merged with a merge commit. */
function mergedBarrier(): { repo: GitOpsRepo; merge: string } {
  const repo = new GitOpsRepo();
  repo.write(PIN, k('2.3.3'));
  repo.commit('deploy 2.3.3', 3 * 86_400);
  repo.git('checkout', '-q', '-b', 'release-2.4.0');
  repo.write(PIN, k('2.4.0'));
  repo.commit(
    `api: 2.4.0\n\nRuns the migration that drops legacy_email.\n\nRollback-Barrier: ${MIGRATION}`,
    900,
  );
  repo.git('checkout', '-q', 'main');
  repo.git('merge', '-q', '--no-ff', 'release-2.4.0', '-m', 'Merge pull request #7 from acme/release-2.4.0');
  return { repo, merge: repo.head() };
}

describe('a stop behind a migration barrier, on real git', () => {
  it('on a local work tree: escalated, nothing committed, the incident names the barrier', async () => {
    const { repo, merge } = mergedBarrier();
    const incidents = await tempDir();
    const count = repo.count();

    const report = await reconcileOn(repo.dir, policyOf(), incidents);

    expect(report).toMatchObject({
      decision: 'stop',
      reason: 'migration_barrier',
      from: '2.4.0',
      to: null,
      action: 'escalated',
      commit: null,
      // The merge commit brought 2.4.0 to the branch: it is the barrier's pin commit.
      barrier: {
        version: '2.4.0',
        commit: merge,
        reason: MIGRATION,
        source: 'trailer',
        would_restore: '2.3.3',
      },
    });
    expect(repo.count()).toBe(count);
    expect(repo.head()).toBe(merge);
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(repo.read(PIN)).toBe(k('2.4.0'));
    expect(repo.git('ls-tree', '-r', '--name-only', 'HEAD')).not.toContain('.pinback/');

    const incident = await readFile(report.incident!, 'utf8');
    expect(report.incident!.startsWith(join(incidents, 'api-'))).toBe(true);
    expect(incident).toContain('# Stranded: `api` `2.4.0` (`error_spike`), no version to roll back to');
    expect(incident).toContain('## Not rolled back: migration barrier');
    expect(incident).toContain(`| \`2.4.0\` | \`${merge.slice(0, 12)}\` | ${MIGRATION} |`);
    expect(incident).toContain('`2.4.0` stays pinned and is not locked (no commit was made).');

    // The next schedule changes nothing and adds nothing.
    const again = await reconcileOn(repo.dir, policyOf(), incidents);
    expect(again).toMatchObject({ action: 'escalated', incident: report.incident });
    expect(repo.count()).toBe(count);
    expect(await readFile(report.incident!, 'utf8')).toBe(incident);
  });

  it("from a remote, with the policy's barriers: nothing is pushed", async () => {
    const repo = new GitOpsRepo();
    repo.write(PIN, k('2.3.3'));
    repo.commit('deploy 2.3.3', 3 * 86_400);
    repo.write(PIN, k('2.4.0'));
    repo.commit('deploy 2.4.0', 600);
    const bare = repo.bareClone();
    const before = repo.git('--git-dir', bare, 'rev-parse', 'main');

    const report = await reconcileOn(
      `file://${bare}`,
      policyOf(`    barriers: [{ version: 2.4.0, reason: "${MIGRATION}" }]\n`),
      await tempDir(),
    );

    expect(report).toMatchObject({
      action: 'escalated',
      reason: 'migration_barrier',
      barrier: { version: '2.4.0', source: 'policy', reason: MIGRATION, would_restore: '2.3.3' },
    });
    expect(repo.git('--git-dir', bare, 'rev-parse', 'main')).toBe(before);
  });

  it('a barrier that is itself the stable is restored: a barrier stops the choice, it does not block it', async () => {
    const { repo } = mergedBarrier();
    repo.write(PIN, k('2.4.1'));
    repo.commit('deploy 2.4.1', 300);
    const report = await reconcileOn(repo.dir, policyOf(), await tempDir(), ['2.3.3', '2.4.0']);
    expect(report).toMatchObject({ action: 'rolled_back', from: '2.4.1', to: '2.4.0' });
    expect(repo.read(PIN)).toBe(k('2.4.0'));
  });
});

describe('evaluate --gitops behind a migration barrier', () => {
  it('names no version to go to, as run would escalate', async () => {
    const { repo } = mergedBarrier();
    const store = await openGitStore({ target: repo.dir, branch: 'main' });
    stores.push(store);
    const policy = policyOf();
    const report = await evaluate(policy, {
      providers: new Map([['file', breaching('2.3.3')]]),
      now: new Date(),
      store,
    });
    expect(report.services[0]).toMatchObject({
      decision: 'stop',
      reason: 'migration_barrier',
      from: '2.4.0',
      to: null,
      barrier: { version: '2.4.0', would_restore: '2.3.3' },
    });
  });
});
