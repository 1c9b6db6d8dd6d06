/**
 * Redaction: what keeps a credential out of every text pinback writes somewhere it stays (a commit in the
 * GitOps repository's history, an incident, `--json`, the job summary, the Action's outputs, logs).
 *
 *   scrubber(secrets)  replaces each configured credential and the forms a server may echo it in
 *                      (URL-encoded, form-encoded, JSON-escaped, base64), then applies redactSecrets.
 *   redactSecrets      what needs no configuration: URL passwords, `api_key=`-style pairs, `Bearer`/`Basic`
 *                      credentials, secret header lines, GitHub/Slack tokens and JWTs, webhook paths.
 *   causes             a backend's own words follow SERVER_SAID: `commitCause` cuts them off (a commit says
 *                      the provider and the status, no more), `cleanCause` bounds any cause.
 *
 * Pure (no I/O): the history (commit bodies) uses it too.
 */
import { oneLine } from './text.js';

export const REDACTED = '***';

/** A text replaced everywhere it appears: shorter values would garble ordinary words for no safety. */
const MIN_SECRET = 3;

/** Precedes a backend's own words in a cause (an error body, a status message, warnings). */
export const SERVER_SAID = '; the server said: ';

/** Longest cause kept anywhere, and in a commit body. */
export const MAX_CAUSE = 500;
export const MAX_COMMIT_CAUSE = 200;

export type Scrub = (text: string) => string;

function base64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `text` on one line, at most `max` characters (an ellipsis marks a cut). */
export function cap(text: string, max: number): string {
  const line = oneLine(text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * A secret and the forms a server may echo it in: URL-encoded, form-encoded, JSON-escaped and base64
 * (padded and not). Each is a separate text to mask or scrub.
 */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET) return [];
  const b64 = base64(secret);
  const forms = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    b64,
    b64.replace(/=+$/, ''),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ];
  return [...new Set(forms)].filter((f) => f.length >= MIN_SECRET);
}

/** The credentials of Basic auth: the password, and `user:password` (whose base64 is the header's value). */
export function basicSecrets(username: string, password: string): string[] {
  return password === '' ? [`${username}:`] : [password, `${username}:${password}`];
}

/** Query parameters whose value is a credential (`api_key`, `token`, `sig`, `password`, ...). */
const SECRET_PARAM = /key|token|secret|pass|pwd|auth|sig|credential|session|^code$/i;

/** The credentials a URL carries: its user info (a bare user is a token too) and secret-named query values. */
export function urlSecrets(url: string | undefined): string[] {
  if (url === undefined) return [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const out: string[] = [];
  const user = safeDecode(u.username);
  if (u.password !== '') out.push(...basicSecrets(user, safeDecode(u.password)), u.password);
  else if (user !== '') out.push(user, `${user}:`);
  for (const [name, value] of u.searchParams) {
    if (SECRET_PARAM.test(name) && value !== '' && !value.includes('{{')) out.push(value);
  }
  return out;
}

/** Headers that carry no credential. Every other configured header value is treated as one. */
const PLAIN_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'content-type', 'user-agent']);

/** The credentials in configured headers: each value, the token after an auth scheme, a Basic's parts. */
export function headerSecrets(headers: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (PLAIN_HEADERS.has(name.toLowerCase())) continue;
    out.push(value);
    const m = /^\s*([A-Za-z][\w-]*)\s+(\S.*?)\s*$/.exec(value);
    if (!m) continue;
    out.push(m[2]!);
    if (m[1]!.toLowerCase() === 'basic') {
      const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) out.push(...basicSecrets(decoded.slice(0, colon), decoded.slice(colon + 1)));
    }
  }
  return out;
}

