/**
 * A rollback that stands but whose incident was never opened (the run that committed it was
 * killed right after the commit): the next run opens it from the commit's record and tells
 * people, once; a run that finds it already there opens and tells nothing.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import type { Incident } from '../../src/incident/render.js';
import { type IncidentSink, type IncidentUpdate, onceSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import type { Notifier, RollbackNotice } from '../../src/notify/index.js';
import { DEFAULT_RUN } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import { Clock } from '../support/clock.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const POLICY = `version: 1
services:
  api:
    stage: canary
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }
    require: 1
    triggers:
      error_rate: { max: 0.05, reason: error_spike }
      latency_ms: { max: 500, severity: critical }
`;

/** An incident sink that keeps incidents by id, as the file and GitHub sinks do. */
function sink(): IncidentSink & { opened: Incident[]; updates: IncidentUpdate[]; notes: string[] } {
  const opened: Incident[] = [];
  const updates: IncidentUpdate[] = [];
  const notes: string[] = [];
  const has = (id: string) => opened.some((o) => o.id === id);
  return {
    opened,
    updates,
    notes,
    open: async (i) => {
      const created = !has(i.id);
      if (created) opened.push(i);
      return { where: `incident-${i.id}`, created };
    },
    note: async (id, _s, line) => {
      if (!has(id)) return null;
      notes.push(line);
      return `incident-${id}`;
    },
    update: async (id, _s, u) => {
      if (!has(id)) return { where: null, added: false };
      const added = !updates.some((x) => x.key === u.key);
      if (added) updates.push(u);
      return { where: `incident-${id}`, added };
    },
  };
}

function notifier(): Notifier & { sent: RollbackNotice[] } {
  const sent: RollbackNotice[] = [];
  return { sent, send: async (n) => void sent.push(n), describe: () => 'test' };
}

const metrics: MetricsProvider = {
  query: async (q) => ({
    kind: 'samples',
    samples: [
      {
        t: q.end.getTime() / 1000,
        v: q.version === '1.1.0' ? (q.trigger === 'latency_ms' ? 900 : 0.09) : 0.01,
      },
    ],
  }),
};

async function reconcile(
  repo: MemoryGitOps,
  clock: Clock,
  opts: { incidents?: IncidentSink; notify?: Notifier; signal?: string } = {},
) {
  const policy = parsePolicy(POLICY, 'p.yml', {});
  const warnings: string[] = [];
  const result = await reconcileService(
    policy.services[0]!,
    {
      store: repo,
      providers: new Map([['file', metrics]]),
      incidents: onceSink(opts.incidents),
      notifiers: () => (opts.notify ? [opts.notify] : []),
      warn: (w) => warnings.push(w),
      now: clock.now,
    },
    {
      ...DEFAULT_RUN,
      policyFile: 'p.yml',
      policyDigest: policy.digest,
      actor: 'pinback-cli (ci)',
      runUrl: undefined,
      author: { name: 'p', email: 'p@x' },
      mode: undefined,
      signal: opts.signal,
    },
  );
  return { report: result.report, warnings };
}

/** A repository whose rollback landed, by a run killed before it opened the incident or told anyone. */
async function rolledBackByAKilledRun() {
  const clock = new Clock();
  const repo = new MemoryGitOps(clock.ms);
  repo.write(PIN, k('1.0.0'));
  repo.commitAt('deploy 1.0.0', 86_400);
  repo.write(PIN, k('1.1.0'));
  const pinnedAt = repo.commitAt('deploy 1.1.0', 300);
  const dead: IncidentSink = {
    open: () => new Promise(() => {}),
    note: async () => null,
    update: async () => ({ where: null, added: false }),
  };
  // The run stops for good at the incident: it never resolves, as a killed process never does.
  void reconcile(repo, clock, { incidents: dead });
  for (let i = 0; i < 50 && repo.count() < 3; i++) await new Promise((r) => setTimeout(r, 1));
  expect(repo.count()).toBe(3);
  const rolledAt = repo.log()[0]!;
  clock.advance(60_000);
  return { repo, clock, rolledAt, pinnedAt };
}

