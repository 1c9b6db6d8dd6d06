import { headline, type Notifier, type RollbackNotice } from './event.js';
import { postJson, redactUrl } from './post.js';

/** A generic JSON webhook: the notice as data, plus the headline for chat-like receivers. */
export function webhookNotifier(
  url: string,
  headers: Record<string, string> = {},
  fetchImpl?: typeof fetch,
): Notifier {
  return {
    send: (n: RollbackNotice) =>
      postJson(url, { event: `pinback.${n.kind}`, text: headline(n), ...n }, headers, fetchImpl),
    describe: () => `webhook ${redactUrl(url)}`,
  };
}
