/**
 * The HTTP client the metrics providers share: Node's global `fetch` with a per-request timeout, bounded
 * retries (exponential backoff, full jitter) on connection errors, timeouts, 5xx and 429, `Retry-After` and
 * `X-RateLimit-Reset` honoured up to a maximum wait, a cap on the response size, and TLS options.
 *
 * It never throws: every request ends in a response (any status, once retries are spent) or a failure
 * whose cause names the backend and what to do, scrubbed of the client's credentials. URL user info is
 * sent as Basic auth; redirects are followed here (http-redirect.ts), and a new origin is sent no
 * credential. The retry decisions themselves (backoff, `Retry-After`, which statuses and errors to
 * retry) are pure functions in http-retry.ts.
 */
import { readFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { type Scrub, scrubber, splitUserinfo, urlSecrets } from '../redact.js';
import { type FetchLike, type FetchResponseLike, sendFollowing } from './http-redirect.js';
import {
  backoffMs,
  type Classified,
  classifyError,
  DEFAULT_RETRY,
  isRetryableStatus,
  requestedWaitMs,
  type RetryPolicy,
} from './http-retry.js';

export type { FetchInitLike, FetchLike, FetchResponseLike } from './http-redirect.js';

/** Injectable effects, so tests are fast and deterministic. */
export interface HttpDeps {
  /** Defaults to the global `fetch` (or undici's, with its own Agent, when TLS options are set). */
  fetch?: FetchLike;
  /** Waits `ms`; rejects when `signal` aborts. Defaults to a real timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for backoff jitter. Defaults to `Math.random`. */
  random?: () => number;
  /** Milliseconds since the epoch, for `Retry-After` dates. Defaults to `Date.now`. */
  now?: () => number;
}

export interface HttpClientOptions extends HttpDeps {
  /** Names the backend in causes, e.g. `prometheus http://127.0.0.1:9090`. Holds no secret. */
  label: string;
  /** Per-attempt timeout covering connect, headers and body (default 10 s). */
  timeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /** Largest response body read (default 5 MiB); larger answers fail without retry. */
  maxBodyBytes?: number | undefined;
  /** Path of a PEM file with the CA certificate(s) to trust instead of the system roots. */
  ca?: string | undefined;
  /** Accept any server certificate. For tests and labs only. */
  insecureSkipVerify?: boolean | undefined;
  /**
   * The credentials this client sends (header values, tokens, passwords): scrubbed, with their encoded
   * forms, out of every failure cause. User info in a request's URL is added by itself.
   */
  secrets?: readonly string[] | undefined;
}

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
}

export type HttpOutcome =
  | {
      kind: 'response';
      status: number;
      statusText: string;
      headers: { get(name: string): string | null };
      body: string;
      attempts: number;
    }
  | { kind: 'failure'; cause: string; attempts: number };

export interface HttpClient {
  request(req: HttpRequest, signal?: AbortSignal): Promise<HttpOutcome>;
  /** Releases the TLS agent's sockets, if one was made. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

/** A URL fit for a cause: no user info, no query string (either may hold a secret), no trailing slash. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    let path = u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '');
    try {
      path = decodeURI(path);
    } catch {
      // keep it encoded
    }
    return `${u.protocol}//${u.host}${path}`;
  } catch {
    return '(invalid URL)';
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Header sets merged case-insensitively (names lowercased); a later set wins. */
export function mergeHeaders(...sets: Array<Record<string, string> | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of sets) {
    for (const [name, value] of Object.entries(set ?? {})) out[name.toLowerCase()] = value;
  }
  return out;
}

type BodyResult = { ok: true; text: string } | { ok: false; tooLarge: true };

async function readCapped(res: FetchResponseLike, maxBytes: number): Promise<BodyResult> {
  const length = Number(res.headers.get('content-length'));
  if (res.body === null) return { ok: true, text: '' };
  const reader = res.body.getReader();
  if (Number.isFinite(length) && length > maxBytes) {
    await reader.cancel().catch(() => {});
    return { ok: false, tooLarge: true };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value === undefined) continue;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, tooLarge: true };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

interface Transport {
  fetch: FetchLike;
  close(): Promise<void>;
}

