import { z } from 'zod';
import { labelSet } from './alertmanager.js';
import type { ReceivedAlert } from './types.js';

/**
 * Argo CD Notifications' webhook: the body is whatever its template renders, and the recipe in
 * docs/alerts.md renders the fields of the Application that a guard needs, in the Application's own
 * shape (`{{ toJson .app.metadata.labels }}`, ...), so that the names read as they do in
 * `kubectl get application -o yaml`:
 *
 *   {"app": {"metadata": {"name", "namespace", "labels"},
 *            "status": {"health": {"status"}, "sync": {"status", "revision"}}},
 *    "trigger"?: "on-deployed"}
 *
 * Every such event asks for an evaluation: `on-deployed` guards the version just synced, and
 * `on-health-degraded` asks whether that version is the cause.
 */
const maybeLabels = labelSet.nullish();

export const argocdPayload = z.object({
  trigger: z.string().optional(),
  app: z.object({
    metadata: z.object({
      name: z.string().min(1),
      namespace: z.string().nullish(),
      labels: maybeLabels,
      annotations: maybeLabels,
    }),
    status: z
      .object({
        health: z.object({ status: z.string().nullish() }).nullish(),
        sync: z.object({ status: z.string().nullish(), revision: z.string().nullish() }).nullish(),
      })
      .nullish(),
  }),
});

export function argocdAlerts(payload: z.output<typeof argocdPayload>): ReceivedAlert[] {
  const { metadata, status } = payload.app;
  const health = status?.health?.status;
  return [
    {
      name: payload.trigger ?? (health ? `health ${health}` : 'argocd'),
      firing: true,
      labels: metadata.labels ?? {},
      annotations: metadata.annotations ?? {},
      object: metadata.name,
    },
  ];
}
