import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionRun } from '../support/action.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { PIN, type Scenario, STABLE, useScenarios, visibleLog } from '../support/github-action.js';

const { make } = useScenarios();
const schedule = () => eventPayload('schedule', { repo: 'acme/app' });

async function rolledBack(s: Scenario, r: ActionRun): Promise<void> {
  expect(r.code).toBe(0);
  expect(r.outputs['rolled-back']).toBe('true');
  expect((await s.git('rev-parse', 'refs/heads/main')).trim()).toBe(r.outputs.commit);
  expect(await s.git('show', `main:${PIN}`)).toContain(`newTag: ${STABLE}`);
  expect(s.fake.issues('acme/app')).toHaveLength(1);
}

describe('a Slack webhook that answers 500', () => {
  let s: Scenario;
  let run: ActionRun;

  beforeAll(async () => {
    s = await make({ slack: 500 });
    run = await s.run('schedule', schedule());
  });

  it('is a warning', () => {
    expect(s.slack!.received.length).toBeGreaterThanOrEqual(1);
    expect(run.stdout).toMatch(
      /^::warning::notification to slack http:\/\/127\.0\.0\.1:\d+\/… failed: HTTP 500/m,
    );
    expect(run.stdout).not.toContain('::error');
  });

  it('leaves the rollback standing and the run passing', async () => {
    await rolledBack(s, run);
  });

  it('never prints the webhook URL', () => {
    const secret = new URL(s.slack!.url).pathname;
    expect(run.stdout).toContain(`::add-mask::${s.slack!.url}`);
    expect(visibleLog(run)).not.toContain(secret);
    expect(run.summary).not.toContain(secret);
    expect(JSON.stringify(s.fake.issues('acme/app'))).not.toContain(secret);
  });
});

describe('a secondary rate limit on the first issues request', () => {
  let s: Scenario;
  let run: ActionRun;

  beforeAll(async () => {
    s = await make();
    s.fake.failNext(
      { operation: 'issues/list-for-repo' },
      {
        status: 403,
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 1234:5678.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        headers: { 'retry-after': '1' },
      },
    );
    run = await s.run('schedule', schedule());
  });

  it('is waited out and retried', () => {
    // The incident is looked for (403, then 200), opened, and looked for once more: the oldest wins a race.
    const lists = s.fake.requests.filter((r) => r.operation === 'issues/list-for-repo');
    expect(lists.map((r) => r.status)).toEqual([403, 200, 200]);
    expect(lists[1]!.at - lists[0]!.at).toBeGreaterThanOrEqual(900);
    expect(run.stdout).toContain(
      '::warning::GitHub secondary rate limit on GET /repos/{owner}/{repo}/issues',
    );
  });

  it('still rolls back and opens the incident', async () => {
    await rolledBack(s, run);
  });
});

describe('a 502 on the first GraphQL request', () => {
  let s: Scenario;
  let run: ActionRun;

  beforeAll(async () => {
    s = await make();
    s.fake.failNext({ operation: 'PinbackRead' }, { status: 502 });
    run = await s.run('schedule', schedule());
  });

  it('is retried', () => {
    expect(s.fake.requests.slice(0, 3).map((r) => `${r.operation} ${r.status}`)).toEqual([
      'PinbackRead 502',
      'PinbackRead 200',
      'PinbackCommit 200',
    ]);
  });

  it('still rolls back and opens the incident', async () => {
    await rolledBack(s, run);
  });
});
