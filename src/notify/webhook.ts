import { headerSecrets, scrubber, urlSecrets } from '../redact.js';
import { headline, type Notifier, type RollbackNotice } from './event.js';
import { postJson, redactUrl } from './post.js';

/** The credentials of a webhook: its URL, path, user info and secret query values, and its header values. */
export function webhookSecrets(url: string, headers: Record<string, string> = {}): string[] {
  let path: string[] = [];
  try {
    const u = new URL(url);
    const last = u.pathname.split('/').pop() ?? '';
    path = [u.pathname.length > 1 ? u.pathname : '', last.length >= 8 ? last : ''];
  } catch {
    // nothing more to take apart
  }
  return [url, ...path, ...urlSecrets(url), ...headerSecrets(headers)].filter((s) => s !== '');
}

/** A generic JSON webhook: the notice as data, plus the headline for chat-like receivers. */
export function webhookNotifier(
  url: string,
  headers: Record<string, string> = {},
  fetchImpl?: typeof fetch,
): Notifier {
  const scrub = scrubber(webhookSecrets(url, headers));
  return {
    send: (n: RollbackNotice) =>
      postJson(
        url,
        { event: `pinback.${n.kind}`, text: headline(n), ...n },
        headers,
        fetchImpl,
        undefined,
        scrub,
      ),
    describe: () => `webhook ${redactUrl(url)}`,
  };
}
