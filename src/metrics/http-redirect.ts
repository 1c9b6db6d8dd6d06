/**
 * Redirects, followed by the metrics HTTP client itself rather than by fetch: fetch drops `Authorization`
 * on a redirect to another origin, yet resends every other header (`X-Api-Key`, `DD-API-KEY`, any header
 * the policy configures).
 */

/** The parts of a fetch `Response` this client reads (global `fetch` and undici's both fit). */
export interface FetchResponseLike {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  body: {
    getReader(): {
      read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
      cancel(reason?: unknown): Promise<void>;
    };
  } | null;
}

export interface FetchInitLike {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
  /** Redirects are followed by the client itself, so credentials never reach another origin. */
  redirect: 'manual';
}

export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** The only headers sent on after a redirect to another origin: none of them carries a credential. */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'user-agent', 'content-type']);

interface Hop {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function pick(headers: Record<string, string>, keep: (name: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => keep(name)));
}

async function discard(res: FetchResponseLike): Promise<void> {
  await res.body
    ?.getReader()
    .cancel()
    .catch(() => {});
}

/**
 * Sends `first` and follows up to MAX_REDIRECTS redirects itself, as fetch would (303, and 301/302 after
 * a POST, turn into a GET without body), except that a redirect to another origin drops every header but
 * CROSS_ORIGIN_HEADERS: fetch drops `Authorization` there, yet would resend `X-Api-Key`, `DD-API-KEY` or
 * any configured header. A redirect never adds credentials from its location's user info.
 */
export async function sendFollowing(
  fetch: FetchLike,
  first: Hop,
  signal: AbortSignal,
): Promise<{ res: FetchResponseLike } | { problem: string }> {
  let hop = first;
  const origin = new URL(first.url).origin;
  let crossed = false;
  for (let n = 0; ; n++) {
    const res = await fetch(hop.url, {
      method: hop.method,
      headers: hop.headers,
      body: hop.body,
      signal,
      redirect: 'manual',
    });
    const location = res.headers.get('location');
    if (!REDIRECTS.has(res.status) || location === null) return { res };
    await discard(res);
    if (n >= MAX_REDIRECTS) return { problem: `more than ${MAX_REDIRECTS} redirects (HTTP ${res.status})` };
    let next: URL;
    try {
      next = new URL(location, hop.url);
    } catch {
      return { problem: `HTTP ${res.status} redirects to an invalid location` };
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      return { problem: `HTTP ${res.status} redirects to a ${next.protocol} URL, not http(s)` };
    }
    next.username = '';
    next.password = '';
    const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && hop.method === 'POST');
    crossed ||= next.origin !== origin;
    hop = {
      url: next.toString(),
      method: toGet ? 'GET' : hop.method,
      body: toGet ? undefined : hop.body,
      headers: pick(
        hop.headers,
        (name) => !(toGet && name === 'content-type') && (!crossed || CROSS_ORIGIN_HEADERS.has(name)),
      ),
    };
  }
}
