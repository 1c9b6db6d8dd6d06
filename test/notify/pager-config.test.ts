/**
 * The pager routes as a policy writes them: the keys load (from `${ENV}`), a wrong one is refused at
 * its place, the regions pick their hosts, and the keys are secrets the Action masks.
 */
import { describe, expect, it } from 'vitest';
import { policySecrets } from '../../src/action/secrets.js';
import { parsePolicy } from '../../src/config/load.js';
import type { RollbackNotice } from '../../src/notify/event.js';
import { notifiers, notifyAll } from '../../src/notify/index.js';
import { notifierSecrets } from '../../src/notify/secrets.js';
import { issuesOf } from '../support/policy-issues.js';

const ENV = {
  PAGERDUTY_ROUTING_KEY: 'e93facc04764012d7bfb002500d5d1a6',
  OPSGENIE_API_KEY: 'eb243592-faa2-4ba2-a551-1afdf565c889',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0ACME/B0PINBACK/s3cr3tW3bh00k',
};

const policy = (notify: string) => `version: 1
services:
  api:
    candidate: 1.1.0
    stable: 1.0.0
    triggers:
      error_rate: { max: 0.05 }
    on_rollback:
      notify:
${notify}
`;

const SEED_ROUTING = `        - { type: slack, webhook: "\${SLACK_WEBHOOK_URL}" }
        - { type: pagerduty, routing_key: "\${PAGERDUTY_ROUTING_KEY}", min_severity: critical }
        - { type: opsgenie, api_key: "\${OPSGENIE_API_KEY}", region: eu, min_severity: high }`;

const notice: RollbackNotice = {
  kind: 'rolled_back',
  service: 'api',
  stage: 'production',
  id: '0123456789abcdef',
  severity: 'critical',
  from: '1.1.0',
  to: '1.0.0',
  reason: 'error_spike',
  evidence: [],
  links: {},
};

describe('pager routes in the policy', () => {
  it('load with their keys from the environment and their severity floors', () => {
    const p = parsePolicy(policy(SEED_ROUTING), 'pinback.yml', ENV);
    expect(p.services[0]!.onRollback.notify).toEqual([
      { type: 'slack', webhook: ENV.SLACK_WEBHOOK_URL },
      { type: 'pagerduty', routing_key: ENV.PAGERDUTY_ROUTING_KEY, min_severity: 'critical' },
      { type: 'opsgenie', api_key: ENV.OPSGENIE_API_KEY, region: 'eu', min_severity: 'high' },
    ]);
  });

  it.each([
    ['        - { type: pagerduty }', 'routing_key'],
    [
      '        - { type: pagerduty, routing_key: "${EMPTY}" }',
      'the routing key is empty (is the variable it comes from set?)',
    ],
    ['        - { type: opsgenie, api_key: k, region: asia }', 'region'],
    ['        - { type: slack, webhook: "https://hooks.slack.com/x", min_severity: urgent }', 'min_severity'],
    ['        - { type: pagerduty, routing_key: k, routing: k }', 'routing'],
    ['        - { type: teams, url: "https://x" }', 'type must be slack, webhook, pagerduty or opsgenie'],
  ])('refuse %s at its place', (notify, said) => {
    const issues = issuesOf(policy(notify), { EMPTY: '' });
    expect(issues.join('\n')).toMatch(/^policy\.yml:\d+:\d+: services\.api\.on_rollback\.notify\[0\]/m);
    expect(issues.join('\n')).toContain(said);
  });

  it('send to the region of the account: Opsgenie EU and PagerDuty US by default', async () => {
    const urls: string[] = [];
    const f = (async (input: string | URL | Request) => {
      urls.push(String(input));
      return new Response(null, { status: 202 });
    }) as typeof fetch;
    const p = parsePolicy(policy(SEED_ROUTING), 'pinback.yml', ENV);
    await notifyAll(notifiers(p.services[0]!.onRollback.notify.slice(1), f), notice, () => {});
    expect(urls.sort()).toEqual([
      'https://api.eu.opsgenie.com/v2/alerts',
      'https://events.pagerduty.com/v2/enqueue',
    ]);
  });

  it('hold secrets the Action masks: the routing key, the API key and its GenieKey header', () => {
    const p = parsePolicy(policy(SEED_ROUTING), 'pinback.yml', ENV);
    const secrets = policySecrets(p);
    expect(secrets).toContain(ENV.PAGERDUTY_ROUTING_KEY);
    expect(secrets).toContain(ENV.OPSGENIE_API_KEY);
    expect(secrets).toContain(ENV.SLACK_WEBHOOK_URL);
    expect(notifierSecrets({ type: 'opsgenie', api_key: 'abc-key' })).toContain('GenieKey abc-key');
  });
});
