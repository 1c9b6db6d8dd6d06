/**
 * A real Prometheus for tests, with two hours of backfilled request counters and latency histograms.
 *
 * Recipe (Debian's prometheus 2.42; `apt-get install prometheus` ships `prometheus` and `promtool`):
 *  1. write OpenMetrics text: one sample a minute per series for two hours, timestamps in seconds, ending a
 *     couple of minutes before now (on a whole minute), `# EOF` last;
 *  2. `promtool tsdb create-blocks-from openmetrics FILE DATA_DIR` (2 h blocks, aligned to 2 h boundaries);
 *  3. `prometheus --config.file=<no scrape targets> --storage.tsdb.path=DATA_DIR
 *     --storage.tsdb.retention.time=30d --web.listen-address=127.0.0.1:PORT`, then poll `/-/ready`.
 * Blocks present at startup are loaded before `/-/ready` answers 200; recent blocks are accepted as is
 * (overlapping blocks have been allowed by default since 2.39, and the head is empty), so no extra flag.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Both binaries from PATH, or undefined when either is missing. */
export function findPrometheus(): PrometheusBinaries | undefined {
  const prometheus = which('prometheus');
  const promtool = which('promtool');
  return prometheus && promtool ? { prometheus, promtool } : undefined;
}

/** Requests per minute of each series: the candidate fails 9% of requests, the stable version 1%. */
export const TRAFFIC: ReadonlyArray<{ version: string; code: string; perMinute: number }> = [
  { version: '2.4.0', code: '200', perMinute: 910 },
  { version: '2.4.0', code: '500', perMinute: 90 },
  { version: '2.3.3', code: '200', perMinute: 990 },
  { version: '2.3.3', code: '500', perMinute: 10 },
];

export const SERVICE = 'support-agent';

/**
 * Requests per minute of each version at or under each latency bound, cumulative as a histogram's `le`
 * buckets count them: the candidate answers 60% of its 1000 requests a minute within 100 ms, the stable
 * version 80%. Every request lands in `+Inf`.
 */
export const LATENCY: ReadonlyArray<{
  version: string;
  buckets: ReadonlyArray<[le: string, perMinute: number]>;
}> = [
  {
    version: '2.4.0',
    buckets: [
      ['0.1', 600],
      ['0.25', 850],
      ['0.5', 950],
      ['+Inf', 1000],
    ],
  },
  {
    version: '2.3.3',
    buckets: [
      ['0.1', 800],
      ['0.25', 950],
      ['0.5', 990],
      ['+Inf', 1000],
    ],
  },
];

/** One counter series: a sample every `every` seconds (a minute) from `start` to `end`, growing by `perMinute`. */
function counterLines(series: string, perMinute: number, start: number, end: number, every = 60): string[] {
  const lines: string[] = [];
  for (let t = start, count = 0; t <= end; t += every, count += (perMinute * every) / 60)
    lines.push(`${series} ${count} ${t}`);
  return lines;
}

/** How a fixture differs from the default one. */
export interface FixtureOptions {
  /** More labels on every series, as `app="support-agent"` (for policies that select by another label). */
  labels?: string;
  /** Seconds between samples, as a scrape interval (default 60; 15 lets `increase(…[1m])` see two). */
  everySeconds?: number;
}

/**
 * OpenMetrics text for `http_requests_total{service, version, code}` counters and the
 * `http_request_duration_seconds_bucket{service, version, le}` buckets of a histogram (no `_sum` or
 * `_count`: promtool does not need them): one sample a minute from `endSeconds - durationSeconds` to
 * `endSeconds` (both on whole minutes), each series' samples together.
 */
export function openMetricsFixture(
  endSeconds: number,
  durationSeconds = 2 * 3600,
  extra: ExtraSeries = () => [],
  o: FixtureOptions = {},
): string {
  const more = o.labels ? `${o.labels},` : '';
  const start = endSeconds - durationSeconds;
  const lines = ['# HELP http_requests Requests served.', '# TYPE http_requests counter'];
  for (const { version, code, perMinute } of TRAFFIC) {
    const series = `http_requests_total{service="${SERVICE}",${more}version="${version}",code="${code}"}`;
    lines.push(...counterLines(series, perMinute, start, endSeconds, o.everySeconds));
  }
  lines.push('# HELP http_request_duration_seconds Request latency.');
  lines.push('# TYPE http_request_duration_seconds histogram');
  for (const { version, buckets } of LATENCY) {
    for (const [le, perMinute] of buckets) {
      const series = `http_request_duration_seconds_bucket{service="${SERVICE}",${more}version="${version}",le="${le}"}`;
      lines.push(...counterLines(series, perMinute, start, endSeconds, o.everySeconds));
    }
  }
  lines.push(...extra(start, endSeconds));
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** More OpenMetrics lines (a `# TYPE` line, then series) for the window `[start, end]`, in seconds. */
export type ExtraSeries = (start: number, end: number) => string[];

/** One counter series a minute from `start` to `end`, growing by `perMinute` (for ExtraSeries). */
export function counterSeries(series: string, perMinute: number, start: number, end: number): string[] {
  return counterLines(series, perMinute, start, end);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  url: string;
  /** Time of the last backfilled sample. */
  dataEnd: Date;
  /** The process, for tests that need to stop it themselves. */
  process: ChildProcess;
  /** SIGKILLs the process and waits for it to exit (Prometheus gone mid-run). */
  kill(): Promise<void>;
  /** Stops the process (if running) and removes the data directory. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Backfills the fixture and starts Prometheus on a free loopback port; resolves once it is ready. */
export async function startPrometheus(
  bins: PrometheusBinaries,
  now = Date.now(),
  extra?: ExtraSeries,
  o: FixtureOptions = {},
): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'pinback-prom-'));
  const dataDir = join(dir, 'data');
  const endSeconds = Math.floor(now / 60_000) * 60 - 120;
  const fixture = join(dir, 'fixture.om');
  await writeFile(fixture, openMetricsFixture(endSeconds, 2 * 3600, extra, o));
  await execFileAsync(bins.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', fixture, dataDir]);
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    bins.prometheus,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      '--storage.tsdb.retention.time=30d',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  });

  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`prometheus exited before it was ready:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, dataEnd: new Date(endSeconds * 1000), process: child, kill, stop };
}
