// A real Prometheus on backfilled blocks, and a proxy in front of it that counts the queries in
// flight (for bench/prometheus.mjs). The proxy lives on the caller's event loop: measure child
// processes with async spawn, never a sync call, or it stops answering.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

function freePort() {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

/** Prometheus (from PATH) on the TSDB in `data`, no scrape targets; resolves once it is ready. */
export async function startPrometheus(dir, data) {
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=30d',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 600 || child.exitCode !== null) throw new Error('prometheus did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { url, port, stop };
}

/**
 * Forwards every request to `port`. `stats()` since the last `reset()`: requests, the most in flight
 * at once, the mean in flight over the time (the area under the in-flight curve over the duration),
 * when the first request came and the last answer went (ms since the reset), and the API requests
 * themselves, to replay.
 */
export function startProxy(port) {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  let current = 0;
  let s;
  const tick = () => {
    const now = performance.now();
    s.area += current * (now - s.last);
    s.last = now;
  };
  const reset = () => {
    const now = performance.now();
    s = { count: 0, max: current, area: 0, last: now, since: now, first: undefined, done: 0, recorded: [] };
  };
  reset();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      tick();
      current++;
      s.count++;
      s.first ??= performance.now() - s.since;
      s.max = Math.max(s.max, current);
      if (req.url.startsWith('/api/')) {
        const type = req.headers['content-type'];
        s.recorded.push({ method: req.method, path: req.url, type, body: `${body}` });
      }
      let left = false;
      res.on('close', () => {
        if (left) return;
        left = true;
        tick();
        current--;
        s.done = performance.now() - s.since;
      });
      const options = { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers };
      const up = request({ ...options, agent }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', (e) => res.writeHead(502).end(String(e)));
      up.end(body);
    });
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({
        url: `http://127.0.0.1:${server.address().port}`,
        reset,
        stats: () => {
          tick();
          const ms = performance.now() - s.since;
          const { count, max, first, done, recorded } = s;
          return { count, max, mean: s.area / ms, first, done, recorded };
        },
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}
