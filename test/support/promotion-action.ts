import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { type ActionRun, runAction } from './action.js';
import { createBareRepo, gitIn } from './fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from './fake-github/index.js';
import { eventPayload } from './fake-github/payloads.js';
import {
  CANARY_PIN,
  DEPLOYED_S_AGO,
  NEW,
  OLD,
  overlay,
  PROD_PIN,
  promotionMetrics,
  promotionPolicy,
  type Traffic,
} from './promotion.js';

/**
 * The promotion gate through the bundled Action against the fake GitHub: acme/gitops is the
 * workflow's repository and the GitOps repository; main runs 1.1.0 in canary since half an hour,
 * and pull request #1 (branch `promote`) pins 1.1.0 in prod.
 */
export interface GateScenario {
  fake: FakeGitHub;
  octokit: Octokit;
  workspace: string;
  /** The pull request's head commit: where the gate's status goes. */
  head: string;
  base: string;
  /** The canary's traffic the metrics file holds from now on. */
  traffic(t: Traffic): Promise<void>;
  run(event: string, payload: unknown, inputs?: Record<string, string>): Promise<ActionRun>;
  /** A `pull_request` event of #1 (opened, unless `patch` says otherwise). */
  pullRequest(patch?: Record<string, unknown>): unknown;
  close(): Promise<void>;
}

/**
 * `files`: more files of the first commit (a lock file). `checkout`: the workspace is a clone of the
 * repository with the pull request's branch checked out, and the policy names no gitops.repo, as
 * the gate runs after actions/checkout (fetch-depth: 0) in the GitOps repository.
 */
export async function gateScenario(
  files: Record<string, string> = {},
  o: { checkout?: boolean } = {},
): Promise<GateScenario> {
  const now = Math.floor(Date.now() / 1000);
  const gitops = await createBareRepo([
    {
      files: { [CANARY_PIN]: overlay(OLD), [PROD_PIN]: overlay(OLD), ...files },
      message: `api ${OLD}`,
      date: now - 3 * 86_400,
    },
    { files: { [CANARY_PIN]: overlay(NEW) }, message: `canary: api ${NEW}`, date: now - DEPLOYED_S_AGO },
    { files: { [PROD_PIN]: overlay(NEW) }, message: `prod: api ${NEW}`, date: now - 60, branch: 'promote' },
  ]);
  const fake = await startFakeGitHub({ repos: { 'acme/gitops': gitops.bare } });
  const octokit = new Octokit({ auth: 'test-token', baseUrl: fake.url });
  await octokit.rest.pulls.create({
    owner: 'acme',
    repo: 'gitops',
    head: 'promote',
    base: 'main',
    title: `prod: api ${NEW}`,
  });
  const workspace = await mkdtemp(join(tmpdir(), 'pinback-gate-ws-'));
  if (o.checkout) {
    await gitIn(tmpdir(), ['clone', '-q', gitops.bare, workspace]);
    await gitIn(workspace, ['checkout', '-q', 'promote']);
  }
  await mkdir(join(workspace, '.github'), { recursive: true });
  await writeFile(
    join(workspace, '.github', 'pinback.yml'),
    promotionPolicy(o.checkout ? undefined : 'acme/gitops'),
  );
  const head = gitops.oids[2]!;
  const base = gitops.oids[1]!;
  return {
    fake,
    octokit,
    workspace,
    head,
    base,
    traffic: (t) => writeFile(join(workspace, 'metrics.json'), promotionMetrics(t)),
    run: (event, payload, inputs = {}) =>
      runAction({
        inputs: { token: 'test-token', config: '.github/pinback.yml', mode: 'gate', ...inputs },
        event,
        payload,
        workspace,
        env: {
          GITHUB_API_URL: fake.url,
          GITHUB_GRAPHQL_URL: fake.graphqlUrl,
          GITHUB_REPOSITORY: 'acme/gitops',
        },
      }),
    pullRequest: (patch = {}) =>
      eventPayload('pull_request', {
        repo: 'acme/gitops',
        action: 'opened',
        ...patch,
        pull_request: {
          number: 1,
          head: { sha: head, ref: 'promote' },
          base: { sha: base, ref: 'main' },
          ...((patch.pull_request as object | undefined) ?? {}),
        },
      }),
    close: async () => {
      await fake.close();
      await rm(workspace, { recursive: true, force: true });
    },
  };
}
