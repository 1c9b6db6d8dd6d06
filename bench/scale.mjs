// Issue 13's scale benchmark: `pinback run` over 1 to 2,000 services of a GitOps repository with
// 100,000 commits (bench/big-repo.mjs makes it, once; this reuses it), then 500 services breaching
// at once: one run, and two racing runs against one `file://` remote.
//
//   node bench/scale.mjs [--sizes 1,10,100,1000,2000] [--variants local:none,local:bloom,remote:none]
//                        [--timeout 600] [--repeat-small 3] [--trace-size 10] [--no-skip]
//                        [--breach 500] [--breach-targets remote,local] [--breach-trace 20]
//                        [--no-dry] [--no-breach] [--no-race]
//                        [--cli PATH | --cli-rev HEAD] [--out /work/tmp/bench/big] [--commits N --services N]
//
// A variant is TARGET:GRAPH: TARGET `local` (a work tree, `--gitops PATH`) or `remote` (a bare copy
// served as `--gitops file://PATH`: pinback clones it shallow and blob-less); GRAPH the commit-graph
// of that repository: `none`, `plain`, or `bloom` (with changed-path Bloom filters). Dry runs never
// write, so each variant's snapshot serves all its sizes; every rollback run gets a fresh copy.
//
// Each measurement is one child `/usr/bin/time node CLI ...`: wall time from here, CPU (user+sys of
// node and every git it waited for) from /usr/bin/time. A run past --timeout is stopped (SIGTERM,
// then SIGKILL) and reported as "> X s" with the CPU read from /proc just before; a size whose
// projection from the previous size is over 3x the timeout is skipped (--no-skip: run it to the
// cap). Floors (`node -e 0`, and `git log --oneline | wc -l` on the repository) are timed in the
// same run: the machine is shared, so compare ratios. The CLI is copied first (see freezeCli), so a
// rebuild during the run changes nothing. `--trace-size N` and `--breach-trace K` run once more
// with GIT_TRACE2_EVENT and sum the git processes' time by command.
// Results: a summary on stdout, everything in OUT/results/scale-<time>.json.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setInterval, clearInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import {
  DEFAULT_OUT,
  bareCopy,
  generateBase,
  git,
  makeSnapshot,
  pinFile,
  policyYaml,
  readMeta,
} from './big-repo.mjs';

const { values: opt } = parseArgs({
  options: {
    out: { type: 'string', default: DEFAULT_OUT },
    sizes: { type: 'string', default: '1,10,100,1000,2000' },
    variants: { type: 'string', default: 'local:none,local:bloom,remote:none' },
    timeout: { type: 'string', default: '600' },
    'repeat-small': { type: 'string', default: '3' },
    'trace-size': { type: 'string', default: '10' },
    breach: { type: 'string', default: '500' },
    'breach-targets': { type: 'string', default: 'remote,local' },
    'breach-graph': { type: 'string', default: 'none' },
    commits: { type: 'string' },
    services: { type: 'string' },
    'no-dry': { type: 'boolean', default: false },
    'no-breach': { type: 'boolean', default: false },
    'no-race': { type: 'boolean', default: false },
    'breach-trace': { type: 'string', default: '20' },
    'no-skip': { type: 'boolean', default: false },
    cli: { type: 'string' },
    'cli-rev': { type: 'string', default: 'HEAD' },
  },
});
const OUT = resolve(opt.out);
const SIZES = opt.sizes.split(',').map(Number);
const TIMEOUT_S = Number(opt.timeout);
const REPEAT_SMALL = Number(opt['repeat-small']);
const TRACE_SIZE = Number(opt['trace-size']);
const BREACH = Number(opt.breach);
const RUN_DIR = join(OUT, 'run');
const TMP = join(OUT, 'tmp');
const node = process.execPath;
const log = (s) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const round = (x, d = 2) => (x === undefined || x === null ? x : Math.round(x * 10 ** d) / 10 ** d);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- the CLI, frozen ---------------------------------------------------------------------------

