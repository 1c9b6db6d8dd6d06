/**
 * Issue 13: the job summary shows what a run spent of the GitHub API. The Action is run in
 * process from the sources (runAction) against the stand-in, which charges GitHub's rate-limit
 * cost: one read and one commit, and the points the read cost.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ActionContext, runAction } from '../../src/action/run.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { type Scenario, useScenarios } from '../support/github-action.js';

const { make } = useScenarios();

describe('the Action on schedule against the GitHub store', () => {
  let s: Scenario;
  let summary = '';
  let failure: string | undefined;

  beforeAll(async () => {
    s = await make();
    const inputs: Record<string, string> = { token: 'test-token', config: '.github/pinback.yml' };
    const ctx: ActionContext = {
      input: (name) => inputs[name] ?? '',
      event: 'schedule',
      payload: eventPayload('schedule', { repo: 'acme/app' }) as unknown as Record<string, unknown>,
      env: {
        GITHUB_API_URL: s.fake.url,
        GITHUB_GRAPHQL_URL: s.fake.graphqlUrl,
        GITHUB_REPOSITORY: 'acme/app',
      },
      workspace: s.workspace,
      log: { info: () => {}, warning: () => {}, error: () => {}, secret: () => {} },
      setOutput: () => {},
      summary: async (md) => {
        summary += md;
      },
    };
    failure = await runAction(ctx);
  });

  it('rolls back with one read and one commit, then records the decision as a commit status', () => {
    expect(failure).toBeUndefined();
    expect(s.fake.requests.filter((r) => r.kind === 'graphql').map((r) => r.operation)).toEqual([
      'PinbackRead',
      'PinbackCommit',
      'PinbackStatuses',
    ]);
    expect(s.fake.requests.filter((r) => r.operation === 'repos/create-commit-status')).toHaveLength(1);
  });

  // Points used are what the queries reported they cost; the mutation's point shows in what is left.
  it('ends the job summary with the requests made on the GitOps repository and the rate-limit points used and left', () => {
    expect(summary.trimEnd().split('\n').at(-1)).toMatch(
      /^GitHub API: 4 requests \(2 reads, 2 writes\), 2 rate-limit points used, 4,997 of 5,000 left until \d\d:\d\d UTC$/,
    );
  });
});
