/**
 * Migration barriers in process, on the in-memory GitOps store and an injected clock: a candidate
 * whose stable is behind a barrier escalates to the owners without any commit (no revert, no lock),
 * once however often it is seen; the incident and the report say which barrier and why; the
 * fallback chain stops at a barrier; a barrier that is itself the stable is rolled back to.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import type { Mode } from '../../src/config/policy.js';
import { type Incident, incidentTitle, renderIncident } from '../../src/incident/render.js';
import { type IncidentSink, type IncidentUpdate, onceSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import type { Notifier, RollbackNotice } from '../../src/notify/index.js';
import { DEFAULT_RUN } from '../../src/reconcile/ports.js';
import { reconcileService } from '../../src/reconcile/service.js';
import type { ServiceReport } from '../../src/report.js';
import { Clock } from '../support/clock.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const START = Date.UTC(2026, 11, 2, 12, 0, 0);
const DAY = 86_400;
const MIGRATION = 'migration 0042 drops column legacy_email';

const policyOf = (extra = '') => `version: 1
owners: ["@acme/db-oncall"]
services:
  api:
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }
    triggers: { error_rate: { max: 0.05, reason: error_spike } }
${extra}`;

/** A repository whose pins are `[tag, secondsAgo, message?]`, oldest first. */
function repoOf(clock: Clock, ...pins: [string, number, string?][]): MemoryGitOps {
  const repo = new MemoryGitOps(clock.ms);
  for (const [tag, ago, message] of pins) {
    repo.write(PIN, k(tag));
    repo.commitAt(message ?? `deploy ${tag}`, ago);
  }
  return repo;
}

const deployWithBarrier = (tag: string) => `deploy ${tag}\n\nRollback-Barrier: ${MIGRATION}\n`;

/** Every version breaches but the ones listed healthy. */
function metrics(...healthy: string[]): MetricsProvider {
  return {
    query: async (q) => ({
      kind: 'samples',
      samples: [{ t: q.end.getTime() / 1000, v: healthy.includes(q.version) ? 0.01 : 0.2 }],
    }),
  };
}

/** An incident sink and a notifier that record what they were asked. */
function people() {
  const opened: Incident[] = [];
  const updates: { id: string; update: IncidentUpdate }[] = [];
  const notices: RollbackNotice[] = [];
  const incidents: IncidentSink = {
    open: async (i) => {
      const created = !opened.some((o) => o.id === i.id);
      if (created) opened.push(i);
      return { where: `incident-${i.id}`, created };
    },
    note: async (id) => `incident-${id}`,
    update: async (id, _s, update) => {
      const added = !updates.some((x) => x.id === id && x.update.key === update.key);
      if (added) updates.push({ id, update });
      return { where: `incident-${id}`, added };
    },
  };
  const notifier: Notifier = {
    send: async (n) => void notices.push(n),
    describe: () => 'test',
  };
  return { opened, updates, notices, incidents, notifier };
}

async function reconcile(
  repo: MemoryGitOps,
  clock: Clock,
  policyText: string,
  provider: MetricsProvider,
  seen: ReturnType<typeof people>,
  mode?: Mode,
): Promise<ServiceReport> {
  const policy = parsePolicy(policyText, 'p.yml', {});
  const result = await reconcileService(
    policy.services[0]!,
    {
      store: repo,
      providers: new Map([['file', provider]]),
      // A fresh once-sink per call: each call is a run of its own (a schedule), as in production.
      incidents: onceSink(seen.incidents),
      notifiers: () => [seen.notifier],
      now: () => new Date(clock.t),
    },
    {
      ...DEFAULT_RUN,
      policyFile: 'p.yml',
      policyDigest: policy.digest,
      actor: 't',
      runUrl: undefined,
      author: { name: 'p', email: 'p@x' },
      mode,
    },
  );
  return result.report;
}

