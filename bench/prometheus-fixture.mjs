// The generated setup of bench/prometheus.mjs: the series of `count` services (OpenMetrics text for
// promtool's backfill), a GitOps repository pinning them, and a policy over the first `n` of them.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';

export const CANDIDATE = '1.2.0';
export const STABLE = '1.1.0';
export const name = (i) => `svc${String(i).padStart(4, '0')}`;

// Both versions healthy: the candidate fails 1.2% of requests (limit 5%) and answers 95% within
// about 400 ms (limit 800 ms, or the stable's p95 + 50%), so every service is judged on data and allowed.
const VERSIONS = [
  { version: STABLE, errors: 0.01, buckets: [0.72, 0.91, 0.99, 1] },
  { version: CANDIDATE, errors: 0.012, buckets: [0.7, 0.9, 0.985, 1] },
];
const LES = ['0.1', '0.25', '0.5', '+Inf'];

/**
 * 12 series a service (2 versions x 2 codes, 2 versions x 4 buckets), one sample a minute from 40
 * minutes ago to 80 minutes ahead: a run reads the last 10-20 minutes, and samples "in the future"
 * keep the data current however long the benchmark takes (Prometheus reads none past a query's end).
 */
export async function writeSeries(file, count) {
  const nowMin = Math.floor(Date.now() / 60_000) * 60;
  const [start, end] = [nowMin - 40 * 60, nowMin + 80 * 60];
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  const counter = async (series, perMinute) => {
    let text = '';
    for (let t = start, n = 0; t <= end; t += 60, n += perMinute) text += `${series} ${n} ${t}\n`;
    await write(text);
  };
  const rpm = (i) => 600 + (i % 7) * 100;
  await write('# HELP http_requests Requests served.\n# TYPE http_requests counter\n');
  for (let i = 0; i < count; i++) {
    for (const v of VERSIONS) {
      const bad = Math.round(rpm(i) * v.errors);
      const labels = `service="${name(i)}",version="${v.version}"`;
      await counter(`http_requests_total{${labels},code="200"}`, rpm(i) - bad);
      await counter(`http_requests_total{${labels},code="500"}`, bad);
    }
  }
  await write('# HELP http_request_duration_seconds Latency.\n');
  await write('# TYPE http_request_duration_seconds histogram\n');
  for (let i = 0; i < count; i++) {
    for (const v of VERSIONS) {
      for (const [k, le] of LES.entries()) {
        const labels = `service="${name(i)}",version="${v.version}",le="${le}"`;
        await counter(`http_request_duration_seconds_bucket{${labels}}`, Math.round(rpm(i) * v.buckets[k]));
      }
    }
  }
  await write('# EOF\n');
  out.end();
  await finished(out);
}

/**
 * One pin file a service (`apps/<name>/kustomization.yaml`), three deploys each, one commit each:
 * 1.0.0 three days ago, the stable a day ago, the candidate 20 minutes ago (inside the guard window).
 */
export function makeRepo(dir, count) {
  const repo = join(dir, 'gitops');
  mkdirSync(repo);
  const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x' };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
  const now = Math.floor(Date.now() / 1000);
  const deploys = [
    ['1.0.0', 3 * 86_400],
    [STABLE, 86_400],
    [CANDIDATE, 20 * 60],
  ];
  let stream = '';
  for (const [tag, ago] of deploys) {
    for (let i = 0; i < count; i++) {
      const content = `images:\n  - name: ghcr.io/acme/${name(i)}\n    newTag: ${tag}\n`;
      stream +=
        `commit refs/heads/main\ncommitter b <b@x> ${now - ago + i} +0000\n` +
        `data <<EOM\ndeploy ${name(i)} ${tag}\nEOM\n` +
        `M 100644 inline apps/${name(i)}/kustomization.yaml\ndata ${Buffer.byteLength(content)}\n${content}\n`;
    }
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo, input: stream, env, maxBuffer: 1 << 30 });
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: repo, env });
  return repo;
}

const ERRORS =
  'sum(rate(http_requests_total{service="{{service}}",version="{{version}}",code=~"5.."}[{{window}}]))' +
  ' / sum(rate(http_requests_total{service="{{service}}",version="{{version}}"}[{{window}}]))';
const LATENCY =
  'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket' +
  '{service="{{service}}",version="{{version}}"}[{{window}}]))) * 1000';

/** A policy over the first `n` services reading `url` (the provider's default `concurrency`); its path. */
export function writePolicy(dir, n, url) {
  let text = `version: 1\nproviders:\n  prom: { type: prometheus, url: "${url}" }\n`;
  text += 'defaults: { provider: prom, window: 10m, mode: dry-run }\nservices:\n';
  for (let i = 0; i < n; i++) {
    const s = name(i);
    text +=
      `  ${s}:\n    pin: { file: apps/${s}/kustomization.yaml, kustomize_image: ghcr.io/acme/${s} }\n` +
      `    triggers:\n      error_rate: { query: '${ERRORS}', max: 0.05, reason: error_spike }\n` +
      `      latency_p95_ms: { query: '${LATENCY}', max: 800, max_increase: 50%, reason: sla_breach }\n`;
  }
  const file = join(dir, `pinback-${n}-${new URL(url).port}.yml`);
  writeFileSync(file, text);
  return file;
}