/** Every form of every secret, longest first, without duplicates: masks, or the scrubber's texts. */
export function expandSecrets(secrets: Iterable<string | undefined>): string[] {
  const all = new Set<string>();
  for (const s of secrets) if (s !== undefined) for (const f of secretForms(s)) all.add(f);
  return [...all].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every given secret, in every form it may be echoed in (case-insensitively: percent-encoding
 * and servers vary the case), then what redactSecrets finds.
 */
export function scrubber(secrets: Iterable<string | undefined>): Scrub {
  const forms = expandSecrets(secrets);
  const pattern = forms.length > 0 ? new RegExp(forms.map(escapeRegExp).join('|'), 'gi') : undefined;
  return (text) => redactSecrets(pattern ? text.replace(pattern, REDACTED) : text);
}

/** Scrubbers applied in turn (a provider's, then the run's). */
export function chain(...scrubs: Scrub[]): Scrub {
  return (text) => scrubs.reduce((t, s) => s(t), text);
}

// `scheme://user:password@`: the password goes, the user stays.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s/?#@:"'<>]*:)[^\s/?#@"'<>]+@/gi;
// Incoming webhooks whose path is the secret.
const WEBHOOK_PATH =
  /\b(https?:\/\/(?:hooks\.slack\.com|(?:[\w-]+\.)?discord(?:app)?\.com|[\w-]+\.webhook\.office\.com|hooks\.zapier\.com))\/[^\s"'<>)]*/gi;
// `Bearer abc.def`, `Basic dXNlcjpwYXNz`, `token ghp_...`: kept when what follows is a plain word.
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Bot)(\s+)([A-Za-z0-9._~+/=-]{6,})/gi;
const NAMES =
  '(?:[A-Za-z0-9]+[_-])*(?:api[_-]?key|apikey|app[_-]?key|application[_-]?key|access[_-]?key|secret[_-]?key|' +
  'private[_-]?key|key|token|secret|password|passwd|pwd|signature|sig|auth|credentials?|session[_-]?id)';
const VALUE = `(?:(?:Bearer|Basic|Token)\\s+)?[^\\s"'&,;<>()[\\]{}]+`;
// `api_key=...`, `token=...` (query strings, forms, logs).
const ASSIGNMENT = new RegExp(`((?:^|[^A-Za-z0-9_-])${NAMES}=)(${VALUE})`, 'gi');
// `"token": "..."`, `'password': '...'` (JSON and the like).
const QUOTED = new RegExp(`((["'])${NAMES}\\2\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^\\s,}\\]]+)`, 'gi');
// `Authorization: ...`, `X-Api-Key: ...`, `DD-API-KEY: ...` (header lines echoed back).
const HEADER_LINE =
  /\b((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|x-access-token|dd-api-key|dd-application-key|cookie|set-cookie)(\s*:\s*)((?:(?:Bearer|Basic|Token)\s+)?[^\s"',;]+)/gi;
// Tokens recognisable by their shape.
const TOKENS =
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})/g;

/** A plain word (`Basic authentication`, `Bearer Realm`), not a credential. */
const WORD = /^[A-Za-z][a-z]*$/;

/** The credentials a text shows by their shape, replaced; no configuration needed. */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(WEBHOOK_PATH, '$1/…')
    .replace(TOKENS, REDACTED)
    .replace(AUTH_SCHEME, (all, scheme: string, space: string, value: string) =>
      WORD.test(value) ? all : `${scheme}${space}${REDACTED}`,
    )
    .replace(HEADER_LINE, (all, name: string, sep: string, value: string) =>
      value === REDACTED || value.endsWith(` ${REDACTED}`) ? all : `${name}${sep}${REDACTED}`,
    )
    .replace(ASSIGNMENT, (all, name: string, value: string) =>
      value === REDACTED ? all : `${name}${REDACTED}`,
    )
    .replace(QUOTED, (all, name: string, _q: string, value: string) =>
      /^["']?\*\*\*["']?$/.test(value) ? all : `${name}"${REDACTED}"`,
    );
}

/** A backend's own words, scrubbed then capped, after SERVER_SAID (empty when there are none). */
export function serverSaid(text: string, scrub: Scrub, max = 200): string {
  const said = cap(scrub(text), max);
  return said === '' ? '' : `${SERVER_SAID}${said}`;
}

/** Any cause, fit to be shown or stored: one line, what redactSecrets finds replaced, at most `max` long. */
export function cleanCause(cause: string, max = MAX_CAUSE): string {
  return cap(redactSecrets(oneLine(cause)), max);
}

/**
 * A cause as a commit body says it: the provider and what went wrong (`HTTP 401 Unauthorized`, `connection
 * refused`), never the backend's own words: a commit stays in the repository's history for good.
 */
export function commitCause(cause: string): string {
  const at = cause.indexOf(SERVER_SAID);
  return cleanCause(at < 0 ? cause : cause.slice(0, at), MAX_COMMIT_CAUSE);
}

/**
 * `user:password@` out of a URL, and the `Authorization: Basic` header it stands for: fetch refuses
 * URLs with credentials (and its error quotes the URL whole).
 */
export function splitUserinfo(url: string): { url: string; authorization?: string | undefined } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url };
  }
  if (u.username === '' && u.password === '') return { url };
  const credentials = `${safeDecode(u.username)}:${safeDecode(u.password)}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${base64(credentials)}` };
}

/**
 * Why a Slack or webhook URL cannot be posted to, without quoting it (its path is the secret), or
 * undefined when it is fine. For the policy's load-time check and for the notifier before it sends.
 */
export function checkWebhookUrl(url: string): string | undefined {
  if (url.trim() === '') return 'is empty (is the variable it comes from set?)';
  if (/\s/.test(url)) return 'contains whitespace (a newline or space copied along with it?)';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
      ? 'is not a valid URL'
      : 'is not a valid URL (expected https://...)';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    return `must be an http(s) URL, not ${u.protocol.length <= 12 ? u.protocol : 'another scheme'}`;
  }
  if (u.hostname === '') return 'has no host';
  return undefined;
}