describe('a candidate whose stable is behind a barrier', () => {
  it('escalates without any commit: no revert, no lock; once, however often the schedule runs', async () => {
    const clock = new Clock(START);
    const repo = repoOf(clock, ['2.3.3', 3 * DAY], ['2.4.0', 600, deployWithBarrier('2.4.0')]);
    const seen = people();
    const head = repo.head();

    const first = await reconcile(repo, clock, policyOf(), metrics('2.3.3'), seen);
    clock.advance(60_000);
    const second = await reconcile(repo, clock, policyOf(), metrics('2.3.3'), seen);

    expect(first).toMatchObject({
      decision: 'stop',
      reason: 'migration_barrier',
      from: '2.4.0',
      to: null,
      action: 'escalated',
      commit: null,
      barrier: { version: '2.4.0', reason: MIGRATION, source: 'trailer', would_restore: '2.3.3' },
    });
    expect(first.barrier!.commit).toBe(head);
    expect(second).toMatchObject({ action: 'escalated', incident: first.incident });
    // Nothing written: the pin, the lock files and the branch are as they were.
    expect(repo.head()).toBe(head);
    expect(repo.count()).toBe(2);
    expect(repo.file(PIN)).toBe(k('2.4.0'));
    expect(repo.file('.pinback/locks/api.yaml')).toBeNull();
    // People hear it once: one incident, one barrier section, one notification.
    expect(seen.opened.map((i) => i.kind)).toEqual(['stranded']);
    expect(seen.updates.map((u) => u.update.key)).toEqual(['migration-barrier']);
    expect(seen.notices.map((n) => [n.kind, n.from, n.reason])).toEqual([
      ['stranded', '2.4.0', 'error_spike'],
    ]);
  });

  it('the incident names the barrier (version, commit, reason), why, the owners, and what to do', async () => {
    const clock = new Clock(START);
    const repo = repoOf(clock, ['2.3.3', 3 * DAY], ['2.4.0', 600, deployWithBarrier('2.4.0')]);
    const seen = people();
    await reconcile(repo, clock, policyOf(), metrics('2.3.3'), seen);
    const incident = seen.opened[0]!;
    const sha = repo.head()!.slice(0, 12);

    expect(incidentTitle(incident)).toBe('Stranded: api 2.4.0 (error_spike), no version to roll back to');
    const body = renderIncident(incident);
    expect(body).toContain(
      `but there is no version to roll back to: 2.4.0 is a migration barrier ("${MIGRATION}"; Rollback-Barrier on commit ${sha}): 2.3.3, pinned before it, may not serve the schema it migrated.`,
    );
    expect(body).toContain('@acme/db-oncall: please take over');

    const section = seen.updates[0]!;
    expect(section.id).toBe(incident.id);
    expect(section.update.label).toBe('migration-barrier');
    expect(section.update.markdown).toBe(
      [
        '## Not rolled back: migration barrier',
        '',
        `pinback never rolls back across a migration barrier: 2.4.0 is a migration barrier ("${MIGRATION}"; Rollback-Barrier on commit ${sha}): 2.3.3, pinned before it, may not serve the schema it migrated.`,
        '',
        '| Barrier | Pinned by commit | Reason | Marked by | Would restore |',
        '| --- | --- | --- | --- | --- |',
        `| \`2.4.0\` | \`${sha}\` | ${MIGRATION} | \`Rollback-Barrier\` trailer on \`${sha}\` | \`2.3.3\` |`,
        '',
        '`2.4.0` stays pinned and is not locked (no commit was made). What to do:',
        '',
        '- Roll forward: pin a version that fixes the regression and serves the migrated schema; pinback judges it as any new candidate.',
        '- Or undo the migration first, then pin `2.3.3` by hand: a version pinned after a barrier counts from that pin, so pinback may roll back to it afterwards.',
      ].join('\n'),
    );
  });

  it("a barrier between, listed in the policy's barriers:, with the policy's reason", async () => {
    const clock = new Clock(START);
    // 2.4.0 is locked (an earlier rollback of it was reverted by hand), so only 2.3.3 is left.
    const repo = repoOf(clock, ['2.3.3', 3 * DAY], ['2.4.0', 2 * DAY], ['2.5.0', 600]);
    repo.write(
      '.pinback/locks/api.yaml',
      'api:\n  - { version: 2.4.0, reason: error_spike, locked_at: "2026-11-30T00:00:00Z", rollback_id: 0123456789abcdef }\n',
    );
    repo.commitAt('lock 2.4.0 by hand', 500);
    const seen = people();
    const report = await reconcile(
      repo,
      clock,
      policyOf(
        '    barriers:\n      - { version: 2.4.0, reason: "migration 0042 drops column legacy_email" }\n',
      ),
      metrics('2.3.3'),
      seen,
    );
    expect(report).toMatchObject({
      action: 'escalated',
      reason: 'migration_barrier',
      barrier: { version: '2.4.0', source: 'policy', reason: MIGRATION, would_restore: '2.3.3' },
    });
    expect(report.detail).toContain(
      `rolling back to 2.3.3 would cross migration barrier 2.4.0 ("${MIGRATION}"; the policy's barriers:, pinned by commit`,
    );
    expect(repo.count()).toBe(4);
  });

  it('a dry run plans the same escalation and tells nobody', async () => {
    const clock = new Clock(START);
    const repo = repoOf(clock, ['2.3.3', 3 * DAY], ['2.4.0', 600, deployWithBarrier('2.4.0')]);
    const seen = people();
    const report = await reconcile(repo, clock, policyOf(), metrics('2.3.3'), seen, 'dry-run');
    expect(report).toMatchObject({ action: 'escalated', reason: 'migration_barrier', commit: null });
    expect(seen.opened).toEqual([]);
    expect(seen.notices).toEqual([]);
  });

  it('in mode propose, no pull request is proposed either', async () => {
    const clock = new Clock(START);
    const repo = repoOf(clock, ['2.3.3', 3 * DAY], ['2.4.0', 600, deployWithBarrier('2.4.0')]);
    const seen = people();
    const policy = policyOf().replace('    pin:', '    mode: propose\n    pin:');
    const opened: string[] = [];
    const parsed = parsePolicy(policy, 'p.yml', {});
    const result = await reconcileService(
      parsed.services[0]!,
      {
        store: repo,
        providers: new Map([['file', metrics('2.3.3')]]),
        incidents: onceSink(seen.incidents),
        proposals: {
          find: async () => undefined,
          open: async (p) => (opened.push(p.branch), 'pr'),
        },
        now: () => new Date(clock.t),
      },
      {
        ...DEFAULT_RUN,
        policyFile: 'p.yml',
        policyDigest: parsed.digest,
        actor: 't',
        runUrl: undefined,
        author: { name: 'p', email: 'p@x' },
        mode: undefined,
      },
    );
    expect(result.report).toMatchObject({ action: 'escalated', reason: 'migration_barrier' });
    expect(opened).toEqual([]);
    expect(repo.count()).toBe(2);
  });
});

