/**
 * Notifications through a service's lifecycle, from the reconciler to the receivers' stand-ins on a
 * loopback port (test/support/pager-stub.ts): the incident is opened first and every notice links it;
 * PagerDuty and Opsgenie hold one alert per rollback (keyed by its Rollback-Id), which the recovery
 * resolves and closes, the escalation re-triggers and a fallback replaces; a re-run tells nobody again;
 * and severity routes who is told (`min_severity`).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import type { Incident } from '../../src/incident/render.js';
import { type IncidentSink, onceSink } from '../../src/incident/sink.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import { notifiers } from '../../src/notify/index.js';
import { watch } from '../../src/reconcile/watch.js';
import { Clock } from '../support/clock.js';
import { MemoryGitOps } from '../support/memory-gitops.js';
import { type PagerStub, startPagerStub } from '../support/pager-stub.js';

const PIN = 'apps/support-agent/kustomization.yaml';
const kustomization = (tag: string) => `images:\n  - name: ghcr.io/acme/support-agent\n    newTag: ${tag}\n`;
const ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';
const GENIE_KEY = 'eb243592-faa2-4ba2-a551-1afdf565c889';
const ISSUES = 'https://github.com/acme/gitops/issues';

let stub: PagerStub;
beforeAll(async () => {
  stub = await startPagerStub(GENIE_KEY);
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.received.length = 0;
  stub.pagerduty.length = 0;
  stub.opsgenie.length = 0;
  stub.refused.length = 0;
});

/** The seed's routing: Slack and a webhook for everything, the pagers for critical only. */
function policy(severity: 'critical' | 'high' | 'medium', extra = '') {
  return parsePolicy(
    `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m, cooldown: 0s }
services:
  support-agent:
    stage: canary
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/support-agent }
    triggers:
      error_rate: { max: 0.05, sustained: 2, reason: error_spike, severity: ${severity} }
    on_rollback:
      verify: { window: 2s }
${extra}      notify:
        - { type: slack, webhook: "\${SLACK_WEBHOOK_URL}" }
        - { type: webhook, url: "\${HOOK_URL}" }
        - { type: pagerduty, routing_key: "\${PAGERDUTY_ROUTING_KEY}", url: "\${PAGERDUTY_URL}", min_severity: critical }
        - { type: opsgenie, api_key: "\${OPSGENIE_API_KEY}", url: "\${OPSGENIE_URL}", min_severity: critical }
`,
    'pinback.yml',
    {
      SLACK_WEBHOOK_URL: `${stub.url}/slack/services/T0/B0/secret`,
      HOOK_URL: `${stub.url}/hook`,
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_URL: `${stub.url}/pagerduty/v2/enqueue`,
      OPSGENIE_API_KEY: GENIE_KEY,
      OPSGENIE_URL: `${stub.url}/opsgenie`,
    },
  );
}

const healthy = [0.004, 0.005, 0.005];
const failing = [0.005, 0.061, 0.071];

/** An incident sink like GitHub's: one issue per rollback id, found again by later runs. */
function issues(): IncidentSink & { opened: Incident[] } {
  const opened: Incident[] = [];
  const where = (id: string) => `${ISSUES}/${opened.findIndex((o) => o.id === id) + 1}`;
  return {
    opened,
    open: async (i) => {
      const created = !opened.some((o) => o.id === i.id);
      if (created) opened.push(i);
      return { where: where(i.id), created };
    },
    note: async (id) => where(id),
    update: async (id) => ({ where: where(id), added: true }),
  };
}

function setup(severity: 'critical' | 'high' | 'medium', versions: string[], extra = '') {
  const clock = new Clock();
  const repo = new MemoryGitOps(clock.ms);
  versions.forEach((v, i) => {
    repo.write(PIN, kustomization(v));
    repo.commitAt(`deploy ${v}`, i === versions.length - 1 ? 600 : 86_400 * (versions.length - i));
  });
  const series: Record<string, number[]> = {};
  const metrics: MetricsProvider = {
    query: async (q) => {
      const s = series[q.version];
      if (!s) return { kind: 'no_data', cause: `no series for ${q.version}` };
      const end = q.end.getTime() / 1000;
      return { kind: 'samples', samples: s.map((v, i) => ({ t: end - (s.length - 1 - i), v })) };
    },
  };
  const p = policy(severity, extra);
  const sink = issues();
  const warnings: string[] = [];
  const go = (onSleep?: () => void, durationMs = 20_000) =>
    watch(
      p.services,
      {
        store: repo,
        providers: new Map([['m', metrics]]),
        incidents: onceSink(sink),
        notifiers: (s) => notifiers(s.onRollback.notify),
        warn: (w) => warnings.push(w),
        now: clock.now,
      },
      {
        policyFile: 'pinback.yml',
        policyDigest: p.digest,
        actor: 't',
        runUrl: 'https://github.com/acme/gitops/actions/runs/42',
        author: { name: 'p', email: 'p@x' },
        mode: undefined,
      },
      {
        durationMs,
        intervalMs: 1000,
        print: () => {},
        sleep: async (ms) => {
          onSleep?.();
          await clock.sleep(ms);
        },
      },
    );
  /** The Rollback-Id of each rollback commit, oldest first. */
  const rollbackIds = () =>
    repo
      .log()
      .filter((c) => c.message.startsWith('rollback('))
      .map((c) => /^Rollback-Id: (\w+)$/m.exec(c.message)![1]!)
      .reverse();
  return { clock, repo, series, sink, warnings, go, rollbackIds };
}

