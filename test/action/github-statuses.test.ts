import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventPayload } from '../support/fake-github/payloads.js';
import { CANDIDATE, STABLE, useScenarios } from '../support/github-action.js';
import { metricsJson } from '../support/gitops.js';

const { make } = useScenarios();
const schedule = () => eventPayload('schedule', { repo: 'acme/app' });
const CONTEXT = 'pinback/support-agent';

describe('every judgement as a commit status on the pin commit', () => {
  it('is pending while the candidate guards clean, once however often the schedule runs', async () => {
    const s = await make();
    await writeFile(
      join(s.workspace, 'metrics.json'),
      metricsJson({
        'support-agent': {
          [CANDIDATE]: { error_rate: [0.01, 0.011, 0.012] },
          [STABLE]: { error_rate: [0.01, 0.012, 0.011] },
        },
      }),
    );
    for (let i = 0; i < 3; i++) expect((await s.run('schedule', schedule())).code).toBe(0);
    expect(s.fake.statuses('acme/gitops', s.pinCommit)).toEqual([
      {
        state: 'pending',
        context: CONTEXT,
        description: 'guarding: within limits so far',
        targetUrl: expect.stringContaining('/actions/runs/'),
      },
    ]);
    // Reading the statuses costs one query a run, none a service; writing happens on a change only.
    const writes = s.fake.requests.filter((r) => r.operation === 'repos/create-commit-status');
    expect(writes).toHaveLength(1);
  });

  it('turns to failure on the rollback, linking its commit; the rollback commit records that it stands', async () => {
    const s = await make();
    const first = await s.run('schedule', schedule());
    const rollback = first.outputs.commit!;
    expect(s.fake.statuses('acme/gitops', s.pinCommit)).toEqual([
      {
        state: 'failure',
        context: CONTEXT,
        description: `stop (error_spike): rolled back to ${STABLE}`,
        targetUrl: `https://github.com/acme/gitops/commit/${rollback}`,
      },
    ]);
    await s.run('schedule', schedule());
    await s.run('schedule', schedule());
    expect(s.fake.statuses('acme/gitops', s.pinCommit)).toHaveLength(1);
    expect(s.fake.statuses('acme/gitops', rollback)).toEqual([
      expect.objectContaining({
        state: 'success',
        context: CONTEXT,
        description: `the rollback from ${CANDIDATE} (error_spike) stands`,
      }),
    ]);
  });

  it('writes nothing in dry-run, or with record-statuses: false', async () => {
    const s = await make();
    await s.run('schedule', schedule(), { mode: 'dry-run' });
    await s.run('schedule', schedule(), { 'record-statuses': 'false', mode: 'propose' });
    expect(s.fake.statuses('acme/gitops', s.pinCommit)).toEqual([]);
  });
});
