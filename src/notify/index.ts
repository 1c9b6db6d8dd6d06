import type { NotifierConfig } from '../config/schema.js';
import type { Notifier, RollbackNotice } from './event.js';
import { OPSGENIE_API, opsgenieNotifier } from './opsgenie.js';
import { PAGERDUTY_EVENTS_URL, pagerDutyNotifier } from './pagerduty.js';
import { meets } from './severity.js';
import { slackNotifier } from './slack.js';
import { webhookNotifier } from './webhook.js';

export type { Notifier, RollbackNotice } from './event.js';
export type { NoticeSeverity } from './severity.js';

function notifier(c: NotifierConfig, fetchImpl?: typeof fetch): Notifier {
  switch (c.type) {
    case 'slack':
      return slackNotifier(c.webhook, fetchImpl);
    case 'webhook':
      return webhookNotifier(c.url, c.headers, fetchImpl);
    case 'pagerduty':
      return pagerDutyNotifier(c.routing_key, c.url ?? PAGERDUTY_EVENTS_URL, fetchImpl);
    case 'opsgenie':
      return opsgenieNotifier(c.api_key, c.url ?? OPSGENIE_API[c.region ?? 'us'], fetchImpl);
  }
}

/** One notifier per route of `on_rollback.notify`, each with its `min_severity`. */
export function notifiers(configs: readonly NotifierConfig[], fetchImpl?: typeof fetch): Notifier[] {
  return configs.map((c) => ({ ...notifier(c, fetchImpl), minSeverity: c.min_severity }));
}

/**
 * Sends to every route whose `min_severity` the notice's severity meets, all at once; a failure is
 * a warning, never an error: the rollback stands.
 */
export async function notifyAll(
  list: readonly Notifier[],
  notice: RollbackNotice,
  warn: (message: string) => void,
): Promise<void> {
  const routes = list.filter((n) => meets(notice.severity, n.minSeverity));
  const results = await Promise.allSettled(routes.map((n) => n.send(notice)));
  results.forEach((r, i) => {
    if (r.status === 'rejected')
      warn(`notification to ${routes[i]!.describe()} failed: ${(r.reason as Error).message}`);
  });
}
