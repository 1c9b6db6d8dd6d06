/**
 * The `{{...}}` placeholders of a policy's templates, checked when the file is loaded: a template
 * that cannot be rendered would otherwise leave its trigger without data at every run, and the run
 * would pass as inconclusive. The grammar and the names are template.ts's own.
 */
import { BUILT_IN_PLACEHOLDERS, HTTP_PLACEHOLDERS, scanPlaceholders } from '../metrics/template.js';
import type { Policy } from './policy.js';
import { didYouMean } from './suggest.js';

export interface KnownPlaceholders {
  /** A provider's own names (the HTTP provider's `{{query}}`, `{{start}}`...). */
  extra: readonly string[];
  /** The trigger's `args`; undefined when the template serves several triggers (checked per trigger). */
  args: readonly string[] | undefined;
}

const ph = (name: string) => `{{${name}}}`;

/** What Flagger's MetricTemplate variables are called here, for queries copied from one. */
function flaggerHint(name: string): string | undefined {
  if (name === 'interval')
    return "Flagger's {{interval}} is the query's window: write {{window}} (or [{{step}}] in a count query)";
  if (name === 'target' || name === 'name')
    return (
      `{{service}} is the service's name in the policy; if the workload is named otherwise, ` +
      `set args: {${name}: NAME} on the trigger and write {{args.${name}}}`
    );
  if (name === 'namespace' || name === 'ingress')
    return (
      `pinback has no {{${name}}} (a Flagger MetricTemplate variable): write the value into the query, ` +
      `or set args: {${name}: VALUE} on the trigger and write {{args.${name}}}`
    );
  if (name.startsWith('variables.')) {
    const key = name.slice('variables.'.length);
    return `Flagger's templateVariables are the trigger's args here: set args: {${key}: VALUE} and write {{args.${key}}}`;
  }
  return undefined;
}

function unknown(name: string, known: KnownPlaceholders): string {
  const names = [...BUILT_IN_PLACEHOLDERS, ...known.extra];
  const listed = `known: ${[...names, 'args.NAME'].map(ph).join(', ')}`;
  if (known.args?.includes(name))
    return `unknown placeholder ${ph(name)} (did you mean ${ph(`args.${name}`)}?)`;
  const hint = didYouMean(name, [...names, ...(known.args ?? []).map((a) => `args.${a}`)]);
  if (hint) return `unknown placeholder ${ph(name)} (did you mean ${ph(hint)}?); ${listed}`;
  const flagger = flaggerHint(name);
  return `unknown placeholder ${ph(name)}: ${flagger ? `${flagger}; ` : ''}${listed}`;
}

/**
 * Why `template` cannot be rendered whatever the run's values: malformed or unclosed placeholders,
 * unknown names (with a did-you-mean), `{{args.NAME}}` the trigger's args lack. Empty when it renders.
 */
export function placeholderProblems(template: string, known: KnownPlaceholders): string[] {
  const { names, problems } = scanPlaceholders(template);
  const builtIn = new Set<string>([...BUILT_IN_PLACEHOLDERS, ...known.extra]);
  for (const name of new Set(names)) {
    if (builtIn.has(name)) continue;
    if (!name.startsWith('args.')) {
      problems.push(unknown(name, known));
      continue;
    }
    const key = name.slice('args.'.length);
    if (known.args === undefined || known.args.includes(key)) continue;
    const hint = didYouMean(key, known.args);
    problems.push(
      `unknown placeholder ${ph(name)}: the trigger's args has no "${key}"` +
        (hint
          ? ` (did you mean ${ph(`args.${hint}`)}?)`
          : known.args.length
            ? ` (it has ${known.args.map((a) => `"${a}"`).join(', ')})`
            : `; add args: {${key}: VALUE} to the trigger`),
    );
  }
  return problems;
}

/** The `args` names a template reads (`{{args.job}}` -> `job`). */
function argsRead(template: string): string[] {
  const names = scanPlaceholders(template).names.filter((n) => n.startsWith('args.'));
  return [...new Set(names.map((n) => n.slice('args.'.length)))];
}

/**
 * The HTTP providers' `url` and `body` templates: their placeholders, and the `{{args.NAME}}` each
 * trigger reading through the provider must have (`headers` are sent as written, not templated);
 * and a body on a GET, which the provider would refuse at every query.
 */
export function httpProviderIssues(
  policy: Pick<Policy, 'providers' | 'services'>,
): Array<{ path: PropertyKey[]; message: string }> {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  for (const [name, config] of Object.entries(policy.providers)) {
    if (config.type !== 'http') continue;
    const users = policy.services.flatMap((s) =>
      s.queries
        .filter((q) => q.provider === name)
        .map((q) => ({ label: `trigger ${q.name} of ${s.name}`, args: q.args })),
    );
    for (const field of ['url', 'body'] as const) {
      const template = config[field];
      if (template === undefined) continue;
      const path = ['providers', name, field];
      for (const message of placeholderProblems(template, { extra: HTTP_PLACEHOLDERS, args: undefined }))
        issues.push({ path, message });
      for (const key of argsRead(template)) {
        const lacking = users.filter((u) => !Object.hasOwn(u.args, key)).map((u) => u.label);
        if (lacking.length === 0) continue;
        issues.push({
          path,
          message:
            `{{args.${key}}} needs args: {${key}: VALUE} on every trigger that reads through provider ` +
            `"${name}"; missing on ${lacking.join(', ')}`,
        });
      }
    }
    if (config.method === 'GET' && config.body !== undefined) {
      issues.push({
        path: ['providers', name, 'method'],
        message: 'a body needs method: POST (a GET request cannot carry one): drop method: GET or the body',
      });
    }
  }
  return issues;
}
