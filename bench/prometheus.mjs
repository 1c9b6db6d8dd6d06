// Scale against a real Prometheus (issue 13): `pinback run --mode dry-run` and `pinback evaluate` over
// 10 and 1,000 services with 2 triggers each (an error ratio and a p95 latency) pinned in a generated
// GitOps repository, against a floor in the same run: the same queries sent straight to Prometheus by
// a minimal client at concurrency 64. A counting proxy in front of Prometheus says how many queries
// each command had in flight.
//
//   npm run build && node bench/prometheus.mjs [--services 10,1000] [--runs 1] [--cli dist/cli.js]
//                                              [--floor 64] [--keep]
//
// Needs `prometheus` and `promtool` on PATH (Debian: apt-get install prometheus). Figures go to
// bench/README.md, "Scale: 1,000 services against Prometheus". Not part of `npm test`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeRepo, writePolicy, writeSeries } from './prometheus-fixture.mjs';
import { startPrometheus, startProxy } from './prometheus-server.mjs';

const { values: args } = parseArgs({
  options: {
    services: { type: 'string', default: '10,1000' },
    runs: { type: 'string', default: '1' },
    cli: { type: 'string', default: 'dist/cli.js' },
    floor: { type: 'string', default: '64' },
    keep: { type: 'boolean', default: false },
  },
});
const SIZES = args.services.split(',').map(Number);
const RUNS = Number(args.runs);
const CLI = resolve(args.cli);
const FLOOR = join(dirname(fileURLToPath(import.meta.url)), 'prometheus-floor.mjs');
const MAX = Math.max(...SIZES);
const node = process.execPath;
const dir = mkdtempSync(join(os.tmpdir(), 'pinback-bench-prom-'));
// Other work on the machine skews every figure: the load is printed with them.
const load = os.loadavg().map((l) => l.toFixed(2));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs a child process (async: the proxy lives on this event loop) and times it. */
function timed(argv) {
  return new Promise((done, fail) => {
    const t = performance.now();
    const child = spawn(node, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', fail);
    child.on('close', (code) =>
      done({
        ms: performance.now() - t,
        code,
        stdout: `${Buffer.concat(out)}`,
        stderr: `${Buffer.concat(err)}`,
      }),
    );
  });
}

/** What a command's JSON report says: services, decisions, evidence without data. */
function summarize({ stdout }) {
  try {
    const report = JSON.parse(stdout);
    const decisions = {};
    let noData = 0;
    for (const s of report.services) {
      decisions[s.decision] = (decisions[s.decision] ?? 0) + 1;
      noData += (s.evidence ?? []).filter((e) => e.value === null || e.cause !== undefined).length;
    }
    return `${report.services.length} services, ${JSON.stringify(decisions)}, ${noData} evidence without data`;
  } catch {
    return `no JSON report: ${stdout.slice(0, 200)}`;
  }
}

/** When the queries ran, in seconds from the command's start (the last run's). */
const span = (r) =>
  r.first === undefined
    ? 'no queries'
    : `from ${(r.first / 1000).toFixed(2)} s to ${(r.done / 1000).toFixed(2)} s`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];

/**
 * Runs one command RUNS times: a row with the median wall time and, with a proxy, the last run's
 * counts. `key` names the command for the ratios (run, evaluate, floor).
 */
async function measure(proxy, key, label, n, argv, check) {
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    proxy?.reset();
    const res = await timed(argv);
    runs.push({ ...res, ...proxy?.stats() });
    if (res.code !== 0) console.error(`${label} (${n}) exited ${res.code}: ${res.stderr.slice(0, 500)}`);
  }
  const last = runs.at(-1);
  const row = { key, label, n, ms: median(runs.map((r) => r.ms)), counted: proxy !== undefined };
  Object.assign(row, {
    queries: last.count,
    max: last.max,
    mean: last.mean,
    first: last.first,
    done: last.done,
  });
  rows.push(row);
  const counts = row.counted
    ? `${row.queries} queries, in flight max ${row.max}, mean ${row.mean.toFixed(2)}, ${span(row)}`
    : 'direct';
  console.error(
    `${label.padEnd(30)} ${String(n).padStart(5)} services ${(row.ms / 1000).toFixed(2).padStart(8)} s ` +
      `${(row.ms / n).toFixed(1).padStart(7)} ms/service, ${counts} [${check(last)}]`,
  );
  return last;
}

