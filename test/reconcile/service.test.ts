/**
 * The reconciler in process, on real git repositories, for what the CLI tests do not reach:
 * the pre-deploy baseline, medium severity, the kill switch's release after recovery.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { openGitStore } from '../../src/gitops/git.js';
import type { Incident } from '../../src/incident/render.js';
import type { IncidentSink, IncidentUpdate } from '../../src/incident/sink.js';
import type { MetricQuery, MetricsProvider } from '../../src/metrics/provider.js';
import { DEFAULT_RUN, reconcileService } from '../../src/reconcile/service.js';
import { GitOpsRepo } from '../support/gitops.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;

function repoWith(flags?: string): GitOpsRepo {
  const repo = new GitOpsRepo();
  repo.write(PIN, k('1.0.0'));
  if (flags) repo.write('apps/api/flags.yaml', flags);
  repo.commit('deploy 1.0.0', 86_400);
  repo.write(PIN, k('1.1.0'));
  repo.commit('deploy 1.1.0', 300);
  return repo;
}

/** Answers from a function of the query; records every query. */
function provider(answer: (q: MetricQuery) => number): MetricsProvider & { queries: MetricQuery[] } {
  const queries: MetricQuery[] = [];
  return {
    queries,
    query: async (q) => {
      queries.push(q);
      return { kind: 'samples', samples: [{ t: q.end.getTime() / 1000, v: answer(q) }] };
    },
  };
}

/** An in-memory incident sink that records what it was asked. */
function sink(): IncidentSink & { opened: Incident[]; updates: IncidentUpdate[] } {
  const opened: Incident[] = [];
  const updates: IncidentUpdate[] = [];
  return {
    opened,
    updates,
    open: async (i) => {
      const created = !opened.some((o) => o.id === i.id);
      if (created) opened.push(i);
      return { where: `incident-${i.id}`, created };
    },
    note: async (id) => `incident-${id}`,
    update: async (id, _s, u) => {
      const added = !updates.some((x) => x.key === u.key);
      if (added) updates.push(u);
      return { where: `incident-${id}`, added };
    },
  };
}

async function reconcile(
  repo: GitOpsRepo,
  policyText: string,
  metrics: MetricsProvider,
  incidents?: IncidentSink,
  now = () => new Date(),
) {
  const policy = parsePolicy(policyText, 'p.yml', {});
  const store = await openGitStore({ target: repo.dir });
  try {
    return await reconcileService(
      policy.services[0]!,
      { store, providers: new Map([['file', metrics]]), incidents, now },
      {
        ...DEFAULT_RUN,
        policyFile: 'p.yml',
        policyDigest: policy.digest,
        actor: 't',
        runUrl: undefined,
        author: { name: 'p', email: 'p@x' },
        mode: undefined,
        sent: new Set(),
      },
    );
  } finally {
    await store.close();
  }
}

describe('baseline: before_deploy', () => {
  it('compares with the same query over the window that ends at the pin commit', async () => {
    const repo = repoWith();
    const pinnedAt = Number(repo.git('log', '-1', '--format=%ct').trim());
    const metrics = provider((q) => (q.end.getTime() / 1000 <= pinnedAt ? 0.005 : 0.05));
    const report = await reconcile(
      repo,
      `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    baseline: before_deploy\n    triggers: { error_rate: { max_increase: 100% } }\n`,
      metrics,
    );
    expect(report).toMatchObject({ decision: 'stop', action: 'rolled_back' });
    expect(report.evidence[0]).toMatchObject({ value: 0.05, baseline: 0.005, limit: 0.01 });
    expect(metrics.queries.map((q) => q.end.getTime() / 1000)).toContain(pinnedAt);
  });
});

