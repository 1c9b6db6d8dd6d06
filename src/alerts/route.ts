import { type AlertBatch, type ReceivedAlert, SOURCE_TITLES } from './types.js';

/** The policy's `alerts:` key: how an alert names the service it is about. */
export interface AlertRouting {
  /** Label (then annotation) names whose value may be a service's name, tried in order. */
  serviceLabels: readonly string[];
  /** A value an alert gives (`checkout`) -> the service of the policy it means (`checkout-api`). */
  aliases: Readonly<Record<string, string>>;
}

/**
 * The labels a workload's name is most often found in: `service` and `app` (Prometheus rules,
 * kube-prometheus' scrape labels, Grafana), Kubernetes' `app.kubernetes.io/name` (an Argo CD
 * Application's or a Flux object's labels) and its Prometheus form `app_kubernetes_io_name`
 * (Prometheus label names allow no `.` or `/`).
 */
export const DEFAULT_SERVICE_LABELS: readonly string[] = [
  'service',
  'app',
  'app.kubernetes.io/name',
  'app_kubernetes_io_name',
];

export const DEFAULT_ALERT_ROUTING: AlertRouting = { serviceLabels: DEFAULT_SERVICE_LABELS, aliases: {} };

export interface RoutedAlerts {
  /** The services to evaluate, each once, in the order the alerts name them. */
  services: string[];
  /** The firing alerts and their services, for the trailers: `HighErrorRate (api), HighLatency (web)`. */
  reason: string | undefined;
  firing: number;
  resolved: number;
  /** One line per firing alert that names no service of the policy: said, never fatal. */
  ignored: string[];
}

/** As a native dispatch's `reason` (dispatch.ts). */
const MAX_REASON = 200;

interface Candidate {
  value: string;
  where: string;
}

/** The values that may name the alert's service, in the order they are tried. */
function candidates(alert: ReceivedAlert, routing: AlertRouting): Candidate[] {
  const found: Candidate[] = [];
  for (const key of routing.serviceLabels) {
    const v = alert.labels[key];
    if (v) found.push({ value: v, where: `label ${key}` });
  }
  for (const key of routing.serviceLabels) {
    const v = alert.annotations[key];
    if (v) found.push({ value: v, where: `annotation ${key}` });
  }
  if (alert.object) found.push({ value: alert.object, where: 'object name' });
  return found;
}

/**
 * Which services a batch of alerts asks to evaluate (pure). A resolved alert asks for nothing. A
 * firing alert names the first service of the policy among its candidates: each label of
 * `serviceLabels` in order, then each annotation of those names, then (Argo CD, Flux) the name of
 * the object, each value read through `aliases`. The first that is a service wins, so an alert whose
 * `service` label holds a Kubernetes Service's name still reaches its policy service through `app`.
 * An alert that names none is ignored with a line saying why: an alert about something pinback does
 * not guard is no failure of the guard.
 */
export function routeAlerts(
  batch: AlertBatch,
  routing: AlertRouting,
  known: ReadonlySet<string>,
  policyFile: string,
): RoutedAlerts {
  const services: string[] = [];
  const names: string[] = [];
  const ignored: string[] = [];
  let resolved = 0;
  const title = SOURCE_TITLES[batch.source];
  for (const alert of batch.alerts) {
    if (!alert.firing) {
      resolved++;
      continue;
    }
    const tried = candidates(alert, routing);
    const hit = tried
      .map((c) => ({ ...c, service: routing.aliases[c.value] ?? c.value }))
      .find((c) => known.has(c.service));
    if (hit) {
      if (!services.includes(hit.service)) services.push(hit.service);
      // The reason is the run's, every service's commit carries it: each alert says whose it is.
      const named = `${alert.name} (${hit.service})`;
      if (!names.includes(named)) names.push(named);
      continue;
    }
    ignored.push(
      tried.length
        ? `${title} alert ${alert.name}: ${tried.map((c) => `"${c.value}" (${c.where})`).join(', ')} ` +
            `${tried.length === 1 ? 'is no service' : 'are no services'} of ${policyFile}: ignored ` +
            `(map a value to a service with alerts.aliases)`
        : `${title} alert ${alert.name} names no service: it has none of the labels or annotations ` +
            `${routing.serviceLabels.join(', ')}: ignored (choose them with alerts.service_labels in ${policyFile})`,
    );
  }
  const reason = names.join(', ');
  return {
    services,
    reason: reason ? clip(reason) : undefined,
    firing: batch.alerts.length - resolved,
    resolved,
    ignored,
  };
}

function clip(s: string): string {
  return s.length <= MAX_REASON ? s : `${s.slice(0, MAX_REASON - 1)}…`;
}
