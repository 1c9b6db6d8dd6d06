import { describe, expect, it } from 'vitest';
import { detectSource } from '../../src/alerts/detect.js';
import { fixture } from '../support/alert-fixtures.js';

describe('detectSource', () => {
  it.each([
    ['alertmanager-dispatch.json', 'alertmanager'],
    ['grafana-dispatch.json', 'grafana'],
    ['argocd-degraded.json', 'argocd'],
    ['argocd-deployed.json', 'argocd'],
    ['flux-helmrelease.json', 'flux'],
    ['flux-kustomization-error.json', 'flux'],
    ['flux-docs-event.json', 'flux'],
  ])('knows %s as %s', (file, source) => {
    const d = fixture(file);
    expect(detectSource(d.event_type, d.client_payload)).toBe(source);
  });

  it.each<[string, string | undefined, unknown, string | undefined]>([
    ["pinback's own payload", 'alert', { service: 'api', reason: 'HighErrorRate' }, undefined],
    [
      "its own payload under a tool's event type (an older relay)",
      'alertmanager',
      { service: 'api' },
      undefined,
    ],
    ['its own payload without a service', 'on-demand-test', { reason: 'x' }, undefined],
    ['no payload at all', undefined, undefined, undefined],
    ['alerts with an event type naming no tool', 'page', { alerts: [] }, 'alertmanager'],
    ["alerts with Grafana's orgId", 'alerts', { orgId: 1, alerts: [] }, 'grafana'],
    [
      "alerts with Grafana's values",
      'alerts',
      { alerts: [{ status: 'firing', labels: {}, values: {} }] },
      'grafana',
    ],
    ['alerts sent as grafana-prod', 'grafana-prod', { alerts: [] }, 'grafana'],
    [
      'alerts sent as alertmanager, whatever their fields',
      'alertmanager',
      { orgId: 1, alerts: [] },
      'alertmanager',
    ],
    ["a broken payload under a tool's event type goes to that tool's parser", 'argocd', { ap: {} }, 'argocd'],
    ["Flux's event type without its event", 'HelmRelease/web.apps', {}, 'flux'],
    ['an event type with a slash that is no Flux object', 'deploy/now', {}, undefined],
  ])('%s', (_what, eventType, payload, source) => {
    expect(detectSource(eventType, payload)).toBe(source);
  });
});
