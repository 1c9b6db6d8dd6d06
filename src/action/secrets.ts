/**
 * The Action's side of secrets: every credential the policy holds is masked in the runner's log before
 * anything can print it, each secret part as its own mask (a mask matches whole texts only: the path of
 * a Slack URL printed alone would not match a mask of the whole URL), and a scrubber for whatever
 * reaches the log, the outputs or the job summary.
 */
import type { Policy } from '../config/policy.js';
import { providerSecrets } from '../metrics/credentials.js';
import { notifierSecrets } from '../notify/secrets.js';
import { expandSecrets, type Scrub, scrubber } from '../redact.js';

/** Raw credentials of the policy: providers' tokens, passwords, keys, header values, URL user info; webhook URLs, their paths and headers; pager keys. */
export function policySecrets(policy: Policy): string[] {
  const out: string[] = [];
  for (const p of Object.values(policy.providers)) out.push(...providerSecrets(p));
  for (const s of policy.services) {
    for (const n of s.onRollback.notify) out.push(...notifierSecrets(n));
  }
  return out;
}

/** Every credential the policy holds is masked in the log before anything can print it, with its encoded forms. */
export function maskPolicySecrets(policy: Policy, mask: (secret: string) => void): void {
  for (const s of expandSecrets(policySecrets(policy))) if (s.length >= 4) mask(s);
}

/**
 * A growing set of secrets (the token first, the policy's once it is loaded) and the scrubber over
 * all of them, for every text the Action writes (log lines, annotations, outputs, the summary, the
 * failure message).
 */
export class ActionSecrets {
  private readonly raw: string[] = [];
  private current: Scrub | undefined;

  add(...secrets: Array<string | undefined>): void {
    for (const s of secrets) if (s !== undefined && s !== '') this.raw.push(s);
    this.current = undefined; // built again on the next scrub, once for a batch of masks
  }

  /** `text` without any secret added so far, nor any credential recognisable by its shape. */
  readonly scrub: Scrub = (text) => {
    this.current ??= scrubber(this.raw);
    return this.current(text);
  };
}

/** An error's message (an octokit RequestError may echo the token or a request body), scrubbed. */
export function scrubError(error: unknown, scrub: Scrub): Error {
  const message = scrub(error instanceof Error ? error.message : String(error));
  const out = new Error(message);
  if (error instanceof Error) out.name = error.name;
  return out;
}

/** The parts of the Action's context (src/action/run.ts) that write somewhere. */
interface Guardable {
  log: {
    info: (m: string) => void;
    warning: (m: string) => void;
    // Any annotation type: only the message is scrubbed.
    error: (m: string, at?: never) => void;
    secret: (s: string) => void;
  };
  setOutput: (name: string, value: string) => void;
  summary: (markdown: string) => Promise<void>;
}

/**
 * The same context, every text it writes scrubbed: log lines, annotations, outputs and the summary.
 * `log.secret` also adds to the scrubber, so one call masks and scrubs.
 */
export function guardedContext<C extends Guardable>(ctx: C, secrets: ActionSecrets): C {
  const s = secrets.scrub;
  const error = ctx.log.error as (m: string, at?: unknown) => void;
  const log: Guardable['log'] & { error: (m: string, at?: unknown) => void } = {
    info: (m) => ctx.log.info(s(m)),
    warning: (m) => ctx.log.warning(s(m)),
    error: (m, at) => error(s(m), at),
    secret: (v) => {
      secrets.add(v);
      ctx.log.secret(v);
    },
  };
  return {
    ...ctx,
    log: { ...ctx.log, ...log },
    setOutput: (name: string, value: string) => ctx.setOutput(name, s(value)),
    summary: (markdown: string) => ctx.summary(s(markdown)),
  };
}
