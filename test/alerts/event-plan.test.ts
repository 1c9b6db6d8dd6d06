import { describe, expect, it } from 'vitest';
import { EventError, planFor } from '../../src/action/event.js';
import { fixture } from '../support/alert-fixtures.js';

/** A repository_dispatch as GitHub hands it to the workflow: event_type as `action`. */
const dispatched = (file: string) => {
  const d = fixture(file);
  return { action: d.event_type, client_payload: d.client_payload };
};

describe('planFor on a repository_dispatch from an alerting or delivery tool', () => {
  it.each([
    ['alertmanager-dispatch.json', 'alertmanager', 'repository_dispatch (alertmanager)'],
    ['grafana-dispatch.json', 'grafana', 'repository_dispatch (grafana)'],
    ['argocd-degraded.json', 'argocd', 'repository_dispatch (argocd)'],
    ['flux-helmrelease.json', 'flux', 'repository_dispatch (HelmRelease/support-agent.apps)'],
  ])('%s: its alerts, to be mapped once the policy is read, in the input shard', (file, source, trigger) => {
    const payload = dispatched(file);
    const plan = planFor(
      'repository_dispatch',
      payload,
      { terms: ['ignored-*'], shard: { index: 2, count: 4 } },
      false,
    );
    expect(plan).toEqual({
      kind: 'alerts',
      trigger,
      source,
      clientPayload: payload.client_payload,
      shard: { index: 2, count: 4 },
    });
  });

  it("keeps pinback's own payload as it was", () => {
    expect(
      planFor(
        'repository_dispatch',
        { action: 'alertmanager', client_payload: { service: 'api' } },
        {},
        false,
      ),
    ).toMatchObject({
      kind: 'reconcile',
      selection: { terms: ['api'] },
      signal: { service: 'api' },
    });
  });

  it('points a payload it cannot read at both forms', () => {
    expect(() =>
      planFor('repository_dispatch', { action: 'page', client_payload: { reason: 'x' } }, {}, false),
    ).toThrow(EventError);
    expect(() =>
      planFor('repository_dispatch', { action: 'page', client_payload: { reason: 'x' } }, {}, false),
    ).toThrow(
      'or the payload of Alertmanager, Grafana, Argo CD Notifications or Flux that docs/alerts.md shows',
    );
  });
});
