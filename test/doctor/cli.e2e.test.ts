/**
 * `pinback doctor` as a user runs it (the bundled CLI): on the examples it prints a checklist per
 * service with a score and the key to set for each missing item, and it exits 1 on a policy
 * without owners when `doctor.require` demands them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/readiness.js';
import { type CliResult, ROOT, runCli } from '../support/cli.js';
import { GitOpsRepo } from '../support/gitops.js';

const HTTP_SERVICE = join(ROOT, 'examples/policies/http-service.yml');

/**
 * A Prometheus that answers every range query with 240 a step (a histogram: a 0.5 s bucket and
 * +Inf), and records the queries.
 */
async function startPrometheus(): Promise<{ url: string; queries: string[]; server: Server }> {
  const queries: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req.url ?? '/', Buffer.concat(chunks).toString('utf8'), res));
  });
  const answer = (path: string, body: string, res: import('node:http').ServerResponse) => {
    // GET puts the form in the URL, POST in the body.
    const form = new URLSearchParams(body || new URL(path, 'http://x').search);
    const query = form.get('query') ?? '';
    queries.push(query);
    const start = Number(form.get('start'));
    const end = Number(form.get('end'));
    const step = Number(form.get('step'));
    const values: [number, string][] = [];
    for (let t = start; step > 0 && t <= end; t += step) values.push([t, '240']);
    const result = query.includes('_bucket')
      ? [
          { metric: { le: '0.5' }, values },
          { metric: { le: '+Inf' }, values },
        ]
      : [{ metric: {}, values }];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
  };
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries, server };
}

/** The GitOps repository the example names: api pinned 1.4.0 a day ago, 1.5.0 ten minutes ago. */
function gitops(): GitOpsRepo {
  const repo = new GitOpsRepo();
  const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
  repo.write('apps/api/kustomization.yaml', k('1.4.0'));
  repo.commit('deploy api 1.4.0', 86_400);
  repo.write('apps/api/kustomization.yaml', k('1.5.0'));
  repo.commit('deploy api 1.5.0', 600);
  return repo;
}

describe('pinback doctor on examples/seed', () => {
  let r: CliResult;
  beforeAll(async () => {
    r = await runCli([
      'doctor',
      '-c',
      'examples/seed/pinback.yml',
      '--metrics-file',
      'examples/seed/metrics-breach.json',
    ]);
  });

  it('prints the checklist with its score and exits 0 (the seed sets no minimum)', () => {
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^support-agent \(canary\): 2\/8\n/);
    expect(r.stdout).toContain('  [x] the rolled-back candidate is locked (lock_candidate)');
    expect(r.stdout).toContain('  [x] minimum evidence reachable at current traffic (min_evidence)');
    expect(r.stdout).toContain('  [ ] owners to escalate to (owners)');
    expect(r.stdout).toContain('  [?] a stable to return to, unlocked (stable)');
    expect(r.stdout).toContain(
      'no minimum set (doctor.require, doctor.min_score in the policy): nothing fails',
    );
  });

  it('says what to add for a missing item, with the key in the full form', () => {
    expect(r.stdout).toContain(
      '      add: write the full form (version: 1, services:; the seed form has no such key) and set services.support-agent.on_rollback.verify: { window: 10m }',
    );
  });
});

describe('pinback doctor on examples/policies/http-service.yml with its GitOps repository', () => {
  let prom: Awaited<ReturnType<typeof startPrometheus>>;
  let repo: GitOpsRepo;
  let text: CliResult;
  let json: CliResult;
  let strict: CliResult;

  beforeAll(async () => {
    prom = await startPrometheus();
    repo = gitops();
    const env = { PROMETHEUS_URL: prom.url };
    text = await runCli(['doctor', '-c', HTTP_SERVICE, '--gitops', repo.dir], { env });
    json = await runCli(['doctor', '-c', HTTP_SERVICE, '--gitops', repo.dir, '--json'], { env });
    // The same example, with a minimum that demands owners (it has none).
    const demanding = join(repo.dir, '..', `${repo.dir.split('/').at(-1)}-policy.yml`);
    writeFileSync(demanding, `${readFileSync(HTTP_SERVICE, 'utf8')}doctor: { require: [owners] }\n`);
    strict = await runCli(['doctor', '-c', demanding, '--gitops', repo.dir], { env });
  });

  afterAll(async () => {
    await new Promise<void>((done) => prom.server.close(() => done()));
  });

  it('prints a checklist: the stable from the history, the evidence from Prometheus, the repository writable', () => {
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^api \(canary\): 5\/8\n/);
    expect(text.stdout).toContain('  [x] a stable to return to, unlocked (stable): 1.4.0, unlocked');
    expect(text.stdout).toContain(
      '  [x] minimum evidence reachable at current traffic (min_evidence): errors: ~240 requests/min over the last 60 min of 1.5.0: min_count 100 within 25 s, inside the 2h guard window',
    );
    expect(text.stdout).toContain(`  [x] the token can write where it must (token): ${repo.dir} is writable`);
    expect(text.stdout).toContain(
      '      add: set owners: ["@acme/oncall"] (top level, every service) or services.api.owners',
    );
  });

  it('asks Prometheus for the total requests and the histogram of the version pinned now', () => {
    expect(prom.queries).toContain('sum(increase(http_requests_total{app="api",version="1.5.0"}[1m]))');
    expect(prom.queries).toContain(
      'sum by (le) (increase(http_request_duration_seconds_bucket{app="api",version="1.5.0"}[1m]))',
    );
  });

  it('gives the same checklist as JSON with --json', () => {
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report).toMatchObject({ version: 1, ok: true, require: [], min_score: null });
    expect(report.services[0]).toMatchObject({ service: 'api', stage: 'canary', score: 5, of: 8, unmet: [] });
    expect(report.services[0]!.checks.find((c) => c.check === 'owners')).toMatchObject({
      status: 'missing',
      advice:
        'set owners: ["@acme/oncall"] (top level, every service) or services.api.owners: ["@acme/oncall"]',
    });
  });

  it('exits 1 when doctor.require demands owners and the policy has none, saying so', () => {
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('  FAILS: owners is required (doctor.require) and missing');
    expect(strict.stdout).toContain(
      "1 of 1 service(s) below the policy's minimum (doctor.require: owners): api",
    );
  });
});

describe('pinback doctor when the metrics cannot be queried', () => {
  it('says COULD NOT CHECK on stdout and stderr, and still exits 0 without a minimum', async () => {
    const repo = gitops();
    // A port nothing listens on any more: every query is refused.
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((done) => closed.close(() => done()));
    const r = await runCli(['doctor', '-c', HTTP_SERVICE, '--gitops', repo.dir], {
      env: { PROMETHEUS_URL: `http://127.0.0.1:${port}` },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '  [?] minimum evidence reachable at current traffic (min_evidence): COULD NOT CHECK',
    );
    expect(r.stderr).toContain('pinback: warning: api: COULD NOT CHECK');
  });
});
