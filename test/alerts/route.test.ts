import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_ROUTING, routeAlerts } from '../../src/alerts/route.js';
import type { AlertBatch, ReceivedAlert } from '../../src/alerts/types.js';

const KNOWN = new Set(['support-agent', 'billing-api', 'web']);

const alert = (o: Partial<ReceivedAlert>): ReceivedAlert => ({
  name: 'HighErrorRate',
  firing: true,
  labels: {},
  annotations: {},
  ...o,
});

const route = (alerts: ReceivedAlert[], routing = DEFAULT_ALERT_ROUTING) =>
  routeAlerts({ source: 'alertmanager', alerts } satisfies AlertBatch, routing, KNOWN, 'pinback.yml');

describe('routeAlerts', () => {
  it.each<[string, Partial<ReceivedAlert>, string[]]>([
    ['a service label', { labels: { service: 'web' } }, ['web']],
    ['an app label', { labels: { app: 'web' } }, ['web']],
    ["Kubernetes' app.kubernetes.io/name", { labels: { 'app.kubernetes.io/name': 'web' } }, ['web']],
    ['its Prometheus form', { labels: { app_kubernetes_io_name: 'web' } }, ['web']],
    ['an annotation when no label names a service', { annotations: { service: 'web' } }, ['web']],
    ["the object's name last", { object: 'billing-api' }, ['billing-api']],
    ['a label before the object name', { labels: { app: 'web' }, object: 'billing-api' }, ['web']],
    ['service before app', { labels: { app: 'web', service: 'billing-api' } }, ['billing-api']],
    [
      "app when service holds a name the policy lacks (a Kubernetes Service's)",
      { labels: { service: 'web-svc', app: 'web' } },
      ['web'],
    ],
  ])('names its service by %s', (_what, a, services) => {
    const r = route([alert(a)]);
    expect(r.services).toEqual(services);
    expect(r.ignored).toEqual([]);
  });

  it('evaluates several services, each once, in the order the alerts name them', () => {
    const r = route([
      alert({ name: 'HighLatency', labels: { service: 'web' } }),
      alert({ labels: { service: 'support-agent' } }),
      alert({ labels: { app: 'web' } }),
    ]);
    expect(r.services).toEqual(['web', 'support-agent']);
    expect(r.reason).toBe('HighLatency (web), HighErrorRate (support-agent), HighErrorRate (web)');
    expect(r.firing).toBe(3);
  });

  it('skips resolved alerts: they ask for nothing', () => {
    const r = route([
      alert({ firing: false, labels: { service: 'web' } }),
      alert({ labels: { service: 'support-agent' } }),
    ]);
    expect(r).toMatchObject({ services: ['support-agent'], firing: 1, resolved: 1, ignored: [] });
  });

  it('ignores an alert about a service the policy lacks, saying which values it tried', () => {
    const r = route([alert({ labels: { service: 'checkout', app: 'checkout-ui' } })]);
    expect(r.services).toEqual([]);
    expect(r.reason).toBeUndefined();
    expect(r.ignored).toEqual([
      'Alertmanager alert HighErrorRate: "checkout" (label service), "checkout-ui" (label app) are no services of pinback.yml: ignored (map a value to a service with alerts.aliases)',
    ]);
  });

  it('ignores an alert that names no service at all, saying which labels it looked for', () => {
    expect(route([alert({ labels: { severity: 'page' } })]).ignored).toEqual([
      'Alertmanager alert HighErrorRate names no service: it has none of the labels or annotations service, app, app.kubernetes.io/name, app_kubernetes_io_name: ignored (choose them with alerts.service_labels in pinback.yml)',
    ]);
  });

  it("takes the policy's labels, in its order, and its aliases", () => {
    const routing = { serviceLabels: ['team_service', 'service'], aliases: { checkout: 'billing-api' } };
    expect(
      route([alert({ labels: { service: 'web', team_service: 'checkout' } })], routing).services,
    ).toEqual(['billing-api']);
    // Only the labels the policy lists: `app` is not one of them here.
    expect(route([alert({ labels: { app: 'web' } })], routing).services).toEqual([]);
  });

  it('keeps the reason within the 200 characters of a native dispatch', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      alert({ name: `AlertNumber${i}`, labels: { app: 'web' } }),
    );
    const reason = route(many).reason!;
    expect(reason.length).toBe(200);
    expect(reason.endsWith('…')).toBe(true);
  });
});
