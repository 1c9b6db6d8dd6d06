/**
 * Template arguments (Argo Rollouts' `args`, Flagger's variables) and how each placeholder is
 * written into the policy: kept as pinback's `{{args.NAME}}` in a query (its value on the trigger),
 * written out in a provider's setting (pinback templates none of those), or a number in a condition.
 * A secret becomes an environment variable: pinback never writes one into a file.
 */
import type { Findings } from './findings.js';
import type { Manifest } from './manifests.js';
import { ARGS_NAME, envName, envRef, literal, PINBACK_PLACEHOLDER, Unfilled } from './text.js';

export type Arg =
  | { kind: 'value'; text: string }
  | { kind: 'secret'; env: string; what: string; m: Manifest; path: PropertyKey[] }
  /** `--arg NAME={{service}}`: the placeholder stands in the query itself. */
  | { kind: 'placeholder'; text: string }
  | { kind: 'missing'; why: string };

/** A `--arg` value: a pinback placeholder, or a value. */
export function argOf(value: string): Arg {
  const p = PINBACK_PLACEHOLDER.exec(value);
  return p ? { kind: 'placeholder', text: `{{${p[1]!}}}` } : { kind: 'value', text: value };
}

export class ArgTable {
  /** The args a query kept as `{{args.NAME}}`, with the values the trigger carries. */
  readonly used: Record<string, string> = {};

  constructor(
    private readonly args: ReadonlyMap<string, Arg>,
    private readonly findings: Findings,
    /** How a placeholder that is not an argument is named in a refusal (`{{ namespace }}` for Flagger). */
    private readonly prefix: string,
  ) {}

  private lookup(placeholder: string): { name: string; arg: Arg } {
    if (!placeholder.startsWith(this.prefix))
      throw new Unfilled(`{{ ${placeholder} }} is not a placeholder pinback import knows here`);
    const name = placeholder.slice(this.prefix.length);
    const arg = this.args.get(name);
    if (arg === undefined || arg.kind === 'missing') {
      const why = arg?.kind === 'missing' ? `: ${arg.why}` : '';
      throw new Unfilled(
        `{{ ${placeholder} }} has no value${why}; pass --arg ${name}=VALUE (or --arg ${name}={{service}} for the ` +
          "policy's service name, --arg " +
          `${name}={{version}} where the metric carries the version)`,
      );
    }
    return { name, arg };
  }

  private secret(arg: Extract<Arg, { kind: 'secret' }>): string {
    if (!this.findings.env.has(arg.env)) {
      this.findings.changed(
        arg.m,
        arg.path,
        `${arg.what}: read from the environment variable ${arg.env} (set it where pinback runs, e.g. from a GitHub secret)`,
      );
    }
    this.findings.needs({ name: arg.env, what: arg.what, example: 'secret' });
    return envRef(arg.env);
  }

  /** In a query (or an HTTP provider's url and body): `{{args.NAME}}`, its value on the trigger. */
  readonly query = (placeholder: string): string => {
    const { name, arg } = this.lookup(placeholder);
    if (arg.kind === 'placeholder') return arg.text;
    const value =
      arg.kind === 'value' ? literal(arg.text) : this.secret(arg as Extract<Arg, { kind: 'secret' }>);
    if (!ARGS_NAME.test(name)) return value;
    this.used[name] = value;
    return `{{args.${name}}}`;
  };

  /** In a provider's setting, which pinback does not template: the value itself. */
  readonly setting = (placeholder: string): string => {
    const { name, arg } = this.lookup(placeholder);
    if (arg.kind === 'placeholder')
      throw new Unfilled(`--arg ${name}=${arg.text}: a provider's setting holds no pinback placeholder`);
    return arg.kind === 'value' ? literal(arg.text) : this.secret(arg as Extract<Arg, { kind: 'secret' }>);
  };

  /** In an HTTP provider's url or body (templated by pinback): the value itself, or a pinback placeholder. */
  readonly template = (placeholder: string): string => {
    const { arg } = this.lookup(placeholder);
    if (arg.kind === 'placeholder') return arg.text;
    return arg.kind === 'value' ? literal(arg.text) : this.secret(arg as Extract<Arg, { kind: 'secret' }>);
  };

  /** In a condition or a number: the plain value (a secret or a placeholder cannot be one). */
  readonly plain = (placeholder: string): string => {
    const { name, arg } = this.lookup(placeholder);
    if (arg.kind !== 'value') throw new Unfilled(`args.${name} must be a plain value here`);
    return arg.text;
  };
}

/** Secret-backed args become environment variables named after the argument. */
export function secretArg(
  name: string,
  ref: { name?: unknown; key?: unknown },
  m: Manifest,
  path: PropertyKey[],
): Arg {
  return {
    kind: 'secret',
    env: envName(name),
    what: `args.${name} (Kubernetes secret ${String(ref.name)}, key ${String(ref.key)})`,
    m,
    path,
  };
}
