/**
 * The reconciler in process, on an in-memory GitOps store and an injected clock: the pre-deploy
 * baseline, alert-only triggers, verification, the kill switch's release after recovery, races.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { type Incident, incidentTitle, renderIncident } from '../../src/incident/render.js';
import { type IncidentSink, type IncidentUpdate, onceSink } from '../../src/incident/sink.js';
import type { MetricQuery, MetricsProvider } from '../../src/metrics/provider.js';
import { DEFAULT_RUN, type FoundProposal, type Proposal, type Proposals } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import { Clock } from '../support/clock.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const START = Date.UTC(2026, 11, 2, 12, 0, 0);

/** A repository and the clock it and the reconciler share. */
class Repo extends MemoryGitOps {
  constructor(readonly time = new Clock(START)) {
    super(time.ms);
  }
  get t(): number {
    return this.time.t;
  }
  set t(ms: number) {
    this.time.t = ms;
  }
  advance(ms: number): this {
    this.time.advance(ms);
    return this;
  }
  /** Time of the newest commit, unix seconds. */
  lastTime(): number {
    return this.log()[0]!.time;
  }
  lastMessage(): string {
    return this.log()[0]!.message;
  }
}

function repoWith(flags?: string): Repo {
  const repo = new Repo();
  repo.write(PIN, k('1.0.0'));
  if (flags) repo.write('apps/api/flags.yaml', flags);
  repo.commitAt('deploy 1.0.0', 86_400);
  repo.write(PIN, k('1.1.0'));
  repo.commitAt('deploy 1.1.0', 300);
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
  repo: Repo,
  policyText: string,
  metrics: MetricsProvider,
  incidents?: IncidentSink,
  proposals?: Proposals,
) {
  const policy = parsePolicy(policyText, 'p.yml', {});
  const result = await reconcileService(
    policy.services[0]!,
    {
      store: repo,
      providers: new Map([['file', metrics]]),
      incidents: onceSink(incidents),
      proposals,
      now: () => new Date(repo.t),
    },
    {
      ...DEFAULT_RUN,
      policyFile: 'p.yml',
      policyDigest: policy.digest,
      actor: 't',
      runUrl: undefined,
      author: { name: 'p', email: 'p@x' },
      mode: undefined,
    },
  );
  return result.report;
}

