import type { NotifierConfig } from '../config/schema.js';
import type { Notifier, RollbackNotice } from './event.js';
import { slackNotifier } from './slack.js';
import { webhookNotifier } from './webhook.js';

export type { Notifier, RollbackNotice } from './event.js';

export function notifiers(configs: readonly NotifierConfig[], fetchImpl?: typeof fetch): Notifier[] {
  return configs.map((c) =>
    c.type === 'slack' ? slackNotifier(c.webhook, fetchImpl) : webhookNotifier(c.url, c.headers, fetchImpl),
  );
}

/** Sends to every notifier at once; a failure is a warning, never an error: the rollback stands. */
export async function notifyAll(
  list: readonly Notifier[],
  notice: RollbackNotice,
  warn: (message: string) => void,
): Promise<void> {
  const results = await Promise.allSettled(list.map((n) => n.send(notice)));
  results.forEach((r, i) => {
    if (r.status === 'rejected')
      warn(`notification to ${list[i]!.describe()} failed: ${(r.reason as Error).message}`);
  });
}
