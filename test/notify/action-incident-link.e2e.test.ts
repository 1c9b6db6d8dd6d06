/**
 * The Action, end to end against the GitHub stand-in: the Slack message of a rollback is sent after
 * the incident issue exists, and links it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionRun } from '../support/action.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { issueUrl, type Scenario, useScenarios } from '../support/github-action.js';

const { make } = useScenarios();

describe('a rollback by the Action', () => {
  let s: Scenario;
  let run: ActionRun;

  beforeAll(async () => {
    s = await make({ slack: 200 });
    run = await s.run('schedule', eventPayload('schedule', { repo: 'acme/app' }));
  });

  it('notifies Slack once, linking the incident issue it opened', () => {
    expect(run.code).toBe(0);
    const issue = s.fake.issues('acme/app')[0]!;
    const url = issueUrl('acme/app', issue.number);
    expect(run.outputs['incident-url']).toBe(url);
    expect(s.slack!.received).toHaveLength(1);
    const message = s.slack!.received[0] as { text: string; blocks: unknown[] };
    expect(message.text).toMatch(/^Rollback triggered support-agent@/);
    expect(JSON.stringify(message.blocks)).toContain(`<${url}|incident>`);
  });
});
