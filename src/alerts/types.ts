/**
 * What pinback reads from an alerting or delivery tool's `repository_dispatch`, whatever the tool:
 * one entry per alert (or per Argo CD / Flux event), with the labels and annotations that may name
 * its service. Pure data: the parsers (one file per tool) make it, route.ts maps it to services.
 */

/** The tools whose payloads pinback reads (docs/alerts.md has a recipe for each). */
export const ALERT_SOURCES = ['alertmanager', 'grafana', 'argocd', 'flux'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** How each tool is named in messages. */
export const SOURCE_TITLES: Readonly<Record<AlertSource, string>> = {
  alertmanager: 'Alertmanager',
  grafana: 'Grafana',
  argocd: 'Argo CD Notifications',
  flux: 'Flux',
};

export interface ReceivedAlert {
  /** What the alert calls itself in the log and the trailers: `HighErrorRate`, `Degraded`, `HealthCheckFailed`. */
  name: string;
  /** false for a resolved alert: it asks for nothing. */
  firing: boolean;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /**
   * The name of the object the event is about (an Argo CD Application, a Flux HelmRelease or
   * Kustomization), tried when no label or annotation names a service.
   */
  object?: string | undefined;
}

export interface AlertBatch {
  source: AlertSource;
  alerts: readonly ReceivedAlert[];
}
