import type { AlertSource } from './types.js';

/**
 * Which tool sent a `repository_dispatch`, from its event type (the payload's `action`) and the
 * shape of its `client_payload`; undefined for pinback's own `{service, reason}`. Written without
 * zod, as event.ts is: it runs for every event the Action sees, and an ignored event loads no
 * dependency (test/startup.e2e.test.ts). The parsers validate the payload it points them at.
 *
 * The shape decides first: Flux's dispatch provider always sends its event as the payload, and the
 * recipes in docs/alerts.md give Argo CD an `app` and Alertmanager and Grafana their `alerts`. A
 * payload that names a `service` is pinback's own, whatever its event type (so a relay already
 * sending `{event_type: "alertmanager", client_payload: {service, reason}}` keeps working). Only then
 * does an event type naming a tool choose that tool's parser, whose errors say what it expected.
 */
export function detectSource(eventType: unknown, clientPayload: unknown): AlertSource | undefined {
  const type = typeof eventType === 'string' ? eventType.toLowerCase() : '';
  const body = isObject(clientPayload) ? clientPayload : undefined;
  if (body) {
    if (isObject(body.involvedObject)) return 'flux';
    if (isObject(body.app)) return 'argocd';
    if (Array.isArray(body.alerts)) return isGrafana(type, body) ? 'grafana' : 'alertmanager';
    if ('service' in body) return undefined;
  }
  return named(type);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flux's event type: `{Kind}/{Name}.{Namespace}` (notification-controller's github_dispatch.go). */
const FLUX_EVENT_TYPE = /^[a-z][a-z0-9]*\/[a-z0-9][a-z0-9.-]*\.[a-z0-9-]+$/;

/** An event type that names a tool: `alertmanager`, `grafana-prod`, `argocd.on-deployed`, a Flux object. */
function named(type: string): AlertSource | undefined {
  for (const source of ['alertmanager', 'grafana', 'argocd'] as const) {
    if (type === source || type.startsWith(`${source}-`) || type.startsWith(`${source}.`)) return source;
  }
  if (type === 'argo-cd' || type.startsWith('argo-cd-')) return 'argocd';
  return FLUX_EVENT_TYPE.test(type) ? 'flux' : undefined;
}

/**
 * Grafana's alerts have Alertmanager's shape plus fields of its own: the recipe's event type says
 * so, and so do `orgId`, or an alert's `values`, `silenceURL` or `orgId`, when a relay kept them.
 */
function isGrafana(type: string, body: Record<string, unknown>): boolean {
  if (named(type) === 'grafana') return true;
  if (named(type) === 'alertmanager') return false;
  if ('orgId' in body) return true;
  return (body.alerts as unknown[]).some(
    (a) => isObject(a) && ('values' in a || 'silenceURL' in a || 'orgId' in a),
  );
}
