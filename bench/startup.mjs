// Start-up of the bundles against the floor of `node -e 0`, measured in the same run: `pinback
// --help`, `pinback --version`, and the Action on an event it ignores (run as the runner runs it).
// Usage: node bench/startup.mjs [RUNS] [--compare DIR] (after `npm run build`; default 30 runs of
// each, interleaved, so that a busy moment of a shared machine costs every command alike). With
// --compare, the same commands of DIR/dist/ (another revision's, e.g. from `git archive REV dist
// package.json | tar -x -C DIR`) run in the same rounds. Goals and numbers: bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const at = args.indexOf('--compare');
const compare = at === -1 ? undefined : resolve(args[at + 1]);
const RUNS = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--compare') ?? 30);
const node = process.execPath;
const dir = mkdtempSync(join(tmpdir(), 'pinback-startup-'));

// The runner's environment contract (test/support/action.ts): a push event, which pinback ignores.
const event = join(dir, 'event.json');
writeFileSync(event, JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), commits: [] }));
const runner = {
  ...process.env,
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_EVENT_PATH: event,
  GITHUB_OUTPUT: join(dir, 'output'),
  GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  GITHUB_WORKSPACE: dir,
  GITHUB_REPOSITORY: 'acme/app',
  RUNNER_TEMP: dir,
  INPUT_MODE: 'auto', // action.yml's default, which the runner passes
};

const commandsOf = (root, label) => [
  { name: `${label}pinback --help`, args: [join(root, 'dist/cli.js'), '--help'] },
  { name: `${label}pinback --version`, args: [join(root, 'dist/cli.js'), '--version'] },
  { name: `${label}Action, ignored event (push)`, args: [join(root, 'dist/index.js')], env: runner },
];
const COMMANDS = [
  { name: 'node -e 0 (the floor)', args: ['-e', '0'] },
  ...commandsOf(ROOT, ''),
  ...(compare ? commandsOf(compare, 'compared: ') : []),
];

function once(c) {
  writeFileSync(runner.GITHUB_OUTPUT, '');
  writeFileSync(runner.GITHUB_STEP_SUMMARY, '');
  const t = process.hrtime.bigint();
  const r = spawnSync(node, c.args, { cwd: ROOT, env: c.env ?? process.env, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}`);
  return ms;
}

/** The dist/ files a command evaluates, and their bytes (scripts/loaded-modules.mjs records them). */
function loaded(c) {
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  spawnSync(node, ['--import', join(ROOT, 'scripts/loaded-modules.mjs'), ...c.args], {
    cwd: ROOT,
    env: { ...(c.env ?? process.env), PINBACK_LOADED: log },
    stdio: 'ignore',
  });
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:') && /[/\\]dist[/\\]/.test(fileURLToPath(u)))
    .map((u) => fileURLToPath(u));
  return { files: files.length, bytes: files.reduce((n, f) => n + statSync(f).size, 0), names: files };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const times = COMMANDS.map(() => []);
for (const c of COMMANDS) once(c); // warm the file cache
for (let i = 0; i < RUNS; i++) COMMANDS.forEach((c, j) => times[j].push(once(c)));

const floor = median(times[0]);
console.log(`node ${process.version}, ${RUNS} runs each, interleaved\n`);
console.log(`${'command'.padEnd(42)}${'median'.padStart(10)}${'ratio'.padStart(8)}   dist/ evaluated`);
COMMANDS.forEach((c, j) => {
  const m = median(times[j]);
  const l = j === 0 ? undefined : loaded(c);
  const what = l ? `${(l.bytes / 1024).toFixed(0)} KB in ${l.files} files` : '';
  console.log(
    `${c.name.padEnd(42)}${`${m.toFixed(1)} ms`.padStart(10)}${`${(m / floor).toFixed(2)}x`.padStart(8)}   ${what}`,
  );
  if (l && process.env.BENCH_VERBOSE) for (const f of l.names) console.log(`    ${f}`);
});
rmSync(dir, { recursive: true, force: true });