/**
 * The CLI to measure, copied out of the way: `--cli PATH` (a dist/cli.js and its chunks), or else
 * dist/ as committed at `--cli-rev` (default HEAD: the current code, whatever the work tree's
 * dist/ holds mid-edit), read with `git archive` (which changes nothing in the repository).
 */
function freezeCli() {
  const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..');
  if (opt.cli !== undefined) {
    const dist = dirname(resolve(opt.cli));
    const hash = createHash('sha256')
      .update(readFileSync(resolve(opt.cli)))
      .digest('hex')
      .slice(0, 12);
    const dest = join(OUT, 'cli', `file-${hash}`);
    rmSync(dest, { recursive: true, force: true });
    cpSync(dist, dest, { recursive: true });
    return { cli: join(dest, 'cli.js'), source: `${resolve(opt.cli)} (sha256 ${hash})` };
  }
  const rev = opt['cli-rev'];
  const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], {
    cwd: repoRoot,
    encoding: 'utf8',
  }).trim();
  const dest = join(OUT, 'cli', sha.slice(0, 12));
  if (!existsSync(join(dest, 'dist', 'cli.js'))) {
    mkdirSync(dest, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', sha, 'dist'], {
      cwd: repoRoot,
      maxBuffer: 1 << 30,
    });
    execFileSync('tar', ['-x', '-C', dest], { input: tar });
  }
  return { cli: join(dest, 'dist', 'cli.js'), source: `dist/ of ${sha.slice(0, 12)} (${rev})` };
}

// ---- one measured child ----------------------------------------------------------------------------

