import { z } from 'zod';
import type { ReceivedAlert } from './types.js';

/**
 * Alertmanager's webhook data (`notify/webhook`, message version 4): the `client_payload` of the
 * recipe in docs/alerts.md, which keeps the keys a guard needs (GitHub allows `client_payload` 10
 * top-level keys and the message has 11): `receiver`, `status`, `groupKey`, `externalURL` and the
 * `alerts` as `toJson .Alerts` renders them. A relay for Alertmanager before 0.32 sends the same.
 * Unknown keys are allowed and dropped: Alertmanager adds fields over time.
 */

/**
 * Labels and annotations: string values. Alertmanager 0.32 and 0.33 read each string the `payload`
 * template renders back as YAML (fixed in 0.34, #5304), so a label `"1"` or `"true"` arrives as a
 * number or a boolean: those are read back as the text they were. Anything else (a value that was
 * YAML-like text, now an object) can name no service and is left out rather than failing the run.
 */
export const labelSet = z
  .record(z.string(), z.unknown())
  .transform((record) =>
    Object.fromEntries(
      Object.entries(record).flatMap(([k, v]) =>
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? [[k, String(v)]] : [],
      ),
    ),
  );

const status = z.enum(['firing', 'resolved']);

export const alertSchema = z.object({
  status,
  labels: labelSet,
  annotations: labelSet.optional(),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const alertmanagerPayload = z.object({
  receiver: z.string().optional(),
  status: status.optional(),
  groupKey: z.string().optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema),
});

export type AlertInput = z.output<typeof alertSchema>;

/** One alert as pinback reads it: its `alertname`, firing or not, its labels and annotations. */
export function receivedAlert(a: AlertInput): ReceivedAlert {
  return {
    name: a.labels.alertname ?? 'alert',
    firing: a.status === 'firing',
    labels: a.labels,
    annotations: a.annotations ?? {},
  };
}

export function alertmanagerAlerts(payload: z.output<typeof alertmanagerPayload>): ReceivedAlert[] {
  return payload.alerts.map(receivedAlert);
}
