/**
 * Issue 12 end to end, the bundled Action against the fake GitHub: credentials in every provider style
 * and in the notifiers, backends failing in every way (see test/support/secret-backends.ts). The rollback
 * commit, the incident issue, the log (`::add-mask::` lines aside: the runner never prints them), the job
 * summary and the outputs must hold no secret; each secret part is its own mask.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { type ActionRun, runAction } from '../support/action.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { PIN, type Scenario, STABLE, useScenarios, visibleLog } from '../support/github-action.js';
import {
  type Backends,
  CREDS,
  leaks,
  secretsPolicyParts,
  startBackends,
} from '../support/secret-backends.js';

const { make } = useScenarios();
// The fake GitHub takes this token only.
const TOKEN = 'test-token';

function policy(backends: Backends): string {
  const parts = secretsPolicyParts(backends);
  return `version: 1
gitops: { repo: acme/gitops, branch: main }
providers:
  metrics: { type: file, path: metrics.json }
${parts.providers}
services:
  support-agent:
    stage: canary
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/support-agent }
    guard_window: 2h
    triggers:
      error_rate: { provider: metrics, max: 0.05, reason: error_spike }
${parts.triggers}
    on_rollback:
      incident: { labels: [incident, sev2] }
      notify:
${parts.notify}
`;
}

async function runWith(s: Scenario, backends: Backends): Promise<ActionRun> {
  await writeFile(join(s.workspace, '.github', 'pinback.yml'), policy(backends));
  return runAction({
    inputs: { token: TOKEN, config: '.github/pinback.yml' },
    event: 'schedule',
    payload: eventPayload('schedule', { repo: 'acme/app' }),
    workspace: s.workspace,
    env: { GITHUB_API_URL: s.fake.url, GITHUB_GRAPHQL_URL: s.fake.graphqlUrl, GITHUB_REPOSITORY: 'acme/app' },
  });
}

/** Every place the run wrote to, by name. */
async function written(s: Scenario, run: ActionRun): Promise<Record<string, string>> {
  return {
    log: visibleLog(run),
    summary: run.summary,
    outputs: JSON.stringify(run.outputs),
    incidents: JSON.stringify(s.fake.issues('acme/app')),
    commits: await s.git('log', '--all', '--format=%B'),
  };
}

describe('the Action with credentials everywhere, against backends failing in every way', () => {
  let backends: Backends;
  let s: Scenario;
  let run: ActionRun;

  beforeAll(async () => {
    backends = await startBackends();
    s = await make();
    run = await runWith(s, backends);
  }, 90_000);

  afterAll(async () => {
    await backends?.close();
  });

  it('rolls back, every failing trigger reported as no data', async () => {
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['rolled-back']).toBe('true');
    expect(await s.git('show', `main:${PIN}`)).toContain(`newTag: ${STABLE}`);
    const report = JSON.parse(run.outputs.report!) as Report;
    const noData = report.services[0]!.evidence.filter((e) => e.cause !== undefined);
    expect(noData).toHaveLength(5 * Object.keys(backends.base).length);
    expect(s.fake.issues('acme/app')).toHaveLength(1);
  });

  it('writes no secret to the log, the summary, the outputs, the incident or any commit', async () => {
    const places = await written(s, run);
    expect(Object.entries(places).flatMap(([where, text]) => leaks(where, text))).toEqual([]);
    expect(places.log).not.toContain(TOKEN);
    expect(places.commits).not.toContain('the server said');
  });

  it('masks each secret part on its own', () => {
    const masks = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length));
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    for (const secret of [
      TOKEN,
      CREDS.promUrlPass,
      b64(`${CREDS.promUrlUser}:${CREDS.promUrlPass}`),
      CREDS.promBearer,
      CREDS.promBasicPass,
      b64(`${CREDS.promBasicUser}:${CREDS.promBasicPass}`),
      CREDS.promHeader,
      CREDS.httpHeader,
      CREDS.httpQuery,
      CREDS.ddApi,
      CREDS.ddApp,
      `/echo401/services/T0ACME/B0PINBACK/${CREDS.slackPath}`,
      CREDS.slackPath,
      `/echo401/hooks/${CREDS.hookPath}`,
      CREDS.hookHeader,
    ]) {
      expect(masks, secret).toContain(secret);
    }
  });

  it('sends no credential to the other origin of a redirect', () => {
    expect(backends.redirected.length).toBeGreaterThan(0);
    expect(leaks('redirected request', JSON.stringify(backends.redirected))).toEqual([]);
  });
});

describe('a GitHub API error that echoes the token', () => {
  let s: Scenario;
  let run: ActionRun;

  beforeAll(async () => {
    s = await make();
    s.fake.failNext(
      { operation: 'issues/create' },
      { status: 422, body: { message: `Validation Failed: token ${TOKEN} (Authorization: token ${TOKEN})` } },
    );
    run = await s.run('schedule', eventPayload('schedule', { repo: 'acme/app' }));
  });

  it('prints the error without the token', async () => {
    expect(s.fake.requests.some((r) => r.operation === 'issues/create' && r.status === 422)).toBe(true);
    const places = await written(s, run);
    for (const [where, text] of Object.entries(places)) expect(text, where).not.toContain(TOKEN);
  });
});
