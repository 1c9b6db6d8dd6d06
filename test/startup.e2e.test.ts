import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST } from '../scripts/bundle.mjs';
import { runAction } from './support/action.js';
import { ROOT, runCli } from './support/cli.js';

/**
 * Start-up as structure, not wall time: which chunks of dist/ a command evaluates, and which
 * sources those chunks carry. `--help` and an event the Action ignores must cost about what starting
 * node does (issue 13: at most 1.5x `node -e 0`; bench/startup.mjs measures it), so they evaluate
 * no dependency at all (zod, yaml, @actions/core with undici, octokit) and a few KB of pinback's own
 * code. Before this was so, they evaluated 838 KB and 884 KB; today about 14 KB and 19 KB.
 */
const BUDGET = 48 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'pinback-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The same build as scripts/build.mjs, in memory, with the sources of each output file.
let metafile: Metafile;
beforeAll(async () => {
  metafile = (await build({ ...DIST, absWorkingDir: ROOT, outdir: 'dist', write: false, metafile: true }))
    .metafile;
});

let runs = 0;

/** Runs a command with scripts/loaded-modules.mjs recording what it loads; the dist/ files it evaluated. */
async function evaluated<T>(run: (env: Record<string, string>) => Promise<T>): Promise<{
  result: T;
  files: string[];
  bytes: number;
  sources: string[];
}> {
  const log = join(dir, `loaded-${++runs}.txt`);
  writeFileSync(log, '');
  const hook = pathToFileURL(resolve(ROOT, 'scripts', 'loaded-modules.mjs')).href;
  const result = await run({ NODE_OPTIONS: `--import=${hook}`, PINBACK_LOADED: log });
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => relative(ROOT, fileURLToPath(url)))
    .filter((f) => f.startsWith('dist'));
  let bytes = 0;
  const sources = new Set<string>();
  for (const f of files) {
    // A chunk's name carries the hash of its content, so a name the fresh build has is its content.
    // The entries' names carry none: their sources are the fresh build's, whatever chunks they name.
    const outputs = metafile.outputs[f];
    if (outputs === undefined) throw new Error(`${f} is not a file src/ builds: run \`npm run build\``);
    bytes += statSync(resolve(ROOT, f)).size;
    for (const source of Object.keys(outputs.inputs)) sources.add(source);
  }
  return { result, files, bytes, sources: [...sources] };
}

/** The packages among a list of sources (`node_modules/@actions/core/lib/core.js` -> `@actions/core`). */
const packagesOf = (sources: string[]) => [
  ...new Set(
    sources.flatMap((s) => {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s);
      return m ? [m[1]!] : [];
    }),
  ),
];

describe('start-up of the CLI', () => {
  it.each(['--help', '-h', '--version', 'help run', 'run --help', 'evaluate -V'])(
    'pinback %s evaluates no dependency and a few KB of dist/',
    async (line) => {
      const { result, bytes, sources } = await evaluated((env) => runCli(line.split(' '), { env }));
      expect(result.code).toBe(0);
      expect(result.stdout).not.toBe('');
      expect(packagesOf(sources)).toEqual([]);
      // Neither the policy loader nor a store: they are the command's to load.
      expect(sources.filter((s) => /src\/(config\/load|gitops|github|metrics)\b/.test(s))).toEqual([]);
      expect(bytes).toBeLessThan(BUDGET);
    },
  );

  it('a usage error is told without loading the commands either', async () => {
    const { result, sources } = await evaluated((env) => runCli(['evalute'], { env }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did you mean "evaluate"?');
    expect(packagesOf(sources)).toEqual([]);
  });

  it('a command loads what it needs when it runs (so the recording sees dynamic imports)', async () => {
    const { result, sources } = await evaluated((env) =>
      runCli(['evaluate', '-c', join(dir, 'absent.yml')], { env }),
    );
    expect(result.code).toBe(2);
    expect(packagesOf(sources)).toEqual(expect.arrayContaining(['zod', 'yaml']));
  });
});

describe('start-up of the Action', () => {
  it.each([
    [
      'push',
      { ref: 'refs/heads/main' },
      'pinback does not act on push events: use schedule, workflow_dispatch, workflow_run, repository_dispatch or issues (closed)',
    ],
    [
      'workflow_run',
      { action: 'completed', workflow_run: { conclusion: 'failure', name: 'deploy' } },
      'workflow_run completed with conclusion failure: the deploy did not complete, nothing to guard',
    ],
    [
      'issues',
      { action: 'opened', issue: { number: 7, body: 'hello', labels: [] } },
      'issues opened: not a closed pinback incident, nothing to do',
    ],
  ])(
    'an ignored %s event is answered in the runner format, evaluating no dependency',
    async (event, payload, message) => {
      const { result, bytes, sources } = await evaluated((env) =>
        runAction({ inputs: { mode: 'auto', config: 'pinback.yml' }, event, payload, workspace: dir, env }),
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${message}\n`);
      expect(result.outputs).toEqual({ decision: 'none', 'rolled-back': 'false' });
      expect(packagesOf(sources)).toEqual([]);
      expect(bytes).toBeLessThan(BUDGET);
    },
  );

  it('an event it serves loads the full run, @actions/core with it', async () => {
    const { result, sources } = await evaluated((env) =>
      runAction({
        inputs: { mode: 'auto', config: 'absent.yml' },
        event: 'workflow_dispatch',
        payload: { inputs: {} },
        workspace: dir,
        env,
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('::error::');
    expect(packagesOf(sources)).toEqual(expect.arrayContaining(['@actions/core', 'zod']));
  });

  it('gate mode and a malformed dispatch go to the full run, which says what is wrong', async () => {
    const gate = await evaluated((env) =>
      runAction({
        inputs: { mode: 'gate', config: 'absent.yml' },
        event: 'push',
        payload: {},
        workspace: dir,
        env,
      }),
    );
    expect(packagesOf(gate.sources)).toContain('@actions/core');
    const dispatch = await runAction({
      inputs: { mode: 'auto', config: 'absent.yml' },
      event: 'repository_dispatch',
      payload: { client_payload: { service: '../x' } },
      workspace: dir,
    });
    expect(dispatch.code).toBe(1);
    expect(dispatch.stdout).toContain('::error::repository_dispatch: client_payload.service: must name');
  });
});