describe('a standing rollback without its incident', () => {
  it('the next run opens it from the commit record and tells people once', async () => {
    const { repo, clock, rolledAt } = await rolledBackByAKilledRun();
    const incidents = sink();
    const notify = notifier();
    const { report } = await reconcile(repo, clock, { incidents, notify });
    expect(report).toMatchObject({
      action: 'already_rolled_back',
      from: '1.1.0',
      to: '1.0.0',
      commit: rolledAt.sha,
    });
    expect(incidents.opened).toHaveLength(1);
    const incident = incidents.opened[0]!;
    expect(report.incident).toBe(`incident-${incident.id}`);
    expect(incident).toMatchObject({
      kind: 'rollback',
      service: 'api',
      stage: 'canary',
      from: '1.1.0',
      to: '1.0.0',
      reason: 'error_spike',
      require: 1,
      commit: rolledAt.sha,
      committedAt: new Date(rolledAt.time * 1000),
      pinFile: PIN,
      mode: 'auto',
    });
    expect(incident.pinnedAt).toEqual(new Date(repo.log()[1]!.time * 1000));
    expect(incident.evidence).toMatchObject([
      { trigger: 'error_rate', value: 0.09, limit: 0.05, comparator: '>', breached: true, severity: 'high' },
      {
        trigger: 'latency_ms',
        value: 900,
        limit: 500,
        comparator: '>',
        breached: true,
        severity: 'critical',
      },
    ]);
    expect(rolledAt.message).toContain(`Rollback-Id: ${incident.id}`);
    expect(notify.sent).toEqual([
      expect.objectContaining({
        kind: 'rolled_back',
        from: '1.1.0',
        to: '1.0.0',
        reason: 'error_spike',
        evidence: ['error_rate=0.09>0.05', 'latency_ms=900>500'],
        links: { incident: `incident-${incident.id}`, run: undefined },
      }),
    ]);
    expect(incidents.updates.map((u) => u.key)).toEqual(['opened-late']);

    // The run after: the incident is there; nothing is opened or told again.
    clock.advance(60_000);
    const again = await reconcile(repo, clock, { incidents, notify });
    expect(again.report.incident).toBe(`incident-${incident.id}`);
    expect(incidents.opened).toHaveLength(1);
    expect(notify.sent).toHaveLength(1);
    expect(incidents.updates.map((u) => u.key)).toEqual(['opened-late', 'repeated']);
    expect(repo.count()).toBe(3);
  });

  it('an explicit signal opens it too, and notes the signal on it', async () => {
    const { repo, clock } = await rolledBackByAKilledRun();
    const incidents = sink();
    const notify = notifier();
    const { report } = await reconcile(repo, clock, {
      incidents,
      notify,
      signal: 'the alert (HighErrorRate)',
    });
    expect(incidents.opened).toHaveLength(1);
    expect(notify.sent).toHaveLength(1);
    expect(incidents.notes).toEqual([expect.stringContaining('the alert (HighErrorRate) repeated')]);
    expect(report.incident).toBe(`incident-${incidents.opened[0]!.id}`);
  });

  it('tells nobody without an incident sink: nothing would remember that it did', async () => {
    const { repo, clock } = await rolledBackByAKilledRun();
    const notify = notifier();
    const { report } = await reconcile(repo, clock, { notify });
    expect(report).toMatchObject({ action: 'already_rolled_back', incident: null });
    expect(notify.sent).toEqual([]);
  });

  it('a sink that fails to open is a warning; the report still stands', async () => {
    const { repo, clock } = await rolledBackByAKilledRun();
    const failing: IncidentSink = { ...sink(), open: () => Promise.reject(new Error('503 from the API')) };
    const { report, warnings } = await reconcile(repo, clock, { incidents: failing });
    expect(report.action).toBe('already_rolled_back');
    expect(warnings).toEqual([
      expect.stringMatching(/^api: rollback [0-9a-f]{12} stands, but its incident could not be opened: 503/),
    ]);
  });
});
