import { describe, expect, it } from 'vitest';
import { AlertPayloadError, parseAlerts } from '../../src/alerts/parse.js';
import type { AlertSource } from '../../src/alerts/types.js';
import { fixture } from '../support/alert-fixtures.js';

const alertsOf = (file: string, source: AlertSource) =>
  parseAlerts(source, fixture(file).client_payload).alerts;

describe("parseAlerts on each tool's payload", () => {
  it('Alertmanager: every alert, its name, whether it fires, its labels and annotations', () => {
    const alerts = alertsOf('alertmanager-dispatch.json', 'alertmanager');
    expect(alerts.map((a) => [a.name, a.firing])).toEqual([
      ['HighErrorRate', true],
      ['HighLatencyP95', true],
      ['HighErrorRate', true],
      ['KubePodCrashLooping', false],
    ]);
    expect(alerts[0]).toMatchObject({
      labels: { service: 'support-agent', severity: 'page' },
      annotations: { runbook_url: 'https://runbooks.acme.example/support-agent/errors' },
    });
  });

  it("Grafana: Alertmanager's alerts, Grafana's own fields allowed", () => {
    const alerts = alertsOf('grafana-dispatch.json', 'grafana');
    expect(alerts.map((a) => [a.name, a.firing, a.labels.service ?? a.labels.app])).toEqual([
      ['High memory usage', true, 'support-agent'],
      ['High CPU usage', true, 'web'],
    ]);
  });

  it("Argo CD: one event, named by its health, about the Application, with the Application's labels", () => {
    expect(alertsOf('argocd-degraded.json', 'argocd')).toEqual([
      {
        name: 'health Degraded',
        firing: true,
        labels: { team: 'payments' },
        annotations: {},
        object: 'billing-api',
      },
    ]);
    expect(alertsOf('argocd-deployed.json', 'argocd')[0]).toMatchObject({
      name: 'health Healthy',
      labels: { 'app.kubernetes.io/name': 'web' },
      object: 'web-prod',
    });
  });

  it("Flux: one event, named by its reason, about the object, with the event's metadata as labels", () => {
    expect(alertsOf('flux-helmrelease.json', 'flux')).toEqual([
      {
        name: 'UpgradeSucceeded',
        firing: true,
        labels: { env: 'production', revision: '2.4.0' },
        annotations: {},
        object: 'support-agent',
      },
    ]);
    expect(alertsOf('flux-kustomization-error.json', 'flux')[0]).toMatchObject({
      name: 'HealthCheckFailed',
      labels: { service: 'web' },
      object: 'frontend',
    });
    expect(alertsOf('flux-docs-event.json', 'flux')[0]).toMatchObject({
      name: 'ValidationFailed',
      object: 'webapp',
    });
  });

  it('Flux: a trace event asks for nothing', () => {
    const { client_payload } = fixture('flux-helmrelease.json');
    expect(parseAlerts('flux', { ...client_payload, severity: 'trace' }).alerts[0]!.firing).toBe(false);
  });

  it('Alertmanager 0.32/0.33: label values its payload template read back as numbers or booleans are text again', () => {
    // Those versions parse each rendered string as YAML (fixed in 0.34): "1" arrives as 1.
    const [a] = parseAlerts('alertmanager', {
      alerts: [{ status: 'firing', labels: { alertname: 'X', shard: 1, canary: true, odd: { a: null } } }],
    }).alerts;
    expect(a!.labels).toEqual({ alertname: 'X', shard: '1', canary: 'true' });
  });

  it('Alertmanager: an empty list of alerts is read as no alert', () => {
    expect(parseAlerts('alertmanager', { alerts: [] }).alerts).toEqual([]);
  });
});

describe('parseAlerts refuses what its tool does not send, saying where and what the recipe sends', () => {
  it.each<[AlertSource, unknown, string]>([
    [
      'alertmanager',
      {},
      'repository_dispatch from Alertmanager: client_payload.alerts: Invalid input: expected array, received undefined',
    ],
    [
      'alertmanager',
      { alerts: [{ status: 'pending', labels: {} }] },
      'repository_dispatch from Alertmanager: client_payload.alerts.0.status: Invalid option: expected one of "firing"|"resolved"',
    ],
    [
      'grafana',
      { alerts: [{ status: 'firing', labels: 'service=web' }] },
      'repository_dispatch from Grafana: client_payload.alerts.0.labels: Invalid input: expected record, received string',
    ],
    [
      'argocd',
      { app: { metadata: {} } },
      'repository_dispatch from Argo CD Notifications: client_payload.app.metadata.name: Invalid input: expected string, received undefined',
    ],
    [
      'flux',
      { involvedObject: { kind: 'HelmRelease', name: 'web' }, severity: 'warning', reason: 'X' },
      'repository_dispatch from Flux: client_payload.severity: Invalid option: expected one of "trace"|"info"|"error"',
    ],
  ])('%s %j', (source, payload, message) => {
    expect(() => parseAlerts(source, payload)).toThrow(AlertPayloadError);
    expect(() => parseAlerts(source, payload)).toThrow(message);
    expect(() => parseAlerts(source, payload)).toThrow('recipe in docs/alerts.md');
  });
});
