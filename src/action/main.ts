/**
 * The Action's logic, as the actions/typescript-action template lays it out: this module exports
 * `run` and src/action.ts (the entry action.yml runs, bundled as dist/index.js) calls it, so
 * `npx @github/local-action . src/action/main.ts .env` runs the Action from its sources.
 *
 * Workflows often start pinback on events it does not serve (a push, an issue that is not a closed
 * pinback incident, a deploy that failed): those end here, decided by planFor from the event alone
 * and reported in the runner's own format, without loading @actions/core, zod or the rest of the
 * bundle (bench/startup.mjs, test/startup.e2e.test.ts). Every other event goes to the full run in
 * src/action/serve.ts.
 */
import { planFor } from './event.js';
import { eventOf, failStep, inputOf, logInfo, setOutput } from './runner.js';

/** Why the run ignores its event; undefined when the full run must look at it. */
async function ignoredBecause(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  // The gate judges the pull request whatever the event.
  if (inputOf(env, 'mode') === 'gate') return undefined;
  try {
    const event = await eventOf(env);
    // A refused event override is reported by the full run.
    if ('refused' in event) return undefined;
    const plan = planFor(event.name, event.payload, {}, false);
    return plan.kind === 'ignore' ? plan.message : undefined;
  } catch {
    // A malformed event is reported by the full run, with its message.
    return undefined;
  }
}

/** Runs the Action once, on the runner's environment; a failure fails the step (exit status 1). */
export async function run(): Promise<void> {
  const env = process.env;
  const ignored = await ignoredBecause(env);
  if (ignored === undefined) {
    const { runServedEvent } = await import('./serve.js');
    await runServedEvent();
    return;
  }
  try {
    logInfo(ignored);
    setOutput(env, 'decision', 'none');
    setOutput(env, 'rolled-back', 'false');
  } catch (e) {
    failStep((e as Error).message);
  }
}
