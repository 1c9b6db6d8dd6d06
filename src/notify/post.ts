/** POSTs JSON once, retrying once on a 5xx or a network error; rejects with a message without the URL. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 10_000,
): Promise<void> {
  let last = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const res = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.ok) return;
      last = `HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
      if (res.status < 500) break;
    } catch (e) {
      last = (e as Error).message;
    }
  }
  throw new Error(last);
}

/** `https://hooks.slack.com/…` without its secret path. */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}