function print() {
  console.log(
    '\n| command | services | wall time | per service | queries | in flight: most / mean | queries ran |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const cells = [r.label, r.n, `${(r.ms / 1000).toFixed(2)} s`, `${(r.ms / r.n).toFixed(1)} ms`];
    cells.push(...(r.counted ? [r.queries, `${r.max} / ${r.mean.toFixed(2)}`, span(r)] : ['', '', '']));
    console.log(`| ${cells.join(' | ')} |`);
  }
  console.log(`\nload average (1 min) at the start ${load[0]}, at the end ${os.loadavg()[0].toFixed(2)}`);
  const [small, large] = [Math.min(...SIZES), MAX];
  if (small === large) return;
  const row = (key, n) => rows.find((r) => r.key === key && r.n === n && !r.counted);
  for (const key of ['run', 'evaluate', 'floor']) {
    const [a, b] = [row(key, small), row(key, large)];
    const floor = key === 'floor' ? '' : `; ${(b.ms / row('floor', large).ms).toFixed(1)}x the floor`;
    console.log(
      `${key}, direct: per service at ${large} / at ${small}: ${(b.ms / large / (a.ms / small)).toFixed(2)}; ` +
        `marginal ${((b.ms - a.ms) / (large - small)).toFixed(1)} ms a service${floor}`,
    );
  }
}

let prom;
let proxy;
try {
  const version = execFileSync('prometheus', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  console.error(`${os.cpus().length} CPUs, load ${load.join(' ')}, node ${process.version}, ${version}`);
  console.error(`CLI ${CLI}`);
  let t = performance.now();
  const om = join(dir, 'series.om');
  await writeSeries(om, MAX);
  const data = join(dir, 'data');
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', om, data]);
  rmSync(om);
  console.error(`${MAX * 12} series of ${MAX} services backfilled in ${seconds(performance.now() - t)}`);
  t = performance.now();
  const repo = makeRepo(dir, MAX);
  console.error(`GitOps repository, ${MAX * 3} commits, in ${seconds(performance.now() - t)}`);
  prom = await startPrometheus(dir, data);
  proxy = await startProxy(prom.port);
  // Warm-up: every chunk read once, so no measured command pays for the first reads from disk.
  const all = encodeURIComponent('count(count_over_time({__name__=~"http_.*"}[3h]))');
  await fetch(`${prom.url}/api/v1/query?query=${all}`);

  const floorLabel = `floor (concurrency ${args.floor})`;
  const floorCheck = (r) => r.stdout.trim();
  for (const n of SIZES) {
    const cli = (url, ...command) => [
      CLI,
      ...command,
      '-c',
      writePolicy(dir, n, url),
      '--gitops',
      repo,
      '--json',
    ];
    // The wall times straight against Prometheus: the proxy's CPU would compete for the same cores.
    await measure(
      undefined,
      'run',
      'run --mode dry-run',
      n,
      cli(prom.url, 'run', '--mode', 'dry-run'),
      summarize,
    );
    await measure(undefined, 'evaluate', 'evaluate', n, cli(prom.url, 'evaluate'), summarize);
    // Through the proxy: what was in flight, and the very requests the floor replays.
    const counted = cli(proxy.url, 'run', '--mode', 'dry-run');
    const ran = await measure(proxy, 'run', 'run --mode dry-run, counted', n, counted, summarize);
    await measure(proxy, 'evaluate', 'evaluate, counted', n, cli(proxy.url, 'evaluate'), summarize);
    const queries = join(dir, `queries-${n}.json`);
    writeFileSync(queries, JSON.stringify(ran.recorded));
    await measure(undefined, 'floor', floorLabel, n, [FLOOR, queries, prom.url, args.floor], floorCheck);
    const floor = [FLOOR, queries, proxy.url, args.floor];
    await measure(proxy, 'floor', `${floorLabel}, counted`, n, floor, floorCheck);
  }
  print();
} finally {
  await proxy?.close();
  await prom?.stop();
  if (args.keep) console.error(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
