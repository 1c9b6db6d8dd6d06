import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/*
 * Two projects; `npm test` (vitest run) runs both, `npm run test:unit` / `npm run test:e2e` one each.
 *
 *   unit  pure logic: no git, no child processes, no sockets (no server, not even on loopback), no real
 *         Prometheus. Reading fixture files and temp directories is fine. Must stay fast (< 30 s).
 *   e2e   everything else: real git repos, the bundled CLI/Action run as processes, the fake GitHub
 *         server (test/support/fake-github), loopback HTTP servers, a real Prometheus.
 *
 * The rule: a test file is e2e when
 *   1. it lives under test/e2e/, test/cli/ or test/fake-github/, or
 *   2. its name ends in `.e2e.test.ts`, or `.real.test.ts` (a real third-party binary, e.g. Prometheus), or
 *   3. it is listed in LEGACY_E2E (files written before this rule).
 * Every other test is unit. So a new test that runs git, spawns a process or listens on a port is named
 * `*.e2e.test.ts` (or goes into one of the folders above); anything else lands in `unit` by itself.
 */
const E2E_FOLDERS = ['test/e2e/**', 'test/cli/**', 'test/fake-github/**'];
const E2E_NAMES = ['**/*.e2e.test.ts', '**/*.real.test.ts'];
const LEGACY_E2E = [
  'test/dist.test.ts', // builds dist/ in a child process
  'test/concurrency.test.ts', // a loopback server that never answers
  'test/action/dry-run.test.ts', // runs dist/index.js on a real git repo
  'test/action/github-*.test.ts', // dist/index.js against the fake GitHub server
  'test/gitops/git.test.ts', // real git repos
  'test/gitops/git-command.test.ts', // spawns git
  'test/history/trailers.test.ts', // checks trailers with `git interpret-trailers`
  'test/metrics/datadog.test.ts', // loopback HTTP server
  'test/metrics/http.test.ts', // loopback HTTP(S) server, openssl
  'test/metrics/http-client.test.ts', // loopback HTTP server
  'test/metrics/prometheus.test.ts', // loopback HTTP server
  'test/notify/notify.test.ts', // loopback HTTP server
];
const E2E = [...E2E_FOLDERS, ...E2E_NAMES, ...LEGACY_E2E];

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Each test file removes the temporary repositories it made (test/support/git.ts).
    setupFiles: ['./test/support/cleanup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The e2e tests mostly wait on git and node child processes: one worker more than the cores
    // keeps the cores busy (vitest's default in run mode is one fewer). No test mocks modules or
    // touches globals, so a worker runs its files in one module graph: the fake GitHub's OpenAPI
    // and GraphQL schema are parsed once per worker, not once per file.
    maxWorkers: availableParallelism() + 1,
    isolate: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...E2E],
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: E2E },
      },
    ],
  },
});
