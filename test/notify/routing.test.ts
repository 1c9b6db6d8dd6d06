/**
 * Severity routes who is told: a notice goes only to the routes whose `min_severity` its severity
 * meets (no `min_severity`: every notice). The seeds' routing: Slack for minor, PagerDuty for critical.
 */
import { describe, expect, it } from 'vitest';
import type { NotifierConfig } from '../../src/config/schema.js';
import type { RollbackNotice } from '../../src/notify/event.js';
import { notifiers, notifyAll } from '../../src/notify/index.js';
import { loudest, meets, type NoticeSeverity } from '../../src/notify/severity.js';

const notice: RollbackNotice = {
  kind: 'rolled_back',
  service: 'support-agent',
  stage: 'canary',
  id: '0123456789abcdef',
  severity: 'critical',
  from: '2.4.0',
  to: '2.3.3',
  reason: 'error_spike',
  evidence: [],
  links: {},
};

/** A fetch that answers 202 and records the hosts it was asked for. */
function recording(): typeof fetch & { hosts: string[] } {
  const hosts: string[] = [];
  const f = async (input: string | URL | Request) => {
    hosts.push(new URL(String(input)).host);
    return new Response(null, { status: 202 });
  };
  return Object.assign(f as typeof fetch, { hosts });
}

/** The seed's routing, and a webhook for everything from medium up. */
const ROUTES: NotifierConfig[] = [
  { type: 'slack', webhook: 'https://hooks.slack.com/services/T0/B0/x' },
  { type: 'pagerduty', routing_key: 'k'.repeat(32), min_severity: 'critical' },
  { type: 'webhook', url: 'https://hooks.example.com/pinback', min_severity: 'medium' },
];

describe('min_severity', () => {
  it.each<[NoticeSeverity, string[]]>([
    ['critical', ['hooks.slack.com', 'events.pagerduty.com', 'hooks.example.com']],
    ['high', ['hooks.slack.com', 'hooks.example.com']],
    ['medium', ['hooks.slack.com', 'hooks.example.com']],
    ['low', ['hooks.slack.com']],
  ])('a %s notice reaches %j', async (severity, hosts) => {
    const f = recording();
    const warnings: string[] = [];
    await notifyAll(notifiers(ROUTES, f), { ...notice, severity }, (w) => warnings.push(w));
    expect(warnings).toEqual([]);
    expect(f.hosts.sort()).toEqual([...hosts].sort());
  });

  it.each<[NoticeSeverity, NoticeSeverity | undefined, boolean]>([
    ['critical', undefined, true],
    ['low', undefined, true],
    ['critical', 'critical', true],
    ['high', 'critical', false],
    ['high', 'high', true],
    ['medium', 'high', false],
    ['medium', 'medium', true],
    ['low', 'medium', false],
    ['low', 'low', true],
  ])('%s meets a floor of %s: %s', (severity, min, expected) => {
    expect(meets(severity, min)).toBe(expected);
  });

  it('a notice is as severe as the loudest trigger behind it, high when none says', () => {
    expect(loudest(['medium', 'critical', 'low'])).toBe('critical');
    expect(loudest([])).toBe('high');
  });
});
