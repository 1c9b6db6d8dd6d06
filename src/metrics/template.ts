/**
 * Query templating for metrics providers (pure: no I/O).
 *
 * Placeholders are `{{name}}` (spaces inside the braces are allowed: `{{ version }}`):
 *
 * - `{{version}}`        the version being judged (validated, see below)
 * - `{{stable_version}}` the stable version (validated; an error if the template uses it and there is none)
 * - `{{service}}`        the service name
 * - `{{stage}}`          the service's stage (an error if the template uses it and there is none)
 * - `{{window}}`         the window length in the provider's duration syntax (Prometheus `10m`, Datadog `600`)
 * - `{{step}}`           the step of the answer's samples, in the same syntax (Prometheus `1m`, Datadog `60`):
 *                        the trigger's `step`, else the provider's default. Counts are read per step, never
 *                        over overlapping windows: `sum(increase(http_requests_total{...}[{{step}}]))`
 * - `{{args.NAME}}`      the trigger's `args: {NAME: value}`; namespaced so an arg can never shadow a built-in
 *
 * A provider may add its own names (`extra`), e.g. the generic HTTP provider's `{{query}}`.
 *
 * Pin values (`version`, `stable_version`) come from the GitOps repository, which a deploy pipeline writes;
 * they are checked against the characters an image tag or digest may hold before they are inserted, so a
 * pin value can never inject into PromQL, a Datadog query, a URL or a JSON body. The other values come
 * from the policy file, which its author controls; they are inserted as written (escaped for URLs and
 * JSON when the template is one).
 */

import { isValidVersion as isPinVersion } from '../pins/version.js';
import type { MetricQuery, MetricResult } from './provider.js';

/** A template that cannot be rendered: an unknown or malformed placeholder, a missing value, or an invalid pin value. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

export interface TemplateVars {
  version: string;
  service: string;
  stage?: string | undefined;
  /** Window length in milliseconds; rendered with the provider's `windowSyntax`. */
  window: number;
  /** The step of the answer's samples in milliseconds; rendered with the provider's `windowSyntax`. */
  step: number;
  stable_version?: string | undefined;
  /** The trigger's `args`, referenced as `{{args.NAME}}`. */
  args?: Readonly<Record<string, string>> | undefined;
  /** Provider-specific placeholders, referenced by their bare name (`{{query}}`); trusted values. */
  extra?: Readonly<Record<string, string>> | undefined;
}

/**
 * How a value is escaped as it is inserted:
 * - `none`: as is (PromQL, Datadog queries);
 * - `url`: `encodeURIComponent` (a URL template; `{{version}}` of `1.0+b` becomes `1.0%2Bb`);
 * - `json`: the inside of a JSON string (`"` becomes `\"`), for templates that put placeholders between quotes.
 */
export type Encoding = 'none' | 'url' | 'json';

export interface RenderOptions {
  encoding?: Encoding;
}

/**
 * How a provider writes a duration: `ms` in its syntax. `what` names the value in an error (a
 * window, a step), so a bad step is not reported as a bad window.
 */
export type DurationSyntax = (ms: number, what?: string) => string;

/**
 * The template values of a metrics query. `stepMs` is the step the provider reads with (the
 * trigger's, else its own default), so `{{step}}` always matches the spacing of the samples.
 */
export function varsOf(q: MetricQuery, stepMs: number, extra?: Record<string, string>): TemplateVars {
  return {
    version: q.version,
    service: q.service,
    stage: q.stage,
    window: q.windowMs,
    step: stepMs,
    stable_version: q.stableVersion,
    args: q.args,
    extra,
  };
}

/**
 * One definition of a version for the whole tool (the pins' own): a value reconcile accepted from a
 * pin is never refused here, and none of its characters (no quote, brace, space or `$`) can change
 * the meaning of PromQL, a Datadog query, a URL (values are encoded there) or a JSON body.
 */
export function isValidVersion(value: string): boolean {
  return isPinVersion(value);
}

/** Returns `value` when it is a valid version (see `isValidVersion`), else throws a `TemplateError` saying why. */
export function validateVersion(value: string, what = 'pin value'): string {
  if (isValidVersion(value)) return value;
  const shown = value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}...` : JSON.stringify(value);
  throw new TemplateError(
    `${what} ${shown} is not a valid version: it may only hold letters, digits and . _ - + @ : / = ` +
      '(starting with a letter, digit or _); refusing to put it into a query',
  );
}

/** The placeholders every template may use (besides `{{args.NAME}}` and a provider's own). */
export const BUILT_IN_PLACEHOLDERS = [
  'version',
  'stable_version',
  'service',
  'stage',
  'window',
  'step',
] as const;
const BUILT_INS = BUILT_IN_PLACEHOLDERS;

/** The generic HTTP provider's own placeholders in its `url` and `body` (http.ts fills them). */
export const HTTP_PLACEHOLDERS = [
  'query',
  'trigger',
  'start',
  'end',
  'window_seconds',
  'step_seconds',
] as const;

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)?$/;

function encode(value: string, encoding: Encoding): string {
  switch (encoding) {
    case 'none':
      return value;
    case 'url':
      return encodeURIComponent(value);
    case 'json':
      return JSON.stringify(value).slice(1, -1);
  }
}

function lookup(name: string, vars: TemplateVars, windowSyntax: DurationSyntax): string {
  switch (name) {
    case 'version':
      return validateVersion(vars.version);
    case 'stable_version':
      if (vars.stable_version === undefined) {
        throw new TemplateError('{{stable_version}} is used but this service has no stable version');
      }
      return validateVersion(vars.stable_version, 'stable pin value');
    case 'service':
      return vars.service;
    case 'stage':
      if (vars.stage === undefined)
        throw new TemplateError('{{stage}} is used but the service sets no stage');
      return vars.stage;
    case 'window':
      return windowSyntax(vars.window, 'window');
    case 'step':
      return windowSyntax(vars.step, 'step');
  }
  if (name.startsWith('args.')) {
    const key = name.slice('args.'.length);
    const value = vars.args !== undefined && Object.hasOwn(vars.args, key) ? vars.args[key] : undefined;
    if (value === undefined) {
      const known = Object.keys(vars.args ?? {});
      throw new TemplateError(
        `unknown placeholder {{${name}}}: the trigger's args has no "${key}"` +
          (known.length > 0 ? ` (it has ${known.map((k) => `"${k}"`).join(', ')})` : ' (it has none)'),
      );
    }
    return value;
  }
  const extra = vars.extra !== undefined && Object.hasOwn(vars.extra, name) ? vars.extra[name] : undefined;
  if (extra !== undefined) return extra;
  const known = [...BUILT_INS, ...Object.keys(vars.extra ?? {}), 'args.NAME'].map((k) => `{{${k}}}`);
  throw new TemplateError(`unknown placeholder {{${name}}}: known are ${known.join(', ')}`);
}

