/** Small translations shared by the Argo Rollouts and Flagger importers (pure). */
import { parseDuration } from '../config/duration.js';

/**
 * Text copied from a manifest into the policy: the policy loader reads `${NAME}` as an environment
 * variable and `$$` as `$`, so every `$` of the source is written `$$` (PromQL's `$1` stays `$1`).
 */
export const literal = (text: string): string => text.split('$').join('$$');

/** The `${NAME}` the policy reads a secret from. */
export const envRef = (name: string): string => `\${${name}}`;

/** `api-token` and `basicAuthSecret` as environment variable names: `API_TOKEN`, `BASIC_AUTH_SECRET`. */
export function envName(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return /^[A-Z_]/.test(snake) ? snake : `ARG_${snake}`;
}

/** A name the policy accepts for a trigger or a provider: `404s percentage` becomes `404s-percentage`. */
export function policyName(raw: string, fallback: string): string {
  const name = raw
    .trim()
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
  return name || fallback;
}

/** A duration of Argo Rollouts or Flagger (Go's `5m`, `1m30s`, `500ms`) in milliseconds; undefined when not one. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = parseDuration(value);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/** Milliseconds as the policy writes a duration: `1h30m`, `5m`, `30s`, `250ms`. */
export function showDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('') || '0s';
}

/** The `{{ name }}` placeholders of Argo Rollouts and Flagger (Go templates, spaces allowed). */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Why a placeholder cannot be filled: the whole field is then left out, with this reason. */
export class Unfilled extends Error {}

/**
 * Copies `text` into the policy with each `{{ name }}` replaced by `fill(name)` (written as is:
 * the filler escapes what it inserts); the rest is escaped with `escape` (default `literal`).
 * `fill` throws `Unfilled` to refuse.
 */
export function fillPlaceholders(
  text: string,
  fill: (name: string) => string,
  escape: (text: string) => string = literal,
): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    out += escape(text.slice(last, m.index));
    out += fill(m[1]!);
    last = m.index + m[0].length;
  }
  return out + escape(text.slice(last));
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pinback placeholders a `--arg NAME={{...}}` may stand for. */
export const PINBACK_PLACEHOLDER = /^\{\{\s*(version|stable_version|service|stage)\s*\}\}$/;

/** Names pinback's `{{args.NAME}}` can carry (template.ts): a letter or `_`, then letters, digits, `_` and `-`. */
export const ARGS_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
