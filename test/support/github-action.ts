import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';
import { rollbackId } from '../../src/history/trailers.js';
import { type ActionRun, runAction } from './action.js';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from './fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from './fake-github/index.js';
import { metricsJson } from './gitops.js';

/**
 * One end-to-end scenario of the bundled Action against the fake GitHub: a GitOps repo whose
 * support-agent pin went 2.3.3 (a day ago) -> 2.4.0 (10 minutes ago), an app repo (the
 * workflow's own, where incidents go), a workspace with the policy and a metrics file in which
 * 2.4.0 breaches error_rate and 2.3.3 is healthy.
 */

export const PIN = 'apps/support-agent/kustomization.yaml';
export const LOCKS = '.pinback/locks.yaml';
export const STABLE = '2.3.3';
export const CANDIDATE = '2.4.0';

/** A pin file with bytes around the tag (comments, other keys) that a rollback must keep. */
export const kustomization = (tag: string): string =>
  `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml # the agent
images:
  - name: ghcr.io/acme/support-agent
    newTag: ${tag} # set by the deploy workflow
  - name: ghcr.io/acme/sidecar
    newTag: 1.0.0
`;

export const policy = (o: { mode?: string; slack?: boolean } = {}): string =>
  `version: 1
gitops: { repo: acme/gitops, branch: main }
providers:
  metrics: { type: file, path: metrics.json }
services:
  support-agent:
    stage: canary
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/support-agent }
    guard_window: 2h
    owners: ["@acme/support-oncall", "Jane <jane@acme.test>"]
    triggers:
      error_rate: { max: 0.05, reason: error_spike }
    on_rollback:
      incident: { labels: [incident, sev2] }
${o.slack ? '      notify: [ { type: slack, webhook: "${SLACK_WEBHOOK_URL}" } ]\n' : ''}${o.mode ? `    mode: ${o.mode}\n` : ''}`;

export interface Slack {
  url: string;
  received: unknown[];
  close(): Promise<void>;
}

/** A local Slack incoming webhook answering `status` to every POST. */
export async function startSlack(status: number): Promise<Slack> {
  const received: unknown[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'internal_error');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    // The path is the secret part of a Slack webhook.
    url: `http://127.0.0.1:${port}/services/T0ACME/B0PINBACK/s3cr3tW3bh00kT0k3n`,
    received,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

export interface Scenario {
  fake: FakeGitHub;
  gitops: Fixture;
  app: Fixture;
  workspace: string;
  /** The commit that pinned the candidate. */
  pinCommit: string;
  slack: Slack | undefined;
  /** Runs dist/index.js as the runner does, against the fake. */
  run(event: string, payload: unknown, inputs?: Record<string, string>): Promise<ActionRun>;
  /** git in the GitOps bare repository. */
  git(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function scenario(o: { mode?: string; slack?: number; locks?: string } = {}): Promise<Scenario> {
  const now = Math.floor(Date.now() / 1000);
  const gitops = await createBareRepo([
    {
      files: { [PIN]: kustomization(STABLE), ...(o.locks ? { [LOCKS]: o.locks } : {}) },
      message: `deploy support-agent ${STABLE}`,
      date: now - 86_400,
    },
    {
      files: { [PIN]: kustomization(CANDIDATE) },
      message: `deploy support-agent ${CANDIDATE}`,
      date: now - 600,
    },
  ]);
  const app = await createBareRepo([{ files: { 'README.md': '# app\n' }, date: now - 86_400 }]);
  const fake = await startFakeGitHub({ repos: { 'acme/gitops': gitops.bare, 'acme/app': app.bare } });
  const slack = o.slack === undefined ? undefined : await startSlack(o.slack);
  const workspace = await mkdtemp(join(tmpdir(), 'pinback-action-ws-'));
  await mkdir(join(workspace, '.github'));
  await writeFile(
    join(workspace, '.github', 'pinback.yml'),
    policy({ slack: slack !== undefined, ...(o.mode ? { mode: o.mode } : {}) }),
  );
  await writeFile(
    join(workspace, 'metrics.json'),
    metricsJson({
      'support-agent': {
        [CANDIDATE]: { error_rate: [0.06, 0.071, 0.08] },
        [STABLE]: { error_rate: [0.01, 0.012, 0.011] },
      },
    }),
  );
  return {
    fake,
    gitops,
    app,
    workspace,
    pinCommit: gitops.oids[1]!,
    slack,
    run: (event, payload, inputs = {}) =>
      runAction({
        inputs: { token: 'test-token', config: '.github/pinback.yml', ...inputs },
        event,
        payload,
        workspace,
        env: {
          GITHUB_API_URL: fake.url,
          GITHUB_GRAPHQL_URL: fake.graphqlUrl,
          GITHUB_REPOSITORY: 'acme/app',
          ...(slack ? { SLACK_WEBHOOK_URL: slack.url } : {}),
        },
      }),
    git: (...args) => gitIn(gitops.bare, args),
    close: async () => {
      await fake.close();
      await slack?.close();
      await rm(workspace, { recursive: true, force: true });
    },
  };
}

/** The id of the rollback 2.4.0 -> 2.3.3 of the candidate's pin commit (branch names, markers, trailers). */
export const idOf = (s: Scenario): string => rollbackId('support-agent', CANDIDATE, STABLE, s.pinCommit);

export const issueUrl = (repo: string, n: number): string => `https://github.com/${repo}/issues/${n}`;

/** `Key: value` trailer lines of a commit, as git itself parses them. */
export async function trailersOf(s: Scenario, sha: string): Promise<string[]> {
  return (await s.git('show', '-s', '--format=%(trailers:only,unfold)', sha)).split('\n').filter(Boolean);
}

/** stdout and stderr without the runner's `::add-mask::` commands (the runner never prints those). */
export const visibleLog = (r: ActionRun): string =>
  `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

/**
 * Scenarios for one test file: `make()` starts one; after every test each fake started so far
 * must have seen only requests GitHub's API descriptions allow; all are closed after the file.
 */
export function useScenarios(): { make: (o?: Parameters<typeof scenario>[0]) => Promise<Scenario> } {
  const started: Scenario[] = [];
  afterEach(() => {
    for (const s of started) expect(s.fake.violations).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
    await removeFixtures();
  });
  return {
    make: async (o) => {
      const s = await scenario(o);
      started.push(s);
      return s;
    },
  };
}