const bodiesAt = (prefix: string) =>
  stub.received.filter((r) => r.path.startsWith(prefix)).map((r) => r.body);

describe('a critical rollback, then its recovery', () => {
  it('links the incident in every notice, triggers one page, and resolves and closes it on recovery', async () => {
    const env = setup('critical', ['2.3.3', '2.4.0']);
    Object.assign(env.series, { '2.4.0': failing, '2.3.3': healthy });
    const result = await env.go();
    expect(result.report.services[0]).toMatchObject({ reason: 'recovered' });
    expect(env.warnings).toEqual([]);
    expect(stub.refused).toEqual([]);
    const [id] = env.rollbackIds();
    const incident = `${ISSUES}/1`;

    // Slack and the webhook: the rollback and the recovery, each linking the incident.
    const slack = bodiesAt('/slack/');
    expect(slack.map((b) => b.text)).toEqual([
      expect.stringMatching(/^Rollback triggered support-agent@2\.4\.0 -> 2\.3\.3/),
      expect.stringMatching(/^Recovered after rollback support-agent@2\.4\.0 -> 2\.3\.3/),
    ]);
    for (const b of slack) expect(JSON.stringify(b.blocks)).toContain(`<${incident}|incident>`);
    const hooks = bodiesAt('/hook');
    expect(hooks.map((b) => [b.event, b.id, (b.links as { incident?: string }).incident])).toEqual([
      ['pinback.rolled_back', id, incident],
      ['pinback.recovered', id, incident],
    ]);

    // The pagers: one alert for the rollback, keyed by its Rollback-Id, resolved and closed.
    expect(stub.pagerduty).toEqual([
      expect.objectContaining({ dedupKey: `pinback-support-agent-${id}`, status: 'resolved' }),
    ]);
    expect(stub.pagerduty[0]!.triggers[0]).toMatchObject({
      payload: { severity: 'critical', custom_details: { incident } },
      // The memory store gives no commit URL; GitHub's does, and it comes between the two.
      links: [{ href: incident, text: 'incident' }, { text: 'run' }],
    });
    expect(stub.opsgenie).toEqual([
      expect.objectContaining({ alias: `pinback-support-agent-${id}`, status: 'closed', count: 1 }),
    ]);
  });

  it('tells nobody again when a later run finds the rollback and its incident standing', async () => {
    const env = setup('critical', ['2.3.3', '2.4.0']);
    Object.assign(env.series, { '2.4.0': failing, '2.3.3': healthy });
    await env.go(undefined, 1500);
    const told = stub.received.length;
    expect(told).toBe(4); // Slack, webhook, PagerDuty, Opsgenie: the rollback, once each
    // A new process (a re-run of the job): its own once-per-process memory is empty.
    await env.go(undefined, 1000);
    expect(stub.received.length).toBe(told);
    expect(stub.pagerduty).toHaveLength(1);
  });
});

describe('a rollback that does not help', () => {
  it('re-triggers the same page as critical on escalation', async () => {
    const env = setup('critical', ['2.3.3', '2.4.0']);
    Object.assign(env.series, { '2.4.0': failing, '2.3.3': healthy });
    const result = await env.go(() => {
      if (env.repo.count() === 3) env.series['2.3.3'] = failing;
    });
    expect(result.report.services[0]).toMatchObject({ action: 'escalated' });
    const [id] = env.rollbackIds();
    expect(stub.pagerduty).toHaveLength(1);
    expect(stub.pagerduty[0]).toMatchObject({ dedupKey: `pinback-support-agent-${id}`, status: 'triggered' });
    expect(stub.pagerduty[0]!.triggers.map((t) => (t.payload as { summary: string }).summary)).toEqual([
      expect.stringMatching(/^Rollback triggered/),
      expect.stringMatching(/^Rollback did not recover, escalating:/),
    ]);
    expect(stub.opsgenie[0]).toMatchObject({ status: 'open', count: 2 });
  });

  it('on a fallback, pages the new rollback and resolves the page of the one it replaces', async () => {
    const env = setup('critical', ['2.3.2', '2.3.3', '2.4.0'], '      fallback_depth: 2\n');
    Object.assign(env.series, { '2.4.0': failing, '2.3.3': healthy, '2.3.2': healthy });
    await env.go(() => {
      if (env.repo.count() === 4) env.series['2.3.3'] = failing;
    });
    const [first, second] = env.rollbackIds();
    expect(second).toBeDefined();
    expect(stub.pagerduty.map((a) => [a.dedupKey, a.status])).toEqual([
      [`pinback-support-agent-${first}`, 'resolved'],
      [`pinback-support-agent-${second}`, 'resolved'],
    ]);
    expect(stub.opsgenie.map((a) => a.status)).toEqual(['closed', 'closed']);
  });
});

describe('severity routes who is told', () => {
  it.each([
    ['medium', false],
    ['high', false],
    ['critical', true],
  ] as const)(
    'a %s rollback pages: %s; Slack and the webhook hear of it either way',
    async (severity, pages) => {
      const env = setup(severity, ['2.3.3', '2.4.0']);
      Object.assign(env.series, { '2.4.0': failing, '2.3.3': healthy });
      await env.go(undefined, 1500);
      expect(env.rollbackIds()).toHaveLength(1);
      expect(bodiesAt('/slack/')).toHaveLength(1);
      expect(bodiesAt('/hook')).toEqual([
        expect.objectContaining({ event: 'pinback.rolled_back', severity }),
      ]);
      expect(stub.pagerduty).toHaveLength(pages ? 1 : 0);
      expect(stub.opsgenie).toHaveLength(pages ? 1 : 0);
    },
  );
});
