import { AlertPayloadError, parseAlerts } from '../alerts/parse.js';
import { DEFAULT_ALERT_ROUTING, routeAlerts } from '../alerts/route.js';
import type { AlertBatch } from '../alerts/types.js';
import type { Policy } from '../config/policy.js';
import type { EventPlan } from './event.js';

type AlertsPlan = Extract<EventPlan, { kind: 'alerts' }>;
type ReconcilePlan = Extract<EventPlan, { kind: 'reconcile' }>;

/** What an alert tool's dispatch asks of the run, before the policy is read. */
export type AlertsRead =
  | { kind: 'fail'; message: string }
  | { kind: 'ignore'; message: string }
  | { kind: 'alerts'; batch: AlertBatch };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The dispatch's alerts, validated: a payload that is not its tool's fails the run (with the place
 * of the problem), and one whose alerts are all resolved asks for nothing, so the policy is not
 * even read.
 */
export function readAlerts(plan: AlertsPlan): AlertsRead {
  let batch: AlertBatch;
  try {
    batch = parseAlerts(plan.source, plan.clientPayload);
  } catch (e) {
    if (e instanceof AlertPayloadError) return { kind: 'fail', message: e.message };
    throw e;
  }
  if (!batch.alerts.some((a) => a.firing)) {
    const n = batch.alerts.length;
    return {
      kind: 'ignore',
      message: `${plan.trigger}: ${n ? `${plural(n, 'alert')}, all resolved` : 'no alert'}: nothing to evaluate`,
    };
  }
  return { kind: 'alerts', batch };
}

export interface AlertsRouted {
  /** The run's plan: the services the firing alerts name, in the input's shard; undefined when none. */
  plan: ReconcilePlan | undefined;
  /** One line per firing alert that names no service of the policy (a notice annotation each). */
  ignored: string[];
  /** What the run does, for the log (and the job summary when there is nothing to evaluate). */
  line: string;
}

/**
 * The services the alerts name, by the policy's `alerts:` key (src/alerts/route.ts). `policyFile`
 * is the policy as the workflow names it (the `config` input), for the messages.
 */
export function routedPlan(
  plan: AlertsPlan,
  batch: AlertBatch,
  policy: Policy,
  policyFile: string,
): AlertsRouted {
  const known = new Set(policy.services.map((s) => s.name));
  const routed = routeAlerts(batch, policy.alerts ?? DEFAULT_ALERT_ROUTING, known, policyFile);
  const counts = [
    plural(routed.firing, 'firing alert'),
    ...(routed.resolved ? [`${routed.resolved} resolved (skipped)`] : []),
    ...(routed.ignored.length ? [`${routed.ignored.length} naming no service of ${policyFile}`] : []),
  ].join(', ');
  if (!routed.services.length) {
    return {
      plan: undefined,
      ignored: routed.ignored,
      line: `nothing to do: ${plan.trigger}: ${counts}`,
    };
  }
  return {
    plan: {
      kind: 'reconcile',
      trigger: plan.trigger,
      // As for a native dispatch: the alerts name their services, whatever the `services` input,
      // and only the shard that holds a service judges it.
      selection: { terms: routed.services, shard: plan.shard },
      signal: { reason: routed.reason },
    },
    ignored: routed.ignored,
    line: `${plan.trigger}: ${counts}: evaluating ${routed.services.join(', ')}`,
  };
}
