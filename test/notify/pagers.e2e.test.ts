/**
 * PagerDuty (Events API v2) and Opsgenie (Alert API) against a local stand-in that checks each request
 * as the service documents it and keeps the alerts' state (test/support/pager-stub.ts): one alert per
 * rollback, deduplicated on re-runs and escalation, resolved or closed on recovery, and the alert of a
 * rollback replaced by a fallback resolved with it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { headline, type RollbackNotice } from '../../src/notify/event.js';
import { notifiers, notifyAll } from '../../src/notify/index.js';
import { type PagerStub, startPagerStub } from '../support/pager-stub.js';

const ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';
const GENIE_KEY = 'eb243592-faa2-4ba2-a551-1afdf565c889';
const ID = '3f1c2a9b8e7d6c5b';

const rolledBack: RollbackNotice = {
  kind: 'rolled_back',
  service: 'support-agent',
  stage: 'canary',
  id: ID,
  severity: 'critical',
  from: '2.4.0',
  to: '2.3.3',
  reason: 'error_spike',
  evidence: ['error_rate=0.071>0.05', 'tool_failure_rate=0.052>0.03'],
  links: {
    incident: 'https://github.com/acme/gitops/issues/7',
    commit: 'https://github.com/acme/gitops/commit/abc123',
    run: 'https://github.com/acme/gitops/actions/runs/42',
  },
};
const escalated: RollbackNotice = { ...rolledBack, kind: 'escalated', from: '2.4.0', to: '2.3.3' };
const recovered: RollbackNotice = { ...rolledBack, kind: 'recovered', reason: 'recovered', evidence: [] };

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

async function send(
  routes: Parameters<typeof notifiers>[0],
  ...notices: RollbackNotice[]
): Promise<string[]> {
  const warnings: string[] = [];
  for (const n of notices) await notifyAll(notifiers(routes), n, (w) => warnings.push(w));
  return warnings;
}

const pagerduty = () => ({
  type: 'pagerduty' as const,
  routing_key: ROUTING_KEY,
  url: `${stub.url}/pagerduty/v2/enqueue`,
});
const opsgenie = () => ({ type: 'opsgenie' as const, api_key: GENIE_KEY, url: `${stub.url}/opsgenie` });

describe('PagerDuty Events API v2', () => {
  it('triggers one alert per rollback, keyed by its Rollback-Id, with the incident linked first', async () => {
    expect(await send([pagerduty()], rolledBack)).toEqual([]);
    expect(stub.refused).toEqual([]);
    expect(stub.pagerduty).toHaveLength(1);
    const [event] = stub.pagerduty[0]!.triggers;
    expect(event).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: `pinback-support-agent-${ID}`,
      client: 'pinback',
      client_url: rolledBack.links.run,
      payload: {
        summary: headline(rolledBack),
        source: 'support-agent (canary)',
        severity: 'critical',
        component: 'support-agent',
        group: 'canary',
        class: 'error_spike',
        custom_details: {
          event: 'pinback.rolled_back',
          service: 'support-agent',
          stage: 'canary',
          from: '2.4.0',
          to: '2.3.3',
          reason: 'error_spike',
          severity: 'critical',
          rollback_id: ID,
          evidence: rolledBack.evidence,
          incident: rolledBack.links.incident,
        },
      },
      links: [
        { href: rolledBack.links.incident, text: 'incident' },
        { href: rolledBack.links.commit, text: 'commit' },
        { href: rolledBack.links.run, text: 'run' },
      ],
    });
  });

  it('deduplicates a re-run and the escalation into the same alert, the escalation as critical', async () => {
    await send([pagerduty()], rolledBack, rolledBack, { ...escalated, severity: 'high' });
    expect(stub.refused).toEqual([]);
    expect(stub.pagerduty).toHaveLength(1);
    const alert = stub.pagerduty[0]!;
    expect(alert.status).toBe('triggered');
    expect(alert.triggers).toHaveLength(3);
    expect(alert.triggers[2]).toMatchObject({
      payload: {
        severity: 'critical',
        summary: expect.stringMatching(/^Rollback did not recover, escalating:/),
      },
    });
  });

  it('resolves the alert on recovery, with the same dedup_key', async () => {
    await send([pagerduty()], rolledBack, recovered);
    expect(stub.refused).toEqual([]);
    expect(stub.pagerduty).toEqual([
      expect.objectContaining({ dedupKey: `pinback-support-agent-${ID}`, status: 'resolved' }),
    ]);
    expect(stub.received[1]!.body).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: `pinback-support-agent-${ID}`,
    });
  });

  it('maps severities to its own (high: error, medium: warning, low: info)', async () => {
    await send(
      [pagerduty()],
      ...(['high', 'medium', 'low'] as const).map((severity, i) => ({
        ...rolledBack,
        id: `id${i}`,
        severity,
      })),
    );
    expect(stub.pagerduty.map((a) => (a.triggers[0]!.payload as { severity: string }).severity)).toEqual([
      'error',
      'warning',
      'info',
    ]);
  });

  it('on a fallback rollback, triggers its alert and resolves the one it replaces', async () => {
    await send([pagerduty()], rolledBack, {
      ...rolledBack,
      id: 'aaaabbbbccccdddd',
      from: '2.3.3',
      to: '2.3.2',
      supersedes: ID,
    });
    expect(stub.pagerduty.map((a) => [a.dedupKey, a.status])).toEqual([
      [`pinback-support-agent-${ID}`, 'resolved'],
      ['pinback-support-agent-aaaabbbbccccdddd', 'triggered'],
    ]);
  });

  it('keeps summary and dedup_key within the API limits whatever the names', async () => {
    const long = 'x'.repeat(300);
    await send([pagerduty()], { ...rolledBack, service: long, from: `1.0.0-${long}`, to: `0.9.0-${long}` });
    expect(stub.refused).toEqual([]);
    expect(stub.pagerduty[0]!.dedupKey).toBe(`pinback-${ID}`);
  });

  it('a refused event is a warning that does not quote the routing key', async () => {
    const warnings = await send([{ ...pagerduty(), routing_key: `${ROUTING_KEY}-too-long` }], rolledBack);
    expect(warnings).toEqual([`notification to pagerduty ${stub.url}/… failed: HTTP 400`]);
    expect(warnings.join()).not.toContain(ROUTING_KEY);
  });
});

describe('Opsgenie Alert API', () => {
  it('creates one alert per rollback (alias), with GenieKey auth, priority, tags, details and the incident', async () => {
    expect(await send([opsgenie()], rolledBack)).toEqual([]);
    expect(stub.refused).toEqual([]);
    const request = stub.received[0]!;
    expect(request.path).toBe('/opsgenie/v2/alerts');
    expect(request.headers.authorization).toBe(`GenieKey ${GENIE_KEY}`);
    expect(request.body).toMatchObject({
      message: headline(rolledBack),
      alias: `pinback-support-agent-${ID}`,
      priority: 'P1',
      entity: 'support-agent',
      source: 'pinback',
      tags: ['pinback', 'rolled_back', 'support-agent', 'canary', 'error_spike', 'critical'],
      details: expect.objectContaining({
        incident: rolledBack.links.incident,
        rollback_id: ID,
        from: '2.4.0',
      }),
    });
    expect(request.body.description).toContain('- error_rate=0.071>0.05');
    expect(request.body.description).toContain(`incident: ${rolledBack.links.incident}`);
  });

  it('deduplicates a re-run and the escalation into the open alert, and closes it on recovery', async () => {
    await send([opsgenie()], rolledBack, rolledBack, escalated, recovered);
    expect(stub.refused).toEqual([]);
    expect(stub.opsgenie).toHaveLength(1);
    const alert = stub.opsgenie[0]!;
    expect(alert).toMatchObject({ alias: `pinback-support-agent-${ID}`, count: 3, status: 'closed' });
    expect(alert.creates[2]).toMatchObject({ note: expect.stringMatching(/^Rollback did not recover/) });
    expect(alert.closeNotes).toEqual([expect.stringMatching(/^Recovered after rollback support-agent/)]);
    expect(stub.received.at(-1)!.path).toBe(
      `/opsgenie/v2/alerts/pinback-support-agent-${ID}/close?identifierType=alias`,
    );
  });

  it('keeps the message within 130 characters', async () => {
    await send([opsgenie()], {
      ...rolledBack,
      from: `2.4.0@sha256:${'a'.repeat(64)}`,
      to: `2.3.3@sha256:${'b'.repeat(64)}`,
    });
    expect(stub.refused).toEqual([]);
    expect((stub.opsgenie[0]!.creates[0]!.message as string).length).toBe(130);
  });

  it('closes the alert a fallback rollback replaces', async () => {
    await send([opsgenie()], rolledBack, { ...rolledBack, id: 'aaaabbbbccccdddd', supersedes: ID });
    expect(stub.opsgenie.map((a) => [a.alias, a.status])).toEqual([
      [`pinback-support-agent-${ID}`, 'closed'],
      ['pinback-support-agent-aaaabbbbccccdddd', 'open'],
    ]);
  });

  it('a wrong key is a warning that does not quote the key', async () => {
    const warnings = await send([{ ...opsgenie(), api_key: 'not-the-key-0000' }], rolledBack);
    expect(warnings).toEqual([`notification to opsgenie ${stub.url}/… failed: HTTP 401`]);
  });
});