describe('severity: medium', () => {
  const policy = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { quality: { min: 0.75, severity: medium, reason: quality_drop } }\n`;

  it('does not alert on a breach the stable shares at the same time', async () => {
    const repo = repoWith();
    const incidents = sink();
    const report = await reconcile(
      repo,
      policy,
      provider(() => 0.6),
      incidents,
    );
    expect(report).toMatchObject({ decision: 'allow', reason: 'within_limits', incident: null });
    expect(report.evidence[0]).toMatchObject({ breached: false });
    expect(incidents.opened).toEqual([]);
  });

  it('opens one incident and rolls nothing back', async () => {
    const repo = repoWith();
    const incidents = sink();
    // The stable stays healthy: a drop both versions share is no alert about the candidate.
    const metrics = provider((q) => (q.version === '1.1.0' ? 0.6 : 0.9));
    const first = await reconcile(repo, policy, metrics, incidents);
    const second = await reconcile(repo, policy, metrics, incidents);
    expect(first).toMatchObject({
      decision: 'allow',
      reason: 'below_rollback_severity',
      action: 'none',
      commit: null,
    });
    expect(second.incident).toBe(first.incident);
    expect(incidents.opened.map((i) => i.kind)).toEqual(['alert']);
    expect(repo.count()).toBe(2);
  });
});

describe('kill switch release: on_recovery', () => {
  it('sets the kill switch back in a commit of its own once the stable is verified', async () => {
    const flags = 'data:\n  writes_disabled: "false"\n';
    const repo = repoWith(flags);
    const policy = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05 } }\n    on_rollback:\n      verify: { window: 1s }\n      kill_switch: { file: apps/api/flags.yaml, yaml_path: data.writes_disabled, value: "true", release: on_recovery }\n`;
    const metrics = provider((q) => (q.version === '1.1.0' ? 0.2 : 0.01));
    const incidents = sink();
    expect(await reconcile(repo, policy, metrics, incidents)).toMatchObject({ action: 'rolled_back' });
    expect(repo.read('apps/api/flags.yaml')).toBe('data:\n  writes_disabled: "true"\n');

    const later = () => new Date(Date.now() + 5000);
    const verified = await reconcile(repo, policy, metrics, incidents, later);
    expect(verified).toMatchObject({ reason: 'recovered', action: 'already_rolled_back' });
    expect(repo.read('apps/api/flags.yaml')).toBe(flags);
    expect(repo.git('log', '-1', '--format=%(trailers:key=Rollback-Release,valueonly)').trim()).toBe(
      'kill_switch',
    );
    expect(incidents.updates.map((u) => u.key)).toEqual(['recovered']);

    const again = await reconcile(repo, policy, metrics, incidents, later);
    expect(again.reason).toBe('recovered');
    expect(repo.count()).toBe(4);
  });
});