async function makeTransport(options: HttpClientOptions): Promise<Transport | string> {
  if (options.fetch) return { fetch: options.fetch, close: async () => {} };
  if (!options.ca && !options.insecureSkipVerify) {
    return { fetch: globalThis.fetch as unknown as FetchLike, close: async () => {} };
  }
  let ca: string | undefined;
  if (options.ca) {
    try {
      ca = await readFile(options.ca, 'utf8');
    } catch (error) {
      return `cannot read the ca file ${options.ca}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  // Node's global fetch takes no TLS options; an undici Agent does. undici's own fetch is used with it
  // because an Agent from one undici copy is not guaranteed to work with Node's bundled copy.
  const loaded = await import('undici').catch(() => undefined);
  // Bundled (esbuild), the CommonJS package's exports sit on `default`; under Node they are named too.
  const undici = loaded && (typeof loaded.Agent === 'function' ? loaded : loaded.default);
  if (undici === undefined || typeof undici.Agent !== 'function') {
    return "ca/insecure_skip_verify need the 'undici' package, which could not be loaded";
  }
  const agent = new undici.Agent({
    connect: { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: !options.insecureSkipVerify },
  });
  const fetchWithAgent: FetchLike = async (url, init) =>
    (await undici.fetch(url, { ...init, dispatcher: agent })) as unknown as FetchResponseLike;
  return { fetch: fetchWithAgent, close: () => agent.close() };
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const attempts = Math.max(1, Math.floor(policy.attempts));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const label = options.label;
  const secrets = options.secrets ?? [];
  const baseScrub = scrubber(secrets);
  let transport: Promise<Transport | string> | undefined;

  const backoff = (attempt: number): number => backoffMs(policy, attempt, random);

  const fail = (cause: string, attempt: number, scrub: Scrub = baseScrub): HttpOutcome => ({
    kind: 'failure',
    cause: scrub(`${label}: ${cause}`),
    attempts: attempt,
  });

  async function request(req: HttpRequest, signal?: AbortSignal): Promise<HttpOutcome> {
    try {
      return await send(req, signal);
    } catch (error) {
      // Not expected: every known failure is handled below. Still, a provider never throws.
      return fail(`request failed: ${error instanceof Error ? error.message : String(error)}`, 0);
    }
  }

  async function send(req: HttpRequest, signal?: AbortSignal): Promise<HttpOutcome> {
    const scrub = scrubber([...secrets, ...urlSecrets(req.url)]);
    transport ??= makeTransport(options).catch(
      (error: unknown) => `cannot set up TLS: ${error instanceof Error ? error.message : String(error)}`,
    );
    const t = await transport;
    if (typeof t === 'string') {
      transport = undefined; // a ca file fixed later is read on the next request
      return fail(t, 0, scrub);
    }
    // fetch refuses a URL with `user:password@` (quoting it whole): they become Basic auth instead,
    // unless the request sets its own Authorization.
    const split = splitUserinfo(req.url);
    const headers = mergeHeaders(
      { accept: 'application/json', 'user-agent': 'pinback' },
      split.authorization === undefined ? {} : { authorization: split.authorization },
      req.headers,
    );
    let url: string;
    try {
      url = new URL(split.url).toString();
    } catch {
      return fail('invalid URL', 0, scrub);
    }
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) return fail('request aborted', attempt - 1, scrub);
      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let wait: number | undefined;
      let lastReason: string;
      try {
        const sent = await sendFollowing(
          t.fetch,
          { url, method: req.method, headers, body: req.body },
          combined,
        );
        if ('problem' in sent) return fail(sent.problem, attempt, scrub);
        const res = sent.res;
        const body = await readCapped(res, maxBodyBytes);
        if (!body.ok) {
          return fail(
            `response body is larger than the ${formatBytes(maxBodyBytes)} cap (narrow the query)`,
            attempt,
            scrub,
          );
        }
        const outcome: HttpOutcome = {
          kind: 'response',
          status: res.status,
          // The standard phrase: a server's own status message may echo what it was sent.
          statusText: STATUS_CODES[res.status] ?? '',
          headers: res.headers,
          body: body.text,
          attempts: attempt,
        };
        if (!isRetryableStatus(res.status) || attempt >= attempts) return outcome;
        const asked =
          res.status === 429 || res.status === 503 ? requestedWaitMs(res.headers, now()) : undefined;
        if (asked !== undefined && asked > policy.maxRetryWaitMs) {
          return fail(
            `HTTP ${res.status}${res.status === 429 ? ' rate limited' : ''}: the server asks to wait ` +
              `${Math.ceil(asked / 1000)} s, longer than the ${Math.ceil(policy.maxRetryWaitMs / 1000)} s allowed`,
            attempt,
            scrub,
          );
        }
        wait = asked ?? backoff(attempt);
        lastReason = `HTTP ${res.status}`;
      } catch (error) {
        if (signal?.aborted) return fail('request aborted', attempt, scrub);
        const c: Classified = timeout.aborted
          ? { reason: `timed out after ${timeoutMs} ms`, retryable: true }
          : classifyError(error);
        lastReason = c.reason;
        if (!c.retryable) return fail(c.reason, attempt, scrub);
        if (attempt >= attempts)
          return fail(`${c.reason} after ${plural(attempt, 'attempt')}`, attempt, scrub);
        wait = backoff(attempt);
      }
      try {
        await sleep(wait, signal);
      } catch {
        return fail(`request aborted while waiting to retry (${lastReason})`, attempt, scrub);
      }
    }
  }

  return {
    request,
    async close() {
      if (transport === undefined) return;
      const t = await transport;
      if (typeof t !== 'string') await t.close();
    },
  };
}

/** What a provider factory takes besides its config: effects and limits, mostly for tests. */
export interface ProviderHttpOptions extends HttpDeps {
  retry?: Partial<RetryPolicy> | undefined;
  maxBodyBytes?: number | undefined;
}

/** The TLS and timeout settings every HTTP provider's policy entry may carry. */
export interface ProviderTransport {
  timeout_ms?: number | undefined;
  ca?: string | undefined;
  insecure_skip_verify?: boolean | undefined;
}

/** One provider's HTTP client, built from its policy entry. */
export function providerClient(
  config: ProviderTransport,
  label: string,
  options: ProviderHttpOptions,
  secrets: readonly string[] = [],
): HttpClient {
  return createHttpClient({
    ...options,
    label,
    secrets,
    timeoutMs: config.timeout_ms,
    ca: config.ca,
    insecureSkipVerify: config.insecure_skip_verify,
  });
}

/** The body as JSON, or undefined when it is not JSON (the caller says what that means). */
export function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
