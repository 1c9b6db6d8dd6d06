import { beforeAll, describe, expect, it } from 'vitest';
import { lockFileOf, parseLocks } from '../../src/history/locks.js';
import type { Report } from '../../src/report.js';
import type { ActionRun } from '../support/action.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import {
  CANDIDATE,
  idOf,
  LOCKS,
  PIN,
  STABLE,
  type Scenario,
  trailersOf,
  useScenarios,
} from '../support/github-action.js';

const { make } = useScenarios();
const actionOf = (r: ActionRun) => (JSON.parse(r.outputs.report!) as Report).services[0]?.action;

describe('workflow_run', () => {
  it('guards a deploy that completed successfully: rolls the breaching service back', async () => {
    const s = await make();
    const r = await s.run(
      'workflow_run',
      eventPayload('workflow_run', {
        repo: 'acme/app',
        workflow_run: { conclusion: 'success', name: 'deploy' },
      }),
    );
    expect(r.code).toBe(0);
    expect(r.outputs['rolled-back']).toBe('true');
    expect(actionOf(r)).toBe('rolled_back');
    expect(await trailersOf(s, r.outputs.commit!)).toContain(
      'Rollback-Actor: octocat via workflow_run (deploy)',
    );
  });

  it('ignores a deploy that failed, with a message, and passes', async () => {
    const s = await make();
    const r = await s.run(
      'workflow_run',
      eventPayload('workflow_run', {
        repo: 'acme/app',
        workflow_run: { conclusion: 'failure', name: 'deploy' },
      }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'workflow_run completed with conclusion failure: the deploy did not complete, nothing to guard',
    );
    expect(r.outputs).toMatchObject({ decision: 'none', 'rolled-back': 'false' });
    expect(s.fake.requests).toEqual([]);
  });
});

describe('repository_dispatch', () => {
  it('evaluates the service the alert names at once and rolls it back, crediting the alert', async () => {
    const s = await make();
    const r = await s.run(
      'repository_dispatch',
      eventPayload('repository_dispatch', {
        repo: 'acme/app',
        client_payload: { service: 'support-agent', reason: 'HighErrorRate' },
      }),
    );
    expect(r.code).toBe(0);
    expect(actionOf(r)).toBe('rolled_back');
    expect(r.summary).toContain('## pinback (repository_dispatch)');
    expect(await trailersOf(s, r.outputs.commit!)).toContain(
      'Rollback-Actor: octocat via repository_dispatch, alert: HighErrorRate',
    );
  });

  it('fails with a clear message when the payload names no service', async () => {
    const s = await make();
    const r = await s.run(
      'repository_dispatch',
      eventPayload('repository_dispatch', { repo: 'acme/app', client_payload: { reason: 'HighErrorRate' } }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '::error::repository_dispatch: client_payload.service: missing (send {"event_type": "...", "client_payload": {"service": "NAME", "reason": "..."}})',
    );
    expect(s.fake.requests).toEqual([]);
  });
});

/** A lock of another rollback, in the legacy single lock file, that must survive the unlock. */
const OTHER_LOCKS = `# Versions pinback rolled back. \`pinback check\` fails a pin that names one of them.
# To unlock a version, delete its entry here by pull request, like any GitOps change.
billing-api:
  - version: "1.9.0"
    reason: sla_breach
    locked_at: "2026-01-05T10:00:00Z"
    rollback_id: "0123456789abcdef"
`;

describe('issues closed on a pinback incident, after a rollback', () => {
  let s: Scenario;
  let rollback: string;
  let run: ActionRun;
  const branch = () => `pinback/unlock-${idOf(s)}`;

  beforeAll(async () => {
    s = await make({ locks: OTHER_LOCKS });
    rollback = (await s.run('schedule', eventPayload('schedule', { repo: 'acme/app' }))).outputs.commit!;
    const incident = s.fake.issues('acme/app')[0]!;
    run = await s.run(
      'issues',
      eventPayload('issues', {
        repo: 'acme/app',
        issue: {
          number: incident.number,
          body: incident.body,
          labels: incident.labels.map((name) => ({ name })),
        },
      }),
    );
  });

  it('passes', () => {
    expect(run.stdout).not.toContain('::error');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`proposed to unlock support-agent ${CANDIDATE}`);
  });

  it('opens a pull request from pinback/unlock-<id> to main', () => {
    expect(s.fake.pulls('acme/gitops')).toEqual([
      expect.objectContaining({ head: branch(), base: 'main', state: 'open' }),
    ]);
  });

  it("removes that version's lock entry from the service's own file, and nothing else", async () => {
    const own = lockFileOf('support-agent');
    expect((await s.git('rev-parse', 'refs/heads/main')).trim()).toBe(rollback);
    expect(await s.git('diff', '--name-only', 'main', branch())).toBe(`${own}\n`);
    const before = parseLocks(await s.git('show', `main:${own}`));
    expect(before.get('support-agent')?.map((l) => l.version)).toEqual([CANDIDATE]);
    expect(parseLocks(await s.git('show', `${branch()}:${own}`)).size).toBe(0);
    // The legacy file, with the other rollback's lock, is untouched on main and on the branch.
    expect(await s.git('show', `main:${LOCKS}`)).toBe(OTHER_LOCKS);
    expect(await s.git('show', `${branch()}:${LOCKS}`)).toBe(OTHER_LOCKS);
    expect(await s.git('show', `${branch()}:${PIN}`)).toContain(`newTag: ${STABLE}`);
  });
});
