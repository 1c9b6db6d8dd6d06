/**
 * Issue 12 end to end, the CLI: credentials in every provider style (URL user info, bearer, basic, custom
 * headers, a query-string key, Datadog keys) and in the notifiers (a Slack URL, a webhook URL and header),
 * against backends failing in every way (refused, 401 echoing the headers, 500 echoing the request,
 * timeout, redirect to another origin, a self-signed certificate). `pinback run` rolls back on a file
 * trigger, so the no-data causes reach the commit, the incident, `--json` and the warnings: none may hold a
 * secret, and the other origin of a redirect must have been sent none.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { type CliResult, runCli } from '../support/cli.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';
import {
  type Backends,
  leaks,
  MODES,
  secretsPolicyParts,
  startBackends,
} from '../support/secret-backends.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;

describe('pinback run with credentials everywhere, against backends failing in every way', () => {
  let backends: Backends;
  let repo: GitOpsRepo;
  let incidents: string;
  let r: CliResult;
  let report: Report;

  beforeAll(async () => {
    backends = await startBackends();
    repo = new GitOpsRepo();
    repo.write(PIN, k('1.0.0'));
    repo.commit('deploy 1.0.0', 3 * 86_400);
    repo.write(PIN, k('1.1.0'));
    repo.commit('deploy 1.1.0', 600);
    const dir = mkdtempSync(join(tmpdir(), 'pinback-secrets-'));
    incidents = join(dir, 'incidents');
    const parts = secretsPolicyParts(backends);
    writeFileSync(
      join(dir, 'pinback.yml'),
      `version: 1
providers:
  m: { type: file, path: metrics.json }
${parts.providers}
services:
  api:
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }
    triggers:
      error_rate: { provider: m, max: 0.05, reason: error_spike }
${parts.triggers}
    on_rollback:
      notify:
${parts.notify}
`,
    );
    writeFileSync(
      join(dir, 'metrics.json'),
      metricsJson({ api: { '1.1.0': { error_rate: [0.09, 0.1] }, '1.0.0': { error_rate: [0.01, 0.01] } } }),
    );
    r = await runCli([
      'run',
      '-c',
      join(dir, 'pinback.yml'),
      '--gitops',
      repo.dir,
      '--json',
      '--incident-dir',
      incidents,
    ]);
    report = JSON.parse(r.stdout) as Report;
    console.log(
      r.stderr,
      report.services[0]!.evidence.map((e) => `${e.trigger}: ${e.cause}`).join('\n'),
      repo.git('log', '-1', '--format=%B'),
      readdirSync(incidents)
        .map((f) => readFileSync(join(incidents, f), 'utf8'))
        .join(''),
    );
  }, 90_000);

  afterAll(async () => {
    await backends?.close();
  });

  it('rolls back, with every failing trigger reported as no data', () => {
    expect(r.code, r.stderr).toBe(0);
    const s = report.services[0]!;
    expect(s).toMatchObject({ decision: 'stop', action: 'rolled_back' });
    const noData = s.evidence.filter((e) => e.cause !== undefined);
    expect(noData).toHaveLength(5 * Object.keys(backends.base).length);
    // Each way of failing is told apart, without the backend's words where they could carry a secret.
    const cause = (name: string) => s.evidence.find((e) => e.trigger === name)?.cause ?? '';
    expect(cause('prom_userinfo_refused')).toContain('connection refused');
    expect(cause('prom_bearer_echo401')).toContain('HTTP 401 Unauthorized');
    expect(cause('datadog_echo500')).toContain('HTTP 500 Internal Server Error after 3 attempts');
    expect(cause('http_hang')).toContain('timed out after 1000 ms');
    expect(cause('prom_basic_redirect')).toContain('not Prometheus API JSON');
    if (backends.base.tls) expect(cause('http_tls')).toContain('TLS certificate not accepted');
  });

  it('sends user info as Basic auth: the userinfo providers reach the backend (401, not a fetch error)', () => {
    const cause = report.services[0]!.evidence.find((e) => e.trigger === 'prom_userinfo_echo401')?.cause;
    expect(cause).toContain('HTTP 401');
  });

  it('puts no secret in stdout (--json) or stderr', () => {
    expect([...leaks('stdout', r.stdout), ...leaks('stderr', r.stderr)]).toEqual([]);
    expect(r.stderr).toMatch(/notification to slack http:\/\/127\.0\.0\.1:\d+\/… failed: HTTP 401/);
  });

  it('puts no secret, and no backend body, in any commit message', () => {
    const log = repo.git('log', '--format=%B');
    expect(leaks('commit', log)).toEqual([]);
    expect(log).toContain('prom_bearer_echo401: no data (prometheus http://127.0.0.1:');
    expect(log).not.toContain('the server said');
    expect(log).not.toContain('authentication failed');
    expect(log).not.toContain('internal error');
  });

  it('puts no secret in the incident', () => {
    const files = readdirSync(incidents);
    expect(files.length).toBe(1);
    const text = files.map((f) => readFileSync(join(incidents, f), 'utf8')).join('\n');
    expect(text).toContain('prom_bearer_echo401');
    expect(leaks('incident', text)).toEqual([]);
  });

  it('sends no credential to the other origin of a redirect', () => {
    expect(backends.redirected.length).toBeGreaterThan(0);
    const sent = JSON.stringify(backends.redirected);
    expect(leaks('redirected request', sent)).toEqual([]);
    for (const req of backends.redirected) {
      expect(Object.keys(req.headers).sort()).not.toContain('authorization');
    }
  });

  it('covers every mode', () => {
    expect(Object.keys(backends.base).sort()).toEqual(
      [...MODES].filter((m) => m !== 'tls' || backends.base.tls).sort(),
    );
    expect(
      execFileSync('git', ['-C', repo.dir, 'rev-list', '--count', 'HEAD'], { encoding: 'utf8' }).trim(),
    ).toBe('3');
  });
});