describe('where a rollback may still go', () => {
  it('rolls back to the barrier itself, never past it, even when it ran only briefly', async () => {
    const clock = new Clock(START);
    // 2.4.0 was replaced after 90 s: min_stable_age (5m) would skip it for 2.3.3, which is behind
    // its migration. `stable: auto` stops at the barrier instead.
    const repo = repoOf(
      clock,
      ['2.3.3', 3 * DAY],
      ['2.4.0', 700, deployWithBarrier('2.4.0')],
      ['2.5.0', 610],
    );
    const report = await reconcile(repo, clock, policyOf(), metrics('2.3.3', '2.4.0'), people());
    expect(report).toMatchObject({ action: 'rolled_back', from: '2.5.0', to: '2.4.0' });
    expect(report.stable_reason).toBe('2.4.0: pinned for 90 s until 2.5.0');
    expect(repo.file(PIN)).toBe(k('2.4.0'));
  });

  it('without the barrier, the same history rolls back past the brief version', async () => {
    const clock = new Clock(START);
    const repo = repoOf(clock, ['2.3.3', 3 * DAY], ['2.4.0', 700], ['2.5.0', 610]);
    const report = await reconcile(repo, clock, policyOf(), metrics('2.3.3', '2.4.0'), people());
    expect(report).toMatchObject({ action: 'rolled_back', from: '2.5.0', to: '2.3.3' });
  });

  it('the fallback chain stops at the barrier it stands on and escalates on the rollback incident', async () => {
    const clock = new Clock(START);
    const repo = repoOf(
      clock,
      ['2.3.3', 3 * DAY],
      ['2.4.0', 2 * DAY, deployWithBarrier('2.4.0')],
      ['2.5.0', 600],
    );
    const policy = policyOf('    on_rollback: { verify: { window: 1m }, fallback_depth: 3 }\n');
    const seen = people();
    // 2.4.0 was healthy until the rollback, and breaches after it: the rollback did not help.
    const worse: MetricsProvider = {
      query: async (q) => ({
        kind: 'samples',
        samples: [
          { t: q.end.getTime() / 1000, v: q.version === '2.4.0' && q.end.getTime() <= START ? 0.01 : 0.2 },
        ],
      }),
    };
    const first = await reconcile(repo, clock, policy, worse, seen);
    expect(first).toMatchObject({ action: 'rolled_back', from: '2.5.0', to: '2.4.0' });
    const count = repo.count();

    clock.advance(2 * 60_000);
    const next = await reconcile(repo, clock, policy, worse, seen);
    expect(next).toMatchObject({
      action: 'escalated',
      reason: 'migration_barrier',
      from: '2.4.0',
      barrier: { version: '2.4.0', would_restore: '2.3.3' },
    });
    expect(repo.count()).toBe(count);
    expect(repo.file(PIN)).toBe(k('2.4.0'));
    const rollbackIncident = seen.opened[0]!.id;
    expect(seen.updates.map((u) => [u.id, u.update.key])).toEqual([
      [rollbackIncident, 'escalated'],
      [rollbackIncident, 'migration-barrier'],
    ]);
    expect(seen.updates[0]!.update.markdown).toContain(
      'pinback will not roll back further (2.4.0 is a migration barrier',
    );
  });
});
