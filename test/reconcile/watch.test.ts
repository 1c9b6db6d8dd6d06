/**
 * Watch mode on an injected clock: the seeds' chaos test (a candidate starts failing; pinback rolls
 * it back within one interval and verifies the stable), escalation and the fallback chain. The
 * clock moves only when the watch sleeps, so "within one interval" is exact, not a race.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { type IncidentSink, type IncidentUpdate, onceSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import type { Notifier, RollbackNotice } from '../../src/notify/index.js';
import { watch } from '../../src/reconcile/watch.js';
import { Clock } from '../support/clock.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

const PIN = 'apps/support-agent/kustomization.yaml';
const kustomization = (tag: string) => `images:\n  - name: ghcr.io/acme/support-agent\n    newTag: ${tag}\n`;

function policy(extra = '') {
  return parsePolicy(
    `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m, cooldown: 0s }
owners: ["@acme/sre"]
services:
  support-agent:
    stage: canary
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/support-agent }
    triggers:
      error_rate:        { max: 0.05, sustained: 2, reason: error_spike }
      tool_failure_rate: { max: 0.03, sustained: 2, reason: error_spike }
    require: 2
    on_rollback:
      verify: { window: 2s }
${extra}`,
    'pinback.yml',
    {},
  );
}

type Series = { error_rate: number[]; tool_failure_rate: number[] };
const healthy: Series = { error_rate: [0.004, 0.005, 0.005], tool_failure_rate: [0.01, 0.01, 0.01] };
const failing: Series = { error_rate: [0.005, 0.061, 0.071], tool_failure_rate: [0.01, 0.041, 0.052] };

/** Metrics per version that a test changes as time goes on; samples end at the query's end. */
function metrics(): MetricsProvider & { now: Record<string, Series> } {
  const state = { now: {} as Record<string, Series> };
  return {
    get now() {
      return state.now;
    },
    set now(v) {
      state.now = v;
    },
    query: async (q) => {
      const series = state.now[q.version]?.[q.trigger as keyof Series];
      if (!series) return { kind: 'no_data', cause: `no series for ${q.version}` };
      const end = q.end.getTime() / 1000;
      return { kind: 'samples', samples: series.map((v, i) => ({ t: end - (series.length - 1 - i), v })) };
    },
  };
}

function recordingSink(): IncidentSink & { updates: IncidentUpdate[] } {
  const updates: IncidentUpdate[] = [];
  return {
    updates,
    open: async (i) => ({ where: `incident-${i.id}`, created: true }),
    note: async (id) => `incident-${id}`,
    update: async (id, _s, u) => {
      updates.push(u);
      return { where: `incident-${id}`, added: true };
    },
  };
}

function setup(versions: string[], extra = '') {
  const clock = new Clock();
  const repo = new MemoryGitOps(clock.ms);
  versions.forEach((v, i) => {
    repo.write(PIN, kustomization(v));
    repo.commitAt(`deploy ${v}`, i === versions.length - 1 ? 600 : 86_400 * (versions.length - i));
  });
  const m = metrics();
  const incidents = recordingSink();
  const notices: RollbackNotice[] = [];
  const notifier: Notifier = { describe: () => 'test', send: async (n) => void notices.push(n) };
  const p = policy(extra);
  const lines: string[] = [];
  /** Runs the watch; `onSleep` sees each pause (the test's chance to change the world). */
  const go = (o: { durationMs: number; intervalMs: number; onSleep?: (round: number) => void }) => {
    let round = 0;
    return watch(
      p.services,
      {
        store: repo,
        providers: new Map([['m', m]]),
        incidents: onceSink(incidents),
        notifiers: () => [notifier],
        now: clock.now,
      },
      {
        policyFile: 'pinback.yml',
        policyDigest: p.digest,
        actor: 't',
        runUrl: undefined,
        author: { name: 'p', email: 'p@x' },
        mode: undefined,
      },
      {
        durationMs: o.durationMs,
        intervalMs: o.intervalMs,
        print: (l) => lines.push(l),
        sleep: async (ms) => {
          o.onSleep?.(++round);
          await clock.sleep(ms);
        },
      },
    );
  };
  return { clock, repo, metrics: m, incidents, notices, lines, go };
}

