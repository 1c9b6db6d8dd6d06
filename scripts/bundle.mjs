// The esbuild options of dist/: shared by scripts/build.mjs (which writes dist/) and the start-up
// test (which builds the same bundle with a metafile to see which sources each chunk carries).

export const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  logLevel: 'warning',
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __pinbackCreateRequire } from 'node:module';const require = __pinbackCreateRequire(import.meta.url);",
  },
};

/**
 * dist/cli.js and dist/index.js (package.json's bin, action.yml's main) and the chunks they import.
 * Splitting keeps what `--help` and an ignored event evaluate to the entries' own small chunks: a
 * command's code is behind a dynamic import() and loaded only when the command runs.
 */
export const DIST = {
  ...COMMON,
  entryPoints: { index: 'src/action.ts', cli: 'src/cli.ts' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
};
