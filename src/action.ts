/**
 * The Action's entry (action.yml runs dist/index.js). Workflows often start pinback on events it
 * does not serve (a push, an issue that is not a closed pinback incident, a deploy that failed):
 * those end here, decided by planFor from the event alone and reported in the runner's own format,
 * without loading @actions/core, zod or the rest of the bundle (bench/startup.mjs,
 * test/startup.e2e.test.ts). Every other event goes to the full run in src/action/serve.ts.
 */
import { planFor } from './action/event.js';
import { failStep, inputOf, logInfo, readEventPayload, setOutput } from './action/runner.js';

/** Why the run ignores its event; undefined when the full run must look at it. */
async function ignoredBecause(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  // The gate judges the pull request whatever the event.
  if (inputOf(env, 'mode') === 'gate') return undefined;
  try {
    const plan = planFor(env.GITHUB_EVENT_NAME ?? '', await readEventPayload(env), {}, false);
    return plan.kind === 'ignore' ? plan.message : undefined;
  } catch {
    // A malformed event is reported by the full run, with its message.
    return undefined;
  }
}

const env = process.env;
const ignored = await ignoredBecause(env);
if (ignored === undefined) {
  const { runServedEvent } = await import('./action/serve.js');
  await runServedEvent();
} else {
  try {
    logInfo(ignored);
    setOutput(env, 'decision', 'none');
    setOutput(env, 'rolled-back', 'false');
  } catch (e) {
    failStep((e as Error).message);
  }
}