describe('baseline: before_deploy', () => {
  it('compares with the same query over the window that ends at the pin commit', async () => {
    const repo = repoWith();
    const pinnedAt = repo.lastTime();
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

describe('action: alert', () => {
  const policy = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { quality: { min: 0.75, severity: medium, action: alert, reason: quality_drop } }\n`;

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
      reason: 'alert_only',
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
    expect(repo.file('apps/api/flags.yaml')).toBe('data:\n  writes_disabled: "true"\n');

    repo.advance(5000);
    const verified = await reconcile(repo, policy, metrics, incidents);
    expect(verified).toMatchObject({ reason: 'recovered', action: 'already_rolled_back' });
    expect(repo.file('apps/api/flags.yaml')).toBe(flags);
    expect(repo.lastMessage()).toMatch(/^Rollback-Release: kill_switch$/m);
    expect(incidents.updates.map((u) => u.key)).toEqual(['recovered']);

    const again = await reconcile(repo, policy, metrics, incidents);
    expect(again.reason).toBe('recovered');
    expect(repo.count()).toBe(4);
  });
});

describe('verification is careful', () => {
  it('never falls back because the stable has no data yet, even with on_no_data: stop', async () => {
    const repo = new Repo();
    for (const [v, ago] of [
      ['0.9.0', 3 * 86_400],
      ['1.0.0', 2 * 86_400],
      ['1.1.0', 300],
    ] as const) {
      repo.write(PIN, k(v));
      repo.commitAt(`deploy ${v}`, ago);
    }
    const policy = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05, on_no_data: stop } }\n    on_rollback: { verify: { window: 10m }, fallback_depth: 2 }\n`;
    const metrics: MetricsProvider = {
      query: async (q) =>
        q.version === '1.1.0'
          ? { kind: 'samples', samples: [{ t: q.end.getTime() / 1000, v: 0.3 }] }
          : { kind: 'no_data', cause: 'not scraped yet' },
    };
    expect(await reconcile(repo, policy, metrics)).toMatchObject({ action: 'rolled_back', to: '1.0.0' });
    repo.advance(30_000);
    const next = await reconcile(repo, policy, metrics);
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
    repo.advance(5000);
    const dry = await reconcile(repo, policy('dry-run'), metrics, incidents);
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
    const rolledAt = repo.lastTime() * 1000;
    // The stable is healthy during the window and fails an hour later, for another reason.
    const stable = provider((q) =>
      q.version === '1.1.0' ? 0.2 : q.end.getTime() <= rolledAt + 11_000 ? 0.01 : 0.3,
    );
    repo.t = rolledAt + 3_600_000;
    expect(await reconcile(repo, policy, stable)).toMatchObject({
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
    expect(repo.lastMessage()).toMatch(/errors 8% \([\d,]+ of [\d,]+\) vs the stable's 0\.5%/);

    repo.t = repo.lastTime() * 1000 + 5 * 60_000;
    const verified = await reconcile(repo, policy, metrics);
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

describe('a lock holds during the cooldown', () => {
  it('reverts a bot re-pinning the locked version at once, with one commit and no metrics asked', async () => {
    const repo = repoWith();
    const policy = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    cooldown: 30m\n    triggers: { error_rate: { max: 0.05 } }\n`;
    const bad = provider((q) => (q.version === '1.1.0' ? 0.2 : 0.01));
    expect(await reconcile(repo, policy, bad)).toMatchObject({ action: 'rolled_back', to: '1.0.0' });
    repo.advance(2 * 60_000);
    repo.write(PIN, k('1.1.0'));
    repo.commitAt('chore(deps): update api to 1.1.0');
    const healthy = provider(() => 0.01);
    const report = await reconcile(repo, policy, healthy);
    expect(report).toMatchObject({
      decision: 'stop',
      reason: 'locked_version',
      action: 'rolled_back',
      to: '1.0.0',
    });
    expect(healthy.queries).toEqual([]);
    expect(repo.file(PIN)).toBe(k('1.0.0'));
    expect(repo.lastMessage()).toMatch(
      /1\.1\.0 is locked since .*: a pin of a locked version is reverted at once\./,
    );
    expect(repo.count()).toBe(5);
    // Reverted once: a run right after finds nothing to do.
    expect(await reconcile(repo, policy, healthy)).toMatchObject({ action: 'already_rolled_back' });
    expect(repo.count()).toBe(5);
  });
});

describe('a stop with nowhere to go', () => {
  it('escalates: one incident naming the real cause and the owners, a notification, a warning', async () => {
    const repo = new Repo();
    repo.write(PIN, k('1.1.0'));
    repo.commitAt('deploy 1.1.0', 300);
    const policy = `version: 1\nowners: ["@acme/sre"]\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05 } }\n`;
    const incidents = sink();
    const report = await reconcile(
      repo,
      policy,
      provider(() => 0.2),
      incidents,
    );
    expect(report).toMatchObject({ decision: 'stop', action: 'escalated', from: '1.1.0', to: null });
    expect(report.detail).toBe(
      `stop, but 1.1.0 cannot be rolled back: it is the first version ever pinned in ${PIN}`,
    );
    expect(incidents.opened).toMatchObject([
      { kind: 'stranded', cause: `it is the first version ever pinned in ${PIN}` },
    ]);
    expect(report.incident).toBe(`incident-${incidents.opened[0]!.id}`);
    expect(repo.count()).toBe(1);
  });
});

describe('the stable chosen is explained', () => {
  it('in the report, the commit body and the incident', async () => {
    const repo = new Repo();
    repo.write(PIN, k('1.0.0'));
    repo.commitAt('deploy 1.0.0', 3 * 86_400);
    repo.write(PIN, k('1.0.1'));
    repo.commitAt('deploy 1.0.1', 340);
    repo.write(PIN, k('1.1.0'));
    repo.commitAt('deploy 1.1.0', 300);
    const incidents = sink();
    const policy = `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05 } }\n`;
    const report = await reconcile(
      repo,
      policy,
      provider((q) => (q.version === '1.1.0' ? 0.2 : 0.01)),
      incidents,
    );
    const why = '1.0.0: pinned for 3 days until 1.0.1; skipped 1.0.1: pinned for 40 s';
    expect(report).toMatchObject({ action: 'rolled_back', to: '1.0.0', stable_reason: why });
    expect(repo.lastMessage()).toContain(`Stable ${why}.`);
    expect(incidents.opened[0]!.stableWhy).toBe(why);
  });
});

describe('a proposal is not a rollback', () => {
  /** Pull requests in memory: one per branch, which a test may close. */
  function pulls(): Proposals & { opened: Proposal[]; state: Map<string, FoundProposal> } {
    const opened: Proposal[] = [];
    const state = new Map<string, FoundProposal>();
    return {
      opened,
      state,
      find: async (branch) => state.get(branch),
      open: async (p) => {
        opened.push(p);
        const url = `https://github.com/acme/gitops/pull/${[...state.keys()].indexOf(p.branch) + 1 || state.size + 1}`;
        if (!state.has(p.branch)) state.set(p.branch, { url, state: 'open' });
        return state.get(p.branch)!.url;
      },
    };
  }
  const policy = `version: 1\nservices:\n  api:\n    mode: propose\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05 } }\n`;
  const bad = () => provider((q) => (q.version === '1.1.0' ? 0.2 : 0.01));

  it('the incident says proposed, links the pull request and says merging is the approval', async () => {
    const repo = repoWith();
    const incidents = sink();
    const prs = pulls();
    const report = await reconcile(repo, policy, bad(), incidents, prs);
    expect(report).toMatchObject({
      action: 'proposed',
      pull_request: 'https://github.com/acme/gitops/pull/1',
    });
    const [incident] = incidents.opened;
    expect(incident).toMatchObject({ mode: 'propose', pullRequest: 'https://github.com/acme/gitops/pull/1' });
    const text = renderIncident(incident!);
    expect(incidentTitle(incident!)).toBe('Rollback proposed: api 1.1.0 -> 1.0.0 (rollback_required)');
    expect(text).toContain('pinback proposes to roll `api` back from `1.1.0` to `1.0.0`');
    expect(text).toContain('Merging it is the approval');
    expect(text).toContain('| Rollback proposed |');
    expect(text).not.toContain('Rollback committed');
    // The pull request links the incident, once the incident exists.
    expect(prs.opened.at(-1)!.body).toContain(`Incident: incident-${incident!.id}`);
    expect(repo.count()).toBe(2);
  });

  it('a proposal closed without merging is recorded on the incident once, and not proposed again', async () => {
    const repo = repoWith();
    const incidents = sink();
    const prs = pulls();
    await reconcile(repo, policy, bad(), incidents, prs);
    const [branch] = prs.state.keys();
    prs.state.set(branch!, { url: prs.state.get(branch!)!.url, state: 'rejected' });
    const again = await reconcile(repo, policy, bad(), incidents, prs);
    expect(again).toMatchObject({ action: 'none', pull_request: 'https://github.com/acme/gitops/pull/1' });
    await reconcile(repo, policy, bad(), incidents, prs);
    expect(incidents.updates.map((u) => u.key)).toEqual(['declined']);
    expect(incidents.updates[0]!.markdown).toContain(
      'a person decided against rolling `1.1.0` back to `1.0.0`',
    );
    expect(prs.opened.filter((p) => p.branch === branch)).toHaveLength(2);
  });
});

describe('a side file that cannot be written', () => {
  const policy = (mode: string) =>
    `version: 1\nservices:\n  api:\n    mode: ${mode}\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { error_rate: { max: 0.05 } }\n    on_rollback:\n      kill_switch: { file: apps/api/flags.yaml, yaml_path: data.writes_disabled, value: "true" }\n`;
  const bad = () => provider((q) => (q.version === '1.1.0' ? 0.2 : 0.01));

  it('never blocks the pin rollback: the pin goes back, the report says what was not done', async () => {
    const repo = repoWith(); // no flags file
    const report = await reconcile(repo, policy('auto'), bad());
    expect(report).toMatchObject({ action: 'rolled_back', to: '1.0.0' });
    expect(report.detail).toMatch(
      /not done: kill switch apps\/api\/flags\.yaml left as it was: .*does not exist/,
    );
    expect(repo.file(PIN)).toBe(k('1.0.0'));
  });

  it('is said by a dry run too, which builds the whole change set', async () => {
    const repo = repoWith();
    const report = await reconcile(repo, policy('dry-run'), bad());
    expect(report).toMatchObject({ action: 'dry_run' });
    expect(report.detail).toMatch(/would not be done: kill switch apps\/api\/flags\.yaml left as it was/);
    expect(repo.count()).toBe(2);
  });
});
