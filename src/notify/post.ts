import { classifyError } from '../metrics/http-retry.js';
import { checkWebhookUrl, type Scrub, scrubber, splitUserinfo } from '../redact.js';

/**
 * POSTs JSON once, retrying once on a 5xx or a network error. Rejects with a message that says the
 * status or the network trouble and nothing else: no URL (a webhook's path is its secret), no answer
 * body (a receiver's error page may echo the path or a header). Redirects are not followed, so the
 * headers never reach another origin; `user:password@` in the URL is sent as Basic auth.
 */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 10_000,
  scrub: Scrub = scrubber([url, ...Object.values(headers)]),
): Promise<void> {
  const problem = checkWebhookUrl(url);
  if (problem !== undefined) throw new Error(`the URL ${problem}`);
  const split = splitUserinfo(url);
  const hasAuth = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
  let last = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const res = await fetchImpl(split.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(split.authorization !== undefined && !hasAuth ? { authorization: split.authorization } : {}),
          ...headers,
        },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel().catch(() => {});
      if (res.ok) return;
      last =
        res.status >= 300 && res.status < 400
          ? `HTTP ${res.status} (a redirect, not followed: give the URL it points to)`
          : `HTTP ${res.status}`;
      if (res.status < 500) break;
    } catch (e) {
      last =
        e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
          ? `timed out after ${timeoutMs} ms`
          : classifyError(e).reason;
    }
  }
  throw new Error(scrub(last));
}

/** `https://hooks.slack.com/…` without its secret path (and without user info). */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}
