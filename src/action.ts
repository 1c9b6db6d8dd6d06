import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { planFor } from './action/event.js';
import type { ActionContext } from './action/run.js';
import { stopCleanlyOnSignals } from './gitops/signals.js';
import { redactSecrets, scrubber } from './redact.js';

/** The Action's composition root: the runner's environment in, outputs and a job summary out. */
async function main(): Promise<void> {
  const env = process.env;
  const eventPath = env.GITHUB_EVENT_PATH;
  const payload =
    eventPath && existsSync(eventPath)
      ? (JSON.parse(await readFile(eventPath, 'utf8')) as Record<string, unknown>)
      : {};
  const ctx: ActionContext = {
    input: (name) => core.getInput(name),
    event: env.GITHUB_EVENT_NAME ?? '',
    payload,
    env,
    workspace: resolve(env.GITHUB_WORKSPACE ?? process.cwd()),
    log: {
      info: (m) => core.info(m),
      warning: (m) => core.warning(m),
      error: (m, at) => core.error(m, at),
      secret: (s) => core.setSecret(s),
    },
    setOutput: (k, v) => core.setOutput(k, v),
    summary: async (markdown) => {
      if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
    },
  };
  // Events pinback does not serve end here, before the bulk of the bundle is loaded.
  if (ctx.input('mode') !== 'gate') {
    try {
      const plan = planFor(ctx.event, payload, [], false);
      if (plan.kind === 'ignore') {
        core.info(plan.message);
        core.setOutput('decision', 'none');
        core.setOutput('rolled-back', 'false');
        return;
      }
    } catch {
      // A malformed event is reported by the full run below, with its message.
    }
  }
  const { runAction } = await import('./action/run.js');
  const failure = await runAction(ctx);
  if (failure) core.setFailed(failure);
}

// A cancelled workflow run: a commit in flight is finished, temporary clones removed, the step
// fails with a message saying what was committed, and the next run does the rest.
stopCleanlyOnSignals({ say: (m) => core.setFailed(`pinback: ${m}`) });

// The last resort still says nothing secret: the token input and anything credential-shaped.
main().catch((e: unknown) =>
  core.setFailed(scrubber([process.env.INPUT_TOKEN])(redactSecrets((e as Error).message))),
);
