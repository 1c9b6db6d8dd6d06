import type { z } from 'zod';
import { alertmanagerAlerts, alertmanagerPayload } from './alertmanager.js';
import { argocdAlerts, argocdPayload } from './argocd.js';
import { fluxAlerts, fluxPayload } from './flux.js';
import { grafanaAlerts, grafanaPayload } from './grafana.js';
import { type AlertBatch, type AlertSource, type ReceivedAlert, SOURCE_TITLES } from './types.js';

/** A payload that is not what its tool sends: the run fails with this message, before any policy is read. */
export class AlertPayloadError extends Error {
  override name = 'AlertPayloadError';
}

/** What each recipe sends, for the error message. */
const EXPECTED: Readonly<Record<AlertSource, string>> = {
  alertmanager:
    '{"alerts": [{"status", "labels", "annotations"}, ...]} as Alertmanager renders `toJson .Alerts`',
  grafana: '{"alerts": [{"status", "labels", "annotations"}, ...]} from the custom payload template',
  argocd: '{"app": {"metadata": {"name", "labels"}, "status": {...}}} from the webhook template',
  flux: 'a Flux event ({involvedObject, severity, reason, metadata, ...}) as the githubdispatch provider sends it',
};

function validated<S extends z.ZodType>(schema: S, source: AlertSource, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = ['client_payload', ...issue.path.map(String)].join('.');
  throw new AlertPayloadError(
    `repository_dispatch from ${SOURCE_TITLES[source]}: ${at}: ${issue.message} ` +
      `(expected ${EXPECTED[source]}; see the ${SOURCE_TITLES[source]} recipe in docs/alerts.md)`,
  );
}

/**
 * The alerts of a tool's `client_payload` (detect.ts says which tool), validated; an
 * AlertPayloadError naming the first problem's place (`client_payload.alerts.0.status`) if it is
 * not what that tool sends.
 */
export function parseAlerts(source: AlertSource, clientPayload: unknown): AlertBatch {
  return { source, alerts: alertsOf(source, clientPayload) };
}

function alertsOf(source: AlertSource, body: unknown): ReceivedAlert[] {
  switch (source) {
    case 'alertmanager':
      return alertmanagerAlerts(validated(alertmanagerPayload, source, body));
    case 'grafana':
      return grafanaAlerts(validated(grafanaPayload, source, body));
    case 'argocd':
      return argocdAlerts(validated(argocdPayload, source, body));
    case 'flux':
      return fluxAlerts(validated(fluxPayload, source, body));
  }
}
