import { z } from 'zod';
import type { ReceivedAlert } from './types.js';

/**
 * Flux's `githubdispatch` provider (notification-controller, internal/notifier/github_dispatch.go)
 * sends event type `{Kind}/{Name}.{Namespace}` and the Flux event itself as `client_payload`
 * (fluxcd/pkg apis/event/v1beta1 Event): `involvedObject`, `severity` (trace|info|error),
 * `timestamp`, `message`, `reason`, `metadata`, `reportingController`, `reportingInstance`.
 *
 * The event's `metadata` is where its labels are: the Alert's `spec.eventMetadata`, and each
 * `event.toolkit.fluxcd.io/<key>` annotation of the object as `<key>` (so a HelmRelease annotated
 * `event.toolkit.fluxcd.io/service: checkout` names its service). An `info` event (a release
 * upgraded, a Kustomization applied) and an `error` event (a failed upgrade or health check) ask
 * for an evaluation; a `trace` event only tells what the controller is doing.
 */
export const fluxPayload = z.object({
  involvedObject: z.object({
    kind: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().optional(),
    apiVersion: z.string().optional(),
    uid: z.string().optional(),
  }),
  severity: z.enum(['trace', 'info', 'error']),
  timestamp: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().min(1),
  metadata: z.record(z.string(), z.string()).optional(),
  reportingController: z.string().optional(),
  reportingInstance: z.string().optional(),
});

export function fluxAlerts(payload: z.output<typeof fluxPayload>): ReceivedAlert[] {
  return [
    {
      name: payload.reason,
      firing: payload.severity !== 'trace',
      labels: payload.metadata ?? {},
      annotations: {},
      object: payload.involvedObject.name,
    },
  ];
}