/**
 * The placeholders a template names (trimmed, in order, `args.NAME` as written) and what cannot be
 * rendered whatever the values: a malformed placeholder or an unclosed `{{`. The same grammar as
 * `renderQuery`, so a policy file can be checked before any query is sent.
 */
export function scanPlaceholders(template: string): { names: string[]; problems: string[] } {
  const names: string[] = [];
  const problems: string[] = [];
  for (const [, inner] of template.matchAll(PLACEHOLDER)) {
    const name = inner!.trim();
    if (NAME.test(name)) names.push(name);
    else problems.push(`malformed placeholder {{${inner!}}}`);
  }
  const rest = template.replace(PLACEHOLDER, '');
  const open = rest.indexOf('{{');
  if (open !== -1) problems.push(`unclosed placeholder near ${JSON.stringify(rest.slice(open, open + 30))}`);
  return { names, problems };
}

/**
 * Fills the `{{...}}` placeholders of `template`. Throws a `TemplateError` for an unknown or malformed
 * placeholder, a placeholder without a value, or a version that is not a valid tag or digest.
 */
export function renderQuery(
  template: string,
  vars: TemplateVars,
  windowSyntax: DurationSyntax,
  options: RenderOptions = {},
): string {
  const encoding = options.encoding ?? 'none';
  const out = template.replace(PLACEHOLDER, (_match, inner: string) => {
    const name = inner.trim();
    if (!NAME.test(name)) throw new TemplateError(`malformed placeholder {{${inner}}}`);
    return encode(lookup(name, vars, windowSyntax), encoding);
  });
  // Whatever `{{` is left was not closed: a typo the author wants to hear about.
  const open = template.replace(PLACEHOLDER, '').indexOf('{{');
  if (open !== -1) {
    const rest = template.replace(PLACEHOLDER, '');
    throw new TemplateError(`unclosed placeholder near ${JSON.stringify(rest.slice(open, open + 30))}`);
  }
  return out;
}

/** `renderQuery` for a URL template: every inserted value is percent-encoded. */
export function renderUrl(template: string, vars: TemplateVars, windowSyntax: DurationSyntax): string {
  return renderQuery(template, vars, windowSyntax, { encoding: 'url' });
}

/** `renderQuery` for a JSON body template whose placeholders sit inside JSON strings: values are JSON-escaped. */
export function renderJson(template: string, vars: TemplateVars, windowSyntax: DurationSyntax): string {
  return renderQuery(template, vars, windowSyntax, { encoding: 'json' });
}

/**
 * A duration in Prometheus syntax, in the largest unit that divides it: 600000 -> `10m`, 90000 -> `90s`,
 * 3600000 -> `1h`, 5400000 -> `90m`, 1500 -> `1500ms`. Single units parse in every Prometheus version.
 */
export function prometheusDuration(ms: number, what = 'window'): string {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new TemplateError(`${what} must be a positive duration, got ${ms} ms`);
  const whole = Math.round(ms);
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) {
    if (whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}ms`;
}

/**
 * A duration in whole seconds (Datadog's `.rollup(avg, 600)` and most HTTP APIs): 600000 -> `600`;
 * under a second rounds up to `1`, as no API takes a zero interval.
 */
export function secondsDuration(ms: number, what = 'window'): string {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new TemplateError(`${what} must be a positive duration, got ${ms} ms`);
  return String(Math.max(1, Math.round(ms / 1000)));
}

/** The cause a provider reports when a trigger's template cannot be rendered. */
export function templateCause(trigger: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `trigger ${trigger}: query not sent: ${message}`;
}

/**
 * The trigger's query with its placeholders filled, or the no-data answer that says why it could not
 * be: no query at all, or a value that failed validation (then nothing is sent).
 */
export function triggerQuery(
  q: MetricQuery,
  label: string,
  windowSyntax: DurationSyntax,
  stepMs: number,
): { ok: true; text: string } | { ok: false; result: MetricResult } {
  if (q.query === undefined || q.query.trim() === '') {
    return { ok: false, result: { kind: 'no_data', cause: `${label}: trigger ${q.trigger} has no query` } };
  }
  try {
    return { ok: true, text: renderQuery(q.query, varsOf(q, stepMs), windowSyntax) };
  } catch (error) {
    return { ok: false, result: { kind: 'no_data', cause: templateCause(q.trigger, error) } };
  }
}
