// Runs one of bench/decision's TypeScript programs: bundles it with esbuild into a temp .mjs and
// imports it, passing on the arguments after the file. `npm run bench:decision` runs main.ts (it
// replays dist/cli.js, so it needs `npm run build` first; main.ts says so when dist/ is missing);
// `npm run bench:tradeoff` runs tradeoff.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const [entry = 'bench/decision/main.ts', ...rest] = process.argv.slice(2);
// The program reads its own flags from process.argv.slice(2).
process.argv.splice(2, process.argv.length, ...rest);
const dir = mkdtempSync(join(tmpdir(), 'pinback-bench-decision-'));
const outfile = join(dir, 'main.mjs');
try {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    logLevel: 'warning',
  });
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
