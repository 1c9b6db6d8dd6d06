import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_LABELS } from '../../src/alerts/route.js';
import { parsePolicy } from '../../src/config/load.js';
import { issuesOf } from '../support/policy-issues.js';

const policy = (alerts: string) =>
  `version: 1
${alerts}
services:
  web: { candidate: v2, stable: v1, triggers: { e: { query: q, max: 1 } } }
`;

describe('the policy key alerts:', () => {
  it('is optional: without it, alerts are routed by the default labels', () => {
    expect(parsePolicy(policy(''), 'p.yml', {}).alerts).toBeUndefined();
  });

  it('takes the labels to try and the aliases', () => {
    const p = parsePolicy(
      policy('alerts:\n  service_labels: [team_service, service]\n  aliases: { frontend: web }'),
      'p.yml',
      {},
    );
    expect(p.alerts).toEqual({ serviceLabels: ['team_service', 'service'], aliases: { frontend: 'web' } });
  });

  it('keeps the default labels when it sets only aliases', () => {
    const p = parsePolicy(policy('alerts: { aliases: { frontend: web } }'), 'p.yml', {});
    expect(p.alerts?.serviceLabels).toEqual(DEFAULT_SERVICE_LABELS);
  });

  it.each([
    ['alerts: { service_labels: [] }', 'policy.yml:2:27: alerts.service_labels: Too small'],
    ['alerts: { aliases: { frontend: "../web" } }', 'policy.yml:2:32: alerts.aliases.frontend: use letters'],
    ['alerts: { labels: [app] }', 'policy.yml:2:11: alerts.labels: key "labels" is not allowed here'],
  ])('refuses %s at its place', (text, issue) => {
    expect(issuesOf(policy(text))[0]).toContain(issue);
  });
});
