/**
 * The retry decisions of the metrics HTTP client (http-client.ts), as pure functions: which statuses and
 * errors are worth another try, how long to back off, and how long a server asks to wait
 * (`Retry-After`, `X-RateLimit-Reset`).
 */

export interface RetryPolicy {
  /** Attempts in all, the first included (default 3). */
  attempts: number;
  /** Backoff before retry n is random() * min(maxDelayMs, baseDelayMs * 2^(n-1)) (defaults 250 ms, 5 s). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest wait a `Retry-After` or `X-RateLimit-Reset` may ask for; longer gives up (default 30 s). */
  maxRetryWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 5000,
  maxRetryWaitMs: 30_000,
};

/** The wait before retry `attempt` + 1: full jitter, a random share of an exponentially growing cap. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  return random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

/** Statuses worth another try: the server is overloaded, restarting or rate limiting. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * How long a 429 (or 503) asks to wait, in ms, from `Retry-After` (seconds or an HTTP date) or
 * `X-RateLimit-Reset` (Datadog: seconds until the window resets; a value past 1e9 is read as epoch seconds).
 */
export function requestedWaitMs(
  headers: { get(name: string): string | null },
  now: number,
): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) {
    const n = Number(reset);
    return n > 1e9 ? Math.max(0, n * 1000 - now) : n * 1000;
  }
  return undefined;
}

/** A failed request: what to tell the user, and whether another attempt may succeed. */
export interface Classified {
  reason: string;
  retryable: boolean;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** The first `code` (and message) found along an error's `cause` chain. */
function rootCode(error: unknown): { code: string | undefined; message: string } {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let i = 0; i < 6 && current instanceof Error; i++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return { code, message: current.message };
    if (current.message) message = current.message;
    current = current.cause;
  }
  return { code: undefined, message };
}

/** A fetch error (Node's or undici's, the code anywhere along its `cause` chain) as a reason to show. */
export function classifyError(error: unknown): Classified {
  const { code, message } = rootCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return { reason: 'connection refused', retryable: true };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return { reason: 'connection reset', retryable: true };
    case 'ENOTFOUND':
      return { reason: 'host not found (check the URL)', retryable: false };
    case 'EAI_AGAIN':
      return { reason: 'DNS lookup failed temporarily', retryable: true };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { reason: 'connect timed out', retryable: true };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { reason: 'host unreachable', retryable: true };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { reason: 'timed out', retryable: true };
  }
  if (
    code !== undefined &&
    (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))
  ) {
    return {
      reason: `TLS certificate not accepted (${code}: ${message}); set ca: to the PEM file of the CA that signed it`,
      retryable: false,
    };
  }
  if (code === 'ERR_INVALID_URL' || /invalid url/i.test(message)) {
    return { reason: `invalid URL: ${message}`, retryable: false };
  }
  return { reason: code ? `${code}: ${message}` : message || 'request failed', retryable: true };
}
