/**
 * The Action's entry: action.yml runs dist/index.js, bundled from this file. The logic lives in
 * src/action/main.ts, which exports `run` (the actions/typescript-action layout, so that
 * @github/local-action can run it from the sources); this file only calls it.
 */
import { run } from './action/main.js';

await run();
