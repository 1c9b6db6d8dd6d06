import { resolve } from 'node:path';
import * as core from '@actions/core';
import { stopCleanlyOnSignals } from '../gitops/signals.js';
import { redactSecrets, scrubber } from '../redact.js';
import { type ActionContext, runAction } from './run.js';
import { EVENT_OVERRIDE, eventOf } from './runner.js';

/**
 * The Action's composition root for an event it serves: the runner's environment in, outputs and a
 * job summary out. src/action/main.ts imports it only after deciding the event is not one to ignore.
 */
async function main(): Promise<void> {
  const env = process.env;
  const event = await eventOf(env);
  if ('refused' in event) {
    core.setFailed(event.refused);
    return;
  }
  if (env[EVENT_OVERRIDE]?.trim())
    core.info(
      `${EVENT_OVERRIDE}: this dry run acts as a ${event.name} event, not as ${env.GITHUB_EVENT_NAME ?? 'none'}`,
    );
  const ctx: ActionContext = {
    input: (name) => core.getInput(name),
    event: event.name,
    payload: event.payload,
    env,
    workspace: resolve(env.GITHUB_WORKSPACE ?? process.cwd()),
    log: {
      info: (m) => core.info(m),
      warning: (m, at) => core.warning(m, at),
      error: (m, at) => core.error(m, at),
      secret: (s) => core.setSecret(s),
    },
    setOutput: (k, v) => core.setOutput(k, v),
    summary: async (markdown) => {
      if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
    },
  };
  const failure = await runAction(ctx);
  if (failure) core.setFailed(failure);
}

/** Runs the Action to the end; a failure fails the step (exit status 1) with its message. */
export async function runServedEvent(): Promise<void> {
  // A cancelled workflow run: a commit in flight is finished, temporary clones removed, the step
  // fails with a message saying what was committed, and the next run does the rest.
  stopCleanlyOnSignals({ say: (m) => core.setFailed(`pinback: ${m}`) });
  // The last resort still says nothing secret: the token input and anything credential-shaped.
  await main().catch((e: unknown) =>
    core.setFailed(scrubber([process.env.INPUT_TOKEN])(redactSecrets((e as Error).message))),
  );
}