const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds of a process and its reaped children (utime, stime, cutime, cstime), and of its live descendants. */
function cpuOf(pid) {
  let total = 0;
  const visit = (p, withReaped) => {
    let stat;
    try {
      stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    } catch {
      return;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the command: state(3) ... utime(14) stime(15) cutime(16) cstime(17), 1-based
    total += (Number(f[11]) + Number(f[12]) + (withReaped ? Number(f[13]) + Number(f[14]) : 0)) / TICK;
    let children = '';
    try {
      for (const t of readdirSync(`/proc/${p}/task`))
        children += ` ${readFileSync(`/proc/${p}/task/${t}/children`, 'utf8')}`;
    } catch {
      // gone
    }
    for (const c of children.split(/\s+/).filter(Boolean)) visit(Number(c), true);
  };
  visit(pid, true);
  return total;
}

/**
 * Runs `node CLI ...args` under /usr/bin/time; resolves to { wall, user, sys, cpu, rss, code,
 * timedOut, stdout, stderr, load }. `onTick(elapsed)` is called every 2 s while it runs.
 */
function measure(args, { env = {}, timeoutS = TIMEOUT_S, cwd = OUT, onTick, exe = [node] } = {}) {
  const timeFile = join(TMP, `time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const load = loadavg()[0];
  return new Promise((done) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, ...exe, ...args], {
      cwd,
      env: { ...process.env, TMPDIR: TMP, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    let timedOut = false;
    let cpuAtKill;
    const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
    const ticker = setInterval(() => onTick?.(elapsed()), 2000);
    const timer = setTimeout(() => {
      timedOut = true;
      cpuAtKill = cpuOf(child.pid);
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000).unref();
    }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      const wall = elapsed();
      clearTimeout(timer);
      clearInterval(ticker);
      let user;
      let sys;
      let rss;
      try {
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop();
        const m = last.match(/^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/);
        if (m) [user, sys, rss] = [Number(m[2]), Number(m[3]), Number(m[4]) * 1024];
      } catch {
        // killed before /usr/bin/time wrote it
      }
      rmSync(timeFile, { force: true });
      const cpu = user !== undefined && !timedOut ? user + sys : cpuAtKill;
      done({
        wall,
        user,
        sys,
        cpu,
        rss,
        code,
        signal,
        timedOut,
        load,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Decisions, actions and reasons of a `--json` report, counted: { 'allow/none/within_limits': 17, ... }. */
function tally(stdout) {
  try {
    const r = JSON.parse(stdout);
    const c = {};
    for (const s of r.services) {
      const k = `${s.decision}/${s.action}/${s.reason ?? '-'}`;
      c[k] = (c[k] ?? 0) + 1;
    }
    return c;
  } catch {
    return undefined;
  }
}

/** stderr's warnings grouped by their text with service names and versions left out, most frequent first. */
function warningsOf(stderr) {
  const groups = new Map();
  for (const line of stderr.split('\n')) {
    const m = line.match(/^pinback: (warning: )?([^:]+): (.*)$/);
    if (!m) continue;
    const text = m[3]
      .replaceAll(m[2], 'SERVICE')
      .replace(/\b\d+\.\d+\.\d+\b/g, 'V')
      .replace(/\b[0-9a-f]{12,40}\b/g, 'SHA')
      .slice(0, 160);
    groups.set(text, (groups.get(text) ?? 0) + 1);
  }
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([text, n]) => ({ n, text }));
}

const fmtS = (m) => (m.timedOut ? `> ${Math.round(m.wall)} s` : `${m.wall.toFixed(2)} s`);
const fmtCpu = (m) => (m.cpu === undefined ? 'n/a' : `${m.timedOut ? '> ' : ''}${m.cpu.toFixed(1)} s`);

// ---- floors -------------------------------------------------------------------------------------

async function floors(repo) {
  const nodeRuns = [];
  for (let i = 0; i < 5; i++) nodeRuns.push(await measure(['-e', '0']));
  // `git log --oneline | wc -l`, without a shell: git under /usr/bin/time, its lines counted here.
  const gitRuns = [];
  for (let i = 0; i < 3; i++) {
    const m = await measure(['log', '--oneline'], { exe: ['git', '-C', repo] });
    m.lines = m.stdout.split('\n').length - 1;
    m.stdout = '';
    gitRuns.push(m);
  }
  const pick = (runs) => {
    const w = median(runs.map((r) => r.wall));
    return { wall: w, cpu: median(runs.map((r) => r.cpu)), runs: runs.map((r) => round(r.wall, 3)) };
  };
  return { node: pick(nodeRuns), gitLog: { ...pick(gitRuns), lines: gitRuns[0].lines } };
}

// ---- git trace: which commands the time goes to ---------------------------------------------------

function summarizeTrace(file) {
  const procs = new Map();
  if (!existsSync(file)) return { processes: 0, byCommand: [] };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    const p = procs.get(e.sid) ?? {};
    if (e.event === 'start') p.argv = e.argv;
    if (e.event === 'cmd_name') p.name = e.name;
    if (e.event === 'atexit' || e.event === 'exit') p.elapsed = e.t_abs;
    procs.set(e.sid, p);
  }
  const groups = new Map();
  let top = 0;
  for (const [sid, p] of procs) {
    const nested = sid.includes('/');
    if (!nested) top++;
    let name = p.name ?? p.argv?.[1] ?? '?';
    const argv = p.argv ?? [];
    if (name === 'log') {
      if (argv.includes('--first-parent')) name = 'log --first-parent -n (a pin history)';
      else if (argv.includes('--full-history')) name = 'log --full-history (what merges brought)';
    }
    if (nested) name = `  (spawned by git) ${name}`;
    const g = groups.get(name) ?? { count: 0, seconds: 0 };
    g.count++;
    g.seconds += p.elapsed ?? 0;
    groups.set(name, g);
  }
  return {
    processes: top,
    byCommand: [...groups]
      .map(([name, g]) => ({ name, count: g.count, seconds: round(g.seconds, 2) }))
      .sort((a, b) => b.seconds - a.seconds),
  };
}

// ---- dry runs --------------------------------------------------------------------------------------

async function dryRuns(meta, cli, results) {
  const variants = opt.variants.split(',').map((v) => {
    const [target, graph = 'none'] = v.split(':');
    return { target, graph };
  });
  const graphs = [...new Set(variants.map((v) => v.graph))];
  const snaps = {};
  for (const graph of graphs) {
    const dir = join(RUN_DIR, graph);
    snaps[graph] = await makeSnapshot({ out: OUT, meta, dir, sizes: SIZES, graph, log });
    snaps[graph].dir = dir;
    results.snapshots[graph] = {
      inWindow: snaps[graph].inWindow,
      cloneSeconds: round(snaps[graph].cloneSeconds),
      graphSeconds: round(snaps[graph].graphSeconds),
    };
  }
  results.floors = await floors(join(snaps[graphs[0]].dir, 'repo'));
  log(
    `floors: node -e 0 ${(results.floors.node.wall * 1000).toFixed(0)} ms, git log --oneline | wc -l ` +
      `${results.floors.gitLog.wall.toFixed(2)} s (${results.floors.gitLog.lines} commits), load ${loadavg()[0].toFixed(1)}`,
  );
  for (const { target, graph } of variants) {
    const snap = snaps[graph];
    let gitops = join(snap.dir, 'repo');
    if (target === 'remote') {
      const bare = join(snap.dir, 'remote.git');
      if (!existsSync(join(bare, 'HEAD'))) bareCopy(gitops, bare, graph);
      gitops = `file://${bare}`;
    }
    const key = `${target}:${graph}`;
    const rows = [];
    results.dry[key] = rows;
    let prev;
    for (const n of SIZES) {
      const args = [
        cli,
        'run',
        '-c',
        join(snap.dir, `policy-${n}.yml`),
        '--gitops',
        gitops,
        '--mode',
        'dry-run',
        '--json',
      ];
      if (!opt['no-skip'] && prev && (prev.timedOut || (prev.wall / prev.n) * n > 3 * TIMEOUT_S)) {
        const projected = prev.timedOut ? undefined : round((prev.wall / prev.n) * n, 0);
        rows.push({ n, skipped: true, projected });
        log(
          `${key} N=${n}: skipped (${projected ? `projected ${projected} s from N=${prev.n}` : `N=${prev.n} timed out`})`,
        );
        continue;
      }
      const runs = [];
      const repeat = n <= 10 ? REPEAT_SMALL : 1;
      for (let i = 0; i < repeat; i++) {
        const m = await measure(args, {
          onTick: (t) => {
            if (Math.round(t) % 60 === 0) log(`  ${key} N=${n}: ${Math.round(t)} s...`);
          },
        });
        m.tally = tally(m.stdout);
        m.warnings = m.stderr.split('\n').filter(Boolean).length;
        m.stderrHead = m.stderr.slice(0, 400);
        m.stdout = '';
        m.stderr = '';
        runs.push(m);
        log(
          `${key} N=${n} run ${i + 1}/${repeat}: ${fmtS(m)} wall, CPU ${fmtCpu(m)}, exit ${m.code ?? m.signal}, ` +
            `load ${m.load.toFixed(1)}, ${JSON.stringify(m.tally ?? m.stderrHead)}`,
        );
        if (m.timedOut) break;
      }
      const best =
        runs.find((r) => r.timedOut) ?? runs.sort((a, b) => a.wall - b.wall)[Math.floor(runs.length / 2)];
      const row = {
        n,
        wall: round(best.wall),
        cpu: round(best.cpu, 1),
        timedOut: best.timedOut,
        code: best.code,
        rssMiB: best.rss ? Math.round(best.rss / 2 ** 20) : undefined,
        load: round(best.load, 1),
        tally: best.tally,
        runs: runs.map((r) => round(r.wall)),
      };
      rows.push(row);
      prev = { ...row, wall: best.wall, n };
    }
    if (TRACE_SIZE > 0 && SIZES.includes(TRACE_SIZE)) {
      const file = join(TMP, `trace-${target}-${graph}.json`);
      rmSync(file, { force: true });
      const m = await measure(
        [
          cli,
          'run',
          '-c',
          join(snap.dir, `policy-${TRACE_SIZE}.yml`),
          '--gitops',
          gitops,
          '--mode',
          'dry-run',
          '--json',
        ],
        { env: { GIT_TRACE2_EVENT: file } },
      );
      const summary = summarizeTrace(file);
      results.traces[key] = {
        n: TRACE_SIZE,
        wall: round(m.wall),
        cpu: round(m.cpu, 1),
        timedOut: m.timedOut,
        ...summary,
      };
      log(
        `${key} traced N=${TRACE_SIZE}: ${fmtS(m)}, ${summary.processes} git processes; ` +
          summary.byCommand
            .slice(0, 6)
            .map((g) => `${g.name.trim()} x${g.count} ${g.seconds} s`)
            .join('; '),
      );
    }
  }
}