describe('the chaos test: watch mode with a 1 s interval', () => {
  it('rolls back within one interval of the breach and reports the stable recovered', async () => {
    const env = setup(['2.3.3', '2.4.0']);
    env.metrics.now = { '2.4.0': healthy, '2.3.3': healthy };
    let breachAt = 0;
    const result = await env.go({
      durationMs: 30_000,
      intervalMs: 1000,
      onSleep: (round) => {
        if (round === 2) {
          breachAt = env.clock.t + 1000;
          env.metrics.now = { '2.4.0': failing, '2.3.3': healthy };
        }
      },
    });
    const rollback = env.repo.log().find((c) => c.message.startsWith('rollback('))!;
    expect(rollback.time * 1000 - breachAt).toBeLessThanOrEqual(1000);
    expect(env.lines.some((l) => /support-agent: allow within_limits 2\.4\.0 -> 2\.3\.3/.test(l))).toBe(true);
    expect(
      env.lines.some((l) => /support-agent: stop error_spike 2\.4\.0 -> 2\.3\.3 \[rolled_back/.test(l)),
    ).toBe(true);
    expect(result.report.services[0]).toMatchObject({ reason: 'recovered', action: 'already_rolled_back' });
    expect(env.incidents.updates.map((u) => u.key)).toEqual(['recovered']);
    expect(env.incidents.updates[0]!.markdown).toContain('Time to recover');
    expect(env.notices.map((n) => n.kind)).toEqual(['rolled_back', 'recovered']);
    expect(env.repo.count()).toBe(3);
    expect(result.final).toEqual(['support-agent']);
  });
});

describe('a stable that also fails verification', () => {
  it('is escalated after exactly one rollback commit (default depth), once', async () => {
    const env = setup(['2.3.3', '2.4.0']);
    // The stable is healthy beside the bad candidate, and fails once it is back alone.
    env.metrics.now = { '2.4.0': failing, '2.3.3': healthy };
    const result = await env.go({
      durationMs: 20_000,
      intervalMs: 1000,
      onSleep: () => {
        if (env.repo.count() === 3) env.metrics.now = { '2.4.0': failing, '2.3.3': failing };
      },
    });
    expect(result.report.services[0]).toMatchObject({ action: 'escalated', from: '2.3.3' });
    expect(env.repo.log().filter((c) => /^Rollback-Id:/m.test(c.message))).toHaveLength(1);
    const escalated = env.incidents.updates.filter((u) => u.key === 'escalated');
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!.markdown).toContain('## Escalated: the rollback did not recover');
    expect(escalated[0]!.markdown).toContain('@acme/sre: please take over.');
    expect(env.notices.map((n) => n.kind)).toEqual(['rolled_back', 'escalated']);
  });

  it('falls back one version further with fallback_depth 2, and stops there', async () => {
    const env = setup(['2.3.2', '2.3.3', '2.4.0'], '      fallback_depth: 2\n');
    env.metrics.now = { '2.4.0': failing, '2.3.3': healthy, '2.3.2': healthy };
    const result = await env.go({
      durationMs: 20_000,
      intervalMs: 1000,
      onSleep: () => {
        if (env.repo.count() === 4)
          env.metrics.now = { '2.4.0': failing, '2.3.3': failing, '2.3.2': healthy };
        if (env.repo.count() === 5)
          env.metrics.now = { '2.4.0': failing, '2.3.3': failing, '2.3.2': failing };
      },
    });
    expect(result.report.services[0]).toMatchObject({ action: 'escalated', from: '2.3.2' });
    expect(
      env.repo
        .log()
        .map((c) => c.message.split('\n')[0])
        .filter((s) => s?.startsWith('rollback(')),
    ).toEqual([
      'rollback(support-agent): 2.3.3 -> 2.3.2 [error_spike]',
      'rollback(support-agent): 2.4.0 -> 2.3.3 [error_spike]',
    ]);
    expect(env.repo.file(PIN)).toBe(kustomization('2.3.2'));
  });
});

describe('watch ends', () => {
  it('after its duration when nothing happens, one round per interval', async () => {
    const env = setup(['2.3.3', '2.4.0']);
    env.metrics.now = { '2.4.0': healthy, '2.3.3': healthy };
    const result = await env.go({ durationMs: 5000, intervalMs: 1000 });
    expect(env.lines.filter((l) => l.includes('support-agent:'))).toHaveLength(5);
    expect(result.final).toEqual([]);
    expect(env.repo.count()).toBe(2);
  });
});
