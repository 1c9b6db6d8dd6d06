// Benchmarks: start-up of the bundles, and `pinback run` on a GitOps repo with a long history.
// `npm run bench` prints medians; goals are in bench/README.md. Not part of `npm test`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const node = process.execPath;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(label, runs, fn) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`${label.padEnd(58)} median ${median(ms).toFixed(0).padStart(5)} ms  (${runs} runs)`);
}
const quiet = { stdio: ['ignore', 'ignore', 'ignore'] };
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@x',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@x',
};

time('start-up: pinback --help (dist/cli.js)', 10, () =>
  execFileSync(node, ['dist/cli.js', '--help'], quiet),
);
time('start-up: Action on an ignored event (dist/index.js)', 10, () =>
  execFileSync(node, ['dist/index.js'], { ...quiet, env: { ...process.env, GITHUB_EVENT_NAME: 'push' } }),
);
time('evaluate: seed example, file metrics', 10, () =>
  execFileSync(
    node,
    [
      'dist/cli.js',
      'evaluate',
      '-c',
      'examples/seed/pinback.yml',
      '--metrics-file',
      'examples/seed/metrics-breach.json',
    ],
    quiet,
  ),
);

// A repository with COMMITS commits over SERVICES services' files; the benchmarked pin was bumped twice lately.
const COMMITS = Number(process.env.BENCH_COMMITS ?? 20000);
const SERVICES = 200;
const dir = mkdtempSync(join(tmpdir(), 'pinback-bench-'));
const repo = join(dir, 'gitops');
mkdirSync(repo);
const git = (...args) => execFileSync('git', args, { cwd: repo, env, maxBuffer: 1 << 30 });
git('init', '-q', '-b', 'main');
// fast-import writes the whole history in one process.
const now = Math.floor(Date.now() / 1000);
let stream = '';
for (let i = 0; i < COMMITS; i++) {
  const s = i % SERVICES;
  const content = `images:\n  - name: ghcr.io/acme/svc${s}\n    newTag: 1.${Math.floor(i / SERVICES)}.0\n`;
  const t = now - (COMMITS - i) * 60;
  stream += `commit refs/heads/main\ncommitter b <b@x> ${t} +0000\ndata <<EOM\ndeploy svc${s}\nEOM\nM 100644 inline apps/svc${s}/kustomization.yaml\ndata ${Buffer.byteLength(content)}\n${content}\n`;
}
const last = (tag, ago) => {
  const content = `images:\n  - name: ghcr.io/acme/svc0\n    newTag: ${tag}\n`;
  return `commit refs/heads/main\ncommitter b <b@x> ${now - ago} +0000\ndata <<EOM\ndeploy svc0 ${tag}\nEOM\nM 100644 inline apps/svc0/kustomization.yaml\ndata ${Buffer.byteLength(content)}\n${content}\n`;
};
stream += last('2.3.3', 86_400) + last('2.4.0', 300);
execFileSync('git', ['fast-import', '--quiet'], { cwd: repo, input: stream, env, maxBuffer: 1 << 30 });
git('checkout', '-q', 'main');
writeFileSync(
  join(dir, 'pinback.yml'),
  `version: 1\nproviders: { m: { type: file, path: metrics.json } }\nservices:\n  svc0:\n    pin: { file: apps/svc0/kustomization.yaml, kustomize_image: ghcr.io/acme/svc0 }\n    triggers: { errors: { max: 0.05 } }\n`,
);
writeFileSync(
  join(dir, 'metrics.json'),
  JSON.stringify({ svc0: { '2.4.0': { errors: [0.09] }, '2.3.3': { errors: [0.01] } } }),
);
const run = (target) => () =>
  execFileSync(
    node,
    ['dist/cli.js', 'run', '-c', join(dir, 'pinback.yml'), '--gitops', target, '--mode', 'dry-run'],
    quiet,
  );
time(`run --mode dry-run, local repo, ${COMMITS} commits`, 5, run(repo));
git('commit-graph', 'write', '--reachable', '--changed-paths');
time(`run --mode dry-run, local repo + commit-graph with Bloom filters`, 5, run(repo));
const bare = join(dir, 'remote.git');
execFileSync('git', ['clone', '-q', '--bare', repo, bare], { env });
execFileSync('git', ['-C', bare, 'config', 'uploadpack.allowFilter', 'true'], { env });
time(`run --mode dry-run, remote (file://), shallow blob-less clone`, 5, run(`file://${bare}`));

// Backtest: 500 deploys (two hours each, a step a minute) through `pinback backtest`, against the
// floor of reading and parsing the same series file in a bare node process.
const series = join(dir, 'series.json');
const generator = join(dir, 'bench-series.mjs');
await build({
  entryPoints: ['bench/decision/bench-series.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: generator,
  logLevel: 'warning',
});
execFileSync(node, [generator, series, '500']);
const parse = () =>
  execFileSync(node, ['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(series)}, 'utf8'))`]);
const replay = () =>
  execFileSync(
    node,
    ['dist/cli.js', 'backtest', '-c', 'examples/policies/http-service.yml', '--series', series, '--json'],
    { ...quiet, env: { ...process.env, PROMETHEUS_URL: 'http://unused.invalid' }, maxBuffer: 1 << 30 },
  );
const floor = [];
const spent = [];
for (let i = 0; i < 3; i++) {
  let t = process.hrtime.bigint();
  parse();
  floor.push(Number(process.hrtime.bigint() - t) / 1e6);
  t = process.hrtime.bigint();
  replay();
  spent.push(Number(process.hrtime.bigint() - t) / 1e6);
}
console.log(
  `${'backtest: 500 deploys x 120 steps, http-service policy'.padEnd(58)} median ${median(spent).toFixed(0).padStart(5)} ms  ` +
    `(${(median(spent) / median(floor)).toFixed(1)}x parsing the file alone, ${median(floor).toFixed(0)} ms; 3 runs)`,
);