describe('verification is careful', () => {
  it('never falls back because the stable has no data yet, even with on_no_data: stop', async () => {
    const repo = new GitOpsRepo();
    for (const [v, ago] of [
      ['0.9.0', 3 * 86_400],
      ['1.0.0', 2 * 86_400],
      ['1.1.0', 300],
    ] as const) {
      repo.write(PIN, k(v));
      repo.commit(`deploy ${v}`, ago);
    }
    const policy = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05, on_no_data: stop } }\n    on_rollback: { verify: { window: 10m }, fallback_depth: 2 }\n`;
    const metrics: MetricsProvider = {
      query: async (q) =>
        q.version === '1.1.0'
          ? { kind: 'samples', samples: [{ t: q.end.getTime() / 1000, v: 0.3 }] }
          : { kind: 'no_data', cause: 'not scraped yet' },
    };
    expect(await reconcile(repo, policy, metrics)).toMatchObject({ action: 'rolled_back', to: '1.0.0' });
    const next = await reconcile(repo, policy, metrics, undefined, () => new Date(Date.now() + 30_000));
    expect(next).toMatchObject({ action: 'already_rolled_back', reason: 'verifying' });
    expect(repo.count()).toBe(4);
  });

  it('writes and notifies nothing in dry-run after a rollback', async () => {
    const flags = 'data:\n  writes_disabled: "false"\n';
    const repo = repoWith(flags);
    const policy = (mode: string) =>
      `version: 1\nservices:\n  api:\n    mode: ${mode}\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05 } }\n    on_rollback:\n      verify: { window: 1s }\n      kill_switch: { file: apps/api/flags.yaml, yaml_path: data.writes_disabled, value: "true", release: on_recovery }\n`;
    const metrics = provider((q) => (q.version === '1.1.0' ? 0.2 : 0.01));
    await reconcile(repo, policy('auto'), metrics, sink());
    const incidents = sink();
    const later = () => new Date(Date.now() + 5000);
    const dry = await reconcile(repo, policy('dry-run'), metrics, incidents, later);
    expect(dry.reason).toBe('recovered');
    expect(repo.count()).toBe(3);
    expect(incidents.updates).toEqual([]);
  });
});

describe('after the verification window', () => {
  it('judges the window itself, so an outage after recovery does not reopen it', async () => {
    const repo = repoWith();
    const policy = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05 } }\n    on_rollback: { verify: { window: 10s } }\n`;
    await reconcile(
      repo,
      policy,
      provider((q) => (q.version === '1.1.0' ? 0.2 : 0.01)),
    );
    const rolledAt = Number(repo.git('log', '-1', '--format=%ct').trim()) * 1000;
    // The stable is healthy during the window and fails an hour later, for another reason.
    const stable = provider((q) =>
      q.version === '1.1.0' ? 0.2 : q.end.getTime() <= rolledAt + 11_000 ? 0.01 : 0.3,
    );
    const anHourLater = () => new Date(rolledAt + 3_600_000);
    expect(await reconcile(repo, policy, stable, undefined, anHourLater)).toMatchObject({
      reason: 'recovered',
    });
    expect(repo.count()).toBe(3);
  });
});

describe('count-aware triggers end to end', () => {
  /** Per-minute counts on whole minutes of the range asked: 1,000 requests, `rate` of them bad. */
  const counts = (rate: (version: string) => number): MetricsProvider => ({
    query: async (q) => {
      const end = Math.floor(q.end.getTime() / 60_000) * 60;
      const start = q.start ? q.start.getTime() / 1000 : end - q.windowMs / 1000;
      const samples = [];
      for (let t = end; t > start; t -= 60)
        samples.unshift({ t, v: q.part === 'bad' ? 1000 * rate(q.version) : 1000 });
      return samples.length ? { kind: 'samples', samples } : { kind: 'no_data', cause: 'no minute in range' };
    },
  });
  const policy = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { errors: { ratio: {}, max_increase: 20%, reason: error_spike } }\n    on_rollback: { verify: { window: 3m } }\n`;

  it('rolls back a candidate shown worse than the stable at the same minutes, then verifies the stable', async () => {
    const repo = repoWith();
    const metrics = counts((v) => (v === '1.1.0' ? 0.08 : 0.005));
    const report = await reconcile(repo, policy, metrics);
    expect(report).toMatchObject({
      decision: 'stop',
      reason: 'error_spike',
      action: 'rolled_back',
      to: '1.0.0',
    });
    expect(report.evidence[0]).toMatchObject({ test: 'sequential', breached: true });
    expect(repo.git('log', '-1', '--format=%B')).toMatch(
      /errors 8% \([\d,]+ of [\d,]+\) vs the stable's 0\.5%/,
    );

    const rolledAt = Number(repo.git('log', '-1', '--format=%ct').trim()) * 1000;
    const verified = await reconcile(repo, policy, metrics, undefined, () => new Date(rolledAt + 5 * 60_000));
    expect(verified).toMatchObject({ reason: 'recovered', action: 'already_rolled_back' });
  });

  it('leaves a candidate within the tolerance alone', async () => {
    const repo = repoWith();
    const report = await reconcile(
      repo,
      policy,
      counts((v) => (v === '1.1.0' ? 0.0055 : 0.005)),
    );
    expect(report).toMatchObject({ decision: 'allow', reason: 'within_limits', action: 'none' });
    expect(repo.count()).toBe(2);
  });
});
