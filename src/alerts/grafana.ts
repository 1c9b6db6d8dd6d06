import { z } from 'zod';
import { alertSchema, receivedAlert } from './alertmanager.js';
import type { ReceivedAlert } from './types.js';

/**
 * A Grafana contact point's webhook data: Grafana Alerting is built on Alertmanager, and its alerts
 * have Alertmanager's shape plus `values`, `silenceURL`, `dashboardURL`, `panelURL`, `imageURL`
 * and `orgId`. The `client_payload` of the recipe in docs/alerts.md (a custom payload template)
 * keeps `receiver`, `status`, `groupKey`, `externalURL`, `orgId` and each alert's `status`, `labels`,
 * `annotations`, `startsAt`, `fingerprint` and `values`.
 */
const grafanaAlert = alertSchema.extend({
  values: z.record(z.string(), z.unknown()).nullish(),
  silenceURL: z.string().optional(),
});

export const grafanaPayload = z.object({
  receiver: z.string().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  orgId: z.number().optional(),
  groupKey: z.string().optional(),
  externalURL: z.string().optional(),
  alerts: z.array(grafanaAlert),
});

export function grafanaAlerts(payload: z.output<typeof grafanaPayload>): ReceivedAlert[] {
  return payload.alerts.map(receivedAlert);
}