// ---- rollbacks -------------------------------------------------------------------------------------

/** Rollback commits per service between `base` and the branch head, read from their trailers. */
function rollbacksIn(repo, base) {
  const out = git(repo, [
    'log',
    '--format=%(trailers:key=Rollback-Service,valueonly,separator=%x2C)',
    `${base}..main`,
  ]);
  const per = new Map();
  for (const line of out.split('\n')) {
    const s = line.trim();
    if (s) per.set(s, (per.get(s) ?? 0) + 1);
  }
  return per;
}

function count(repo, base) {
  try {
    return Number(
      git(repo, ['rev-list', '--count', `${base}..main`], { stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
  } catch {
    return NaN;
  }
}

/** A fresh copy of the breach repository: a bare one (served as file://) or a work tree. */
function freshCopy(breachRepo, kind, i) {
  const dest = join(RUN_DIR, `breach-${kind}-${i}${kind === 'remote' ? '.git' : ''}`);
  if (kind === 'remote')
    return { dir: bareCopy(breachRepo, dest, opt['breach-graph']), gitops: `file://${dest}` };
  rmSync(dest, { recursive: true, force: true });
  git(RUN_DIR, ['clone', '-q', breachRepo, dest]);
  git(dest, ['config', 'gc.auto', '0']);
  return { dir: dest, gitops: dest };
}

async function breachRuns(meta, cli, results) {
  const dir = join(RUN_DIR, 'breach-src');
  const snap = await makeSnapshot({
    out: OUT,
    meta,
    dir,
    sizes: [],
    graph: opt['breach-graph'],
    breach: BREACH,
    log,
  });
  const breachRepo = join(dir, 'breach', 'repo');
  const policy = join(dir, 'breach', 'policy.yml');
  const base = git(breachRepo, ['rev-parse', 'HEAD']).trim();
  const names = snap.breach.breached;
  const check = (repo) => {
    const per = rollbacksIn(repo, base);
    const twice = [...per].filter(([, c]) => c > 1).map(([s]) => s);
    const missing = names.filter((s) => !per.has(s));
    return { commits: count(repo, base), services: per.size, twice, missing: missing.length };
  };
  // Where each breaching service's stable was pinned, counted in first-parent commits from the head:
  // a remote is cloned shallow and deepened to at most 10,000 commits (DEFAULT_MAX_DEPTH in
  // src/gitops/remote.ts), so a stable pinned deeper cannot be found there.
  const depthCap = 10_000;
  const seen = new Map();
  const logOut = git(breachRepo, [
    'log',
    '--first-parent',
    '--format=',
    '--name-only',
    `-n${depthCap}`,
    'main',
  ]);
  for (const path of logOut.split('\n')) if (path) seen.set(path, (seen.get(path) ?? 0) + 1);
  const beyond = names.filter((n) => (seen.get(pinFile(n)) ?? 0) < 2).length;
  results.breachDepth = { depthCap, stablesBeyondCap: beyond, of: names.length };
  log(
    `breach: ${beyond} of ${names.length} stables were pinned more than ${depthCap} first-parent commits back`,
  );
  const targets = opt['no-breach'] ? [] : opt['breach-targets'].split(',').filter(Boolean);
  for (const kind of targets) {
    const copy = freshCopy(breachRepo, kind, 0);
    const progress = [];
    const marks = [1, 100, 250, BREACH];
    const m = await measure([cli, 'run', '-c', policy, '--gitops', copy.gitops, '--mode', 'auto', '--json'], {
      onTick: (t) => {
        const c = count(copy.dir, base);
        while (marks.length && c >= marks[0]) progress.push({ commits: marks.shift(), seconds: round(t, 0) });
        if (Math.round(t) % 60 === 0) log(`  breach ${kind}: ${Math.round(t)} s, ${c} commits`);
      },
    });
    const row = {
      target: kind,
      wall: round(m.wall),
      cpu: round(m.cpu, 1),
      timedOut: m.timedOut,
      code: m.code,
      tally: tally(m.stdout),
      progress,
      warnings: warningsOf(m.stderr),
      ...check(copy.dir),
    };
    row.perRollback = row.commits ? round(m.wall / row.commits) : undefined;
    results.breach.push(row);
    log(
      `breach ${kind}: ${fmtS(m)} wall, CPU ${fmtCpu(m)}, ${row.commits} commits, ${row.services} services rolled back ` +
        `(${row.twice.length} twice, ${row.missing} missing), progress ${JSON.stringify(progress)}, ${JSON.stringify(row.tally ?? m.stderr.slice(0, 300))}`,
    );
  }
  if (!opt['no-race']) {
    const copy = freshCopy(breachRepo, 'remote', 'race');
    const args = [cli, 'run', '-c', policy, '--gitops', copy.gitops, '--mode', 'auto', '--json'];
    const t0 = Date.now();
    const pair = await Promise.all([
      measure(args, {
        onTick: (t) => {
          if (Math.round(t) % 60 === 0) log(`  race: ${Math.round(t)} s, ${count(copy.dir, base)} commits`);
        },
      }),
      measure(args),
    ]);
    const row = {
      wall: round((Date.now() - t0) / 1000),
      runs: pair.map((m) => ({
        wall: round(m.wall),
        cpu: round(m.cpu, 1),
        timedOut: m.timedOut,
        code: m.code,
        tally: tally(m.stdout),
        warnings: warningsOf(m.stderr),
      })),
      ...check(copy.dir),
    };
    results.race = row;
    log(
      `race: ${row.wall} s, ${row.commits} commits, ${row.services} services rolled back, ${row.twice.length} twice ` +
        `(${row.twice.slice(0, 5).join(', ')}), ${row.missing} missing; runs ${JSON.stringify(row.runs)}`,
    );
  }
  // Which git commands a rollback costs: the first K breaching services, traced, on fresh copies.
  const k = Math.min(Number(opt['breach-trace']), names.length);
  if (k > 0) {
    const byName = new Map(snap.breach.state.svc.map((s) => [s.name, s]));
    const few = join(dir, 'breach', `policy-${k}.yml`);
    writeFileSync(few, policyYaml(names.slice(0, k).map((n) => byName.get(n))));
    results.breachTraces = {};
    for (const kind of opt['breach-targets'].split(',').filter(Boolean)) {
      const copy = freshCopy(breachRepo, kind, 'trace');
      const file = join(TMP, `trace-breach-${kind}.json`);
      rmSync(file, { force: true });
      const m = await measure([cli, 'run', '-c', few, '--gitops', copy.gitops, '--mode', 'auto', '--json'], {
        env: { GIT_TRACE2_EVENT: file },
      });
      const summary = summarizeTrace(file);
      const made = count(copy.dir, base);
      results.breachTraces[kind] = {
        k,
        wall: round(m.wall),
        cpu: round(m.cpu, 1),
        timedOut: m.timedOut,
        commits: made,
        ...summary,
      };
      log(
        `breach ${kind} traced, ${k} services: ${fmtS(m)}, ${made} commits, ${summary.processes} git processes ` +
          `(${round(summary.processes / Math.max(1, made), 1)} a rollback); ` +
          summary.byCommand
            .slice(0, 8)
            .map((g) => `${g.name.trim()} x${g.count} ${g.seconds} s`)
            .join('; '),
      );
    }
  }
}

// ---- main ----------------------------------------------------------------------------------------

mkdirSync(TMP, { recursive: true });
mkdirSync(RUN_DIR, { recursive: true });
const started = new Date();
// Reuses OUT's repository whatever its size, unless --commits or --services ask for another.
const existing = readMeta(OUT);
const meta = await generateBase({
  out: OUT,
  commits: Number(opt.commits ?? existing?.commits ?? 100_000),
  services: Number(opt.services ?? existing?.services ?? 2000),
  seed: existing?.seed ?? 13,
  log,
});
const { cli, source } = freezeCli();
const results = {
  started: started.toISOString(),
  machine: {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: cpus()[0]?.model,
    git: execFileSync('git', ['--version'], { encoding: 'utf8' }).trim(),
    node: process.version,
    loadAtStart: round(loadavg()[0], 1),
  },
  cli: { source },
  repo: {
    commits: meta.commits,
    services: meta.services,
    firstParent: meta.firstParent,
    merges: meta.merges,
    generatedAt: meta.generatedAt,
    importSeconds: meta.importSeconds,
    packMiB: Math.round(meta.packBytes / 2 ** 20),
  },
  timeoutS: TIMEOUT_S,
  snapshots: {},
  dry: {},
  traces: {},
  breach: [],
};
log(
  `pinback: ${source}; ${results.machine.nproc} CPUs, ${results.machine.git}, node ${process.version}; ` +
    `load ${results.machine.loadAtStart}`,
);
const save = () => {
  mkdirSync(join(OUT, 'results'), { recursive: true });
  const f = join(OUT, 'results', `scale-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(f, JSON.stringify(results, null, 2));
  return f;
};
if (!opt['no-dry']) await dryRuns(meta, cli, results);
save();
if (!opt['no-breach'] || !opt['no-race'] || Number(opt['breach-trace']) > 0)
  await breachRuns(meta, cli, results);
results.finished = new Date().toISOString();
results.machine.loadAtEnd = round(loadavg()[0], 1);
const file = save();

// ---- summary -------------------------------------------------------------------------------------

console.log('');
const f = results.floors;
if (f) {
  console.log(
    `floors: node -e 0 ${(f.node.wall * 1000).toFixed(0)} ms; git log --oneline | wc -l ${f.gitLog.wall.toFixed(2)} s`,
  );
  console.log('');
  console.log(
    '| variant | services | wall | CPU | per service (wall) | x node -e 0 | x git log | services judged |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [key, rows] of Object.entries(results.dry)) {
    for (const r of rows) {
      if (r.skipped) {
        console.log(
          `| ${key} | ${r.n} | skipped${r.projected ? ` (~${r.projected} s projected)` : ''} | | | | | |`,
        );
        continue;
      }
      const judged = r.tally
        ? Object.entries(r.tally)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
        : r.timedOut
          ? `stopped at ${TIMEOUT_S} s`
          : `exit ${r.code}`;
      const gt = r.timedOut ? '> ' : '';
      console.log(
        `| ${key} | ${r.n} | ${gt}${r.wall} s | ${gt}${r.cpu} s | ${gt}${round(r.wall / r.n, 3)} s | ` +
          `${gt}${Math.round(r.wall / f.node.wall)} | ${gt}${round(r.wall / f.gitLog.wall, 1)} | ${judged} |`,
      );
    }
    const one = rows.find((r) => r.n === 1 && !r.skipped);
    const all = rows.find((r) => r.n === meta.services);
    if (one && all && !all.skipped) {
      console.log(
        `| ${key} | ratio ${meta.services} : 1 | ${all.timedOut ? '> ' : ''}${round(all.wall / one.wall, 1)}x | ${all.timedOut ? '> ' : ''}${round(all.cpu / one.cpu, 1)}x | | | | |`,
      );
    }
  }
}
console.log(`\nresults: ${file}`);
