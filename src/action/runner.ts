/**
 * The few parts of the runner's contract an ignored event needs, written as @actions/core writes
 * them (lib/core.js, lib/file-command.js) but without loading it: @actions/core brings its HTTP
 * client (undici) with it, and an event pinback does not serve should cost about what starting
 * node does. The full run uses @actions/core itself (src/action/serve.ts).
 */
import { appendFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { EOL } from 'node:os';

/** An input as `core.getInput` reads it: `INPUT_<NAME>` (spaces as underscores), trimmed. */
export function inputOf(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** The webhook payload of the event that started the run; `{}` when the runner wrote none. */
export async function readEventPayload(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path || !existsSync(path)) return {};
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

/** The event a dry run may act as instead of the runner's: `PINBACK_EVENT_NAME`. */
export const EVENT_OVERRIDE = 'PINBACK_EVENT_NAME';

/**
 * The event the run answers, and its payload. A workflow cannot set the runner's GITHUB_* variables,
 * and a CI check of the Action (`uses: ./`) runs on push and pull_request, which pinback does not
 * reconcile on: with `mode: dry-run`, which writes nothing, PINBACK_EVENT_NAME names the event to act
 * as (a `schedule`), with no payload. With any other mode it is refused, so it can never make a run
 * write on an event it would not have acted on.
 */
export async function eventOf(
  env: NodeJS.ProcessEnv,
): Promise<{ name: string; payload: Record<string, unknown> } | { refused: string }> {
  const override = env[EVENT_OVERRIDE]?.trim();
  if (!override) return { name: env.GITHUB_EVENT_NAME ?? '', payload: await readEventPayload(env) };
  const mode = inputOf(env, 'mode');
  if (mode !== 'dry-run') {
    return {
      refused:
        `${EVENT_OVERRIDE}=${override} acts as another event than the workflow's, which only a dry run may do, ` +
        `and the mode is ${mode || 'auto'}: set the input mode to dry-run, or remove ${EVENT_OVERRIDE}`,
    };
  }
  return { name: override, payload: {} };
}

/** A line of the step's log (`core.info`). */
export function logInfo(message: string): void {
  process.stdout.write(`${message}${EOL}`);
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * A step output (`core.setOutput`): a `name<<DELIMITER` block appended to GITHUB_OUTPUT, or, on a
 * runner too old to have that file, the `::set-output` command.
 */
export function setOutput(env: NodeJS.ProcessEnv, name: string, value: string): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) {
    process.stdout.write(`${EOL}::set-output name=${escapeProperty(name)}::${escapeData(value)}${EOL}`);
    return;
  }
  // core refuses a missing file rather than creating one the runner will not read.
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`Unexpected input: an output should not contain the delimiter "${delimiter}"`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
}

/** Fails the step with an error annotation (`core.setFailed`). */
export function failStep(message: string): void {
  process.exitCode = 1;
  process.stdout.write(`::error::${escapeData(message)}${EOL}`);
}
