/**
 * Issue 11 through GitHub: locks in a file per service, `.pinback/locks/<service>.yaml`, and the
 * old single `.pinback/locks.yaml` still honoured. The gate fails a pin locked in the legacy file,
 * closing the incident of a legacy lock proposes to remove it there, and `audit` without a policy
 * reads the rollbacks from the history of the lock directory (a directory as `history(path:)`,
 * merges included) and of the legacy file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRepository } from '../../src/commands/audit.js';
import { createOctokit } from '../../src/github/octokit.js';
import { openGitHubStore } from '../../src/github/store.js';
import { addLock, LEGACY_LOCK_FILE, lockFileOf, parseLocks } from '../../src/history/locks.js';
import { rollbackMessage } from '../../src/history/trailers.js';
import type { ActionRun } from '../support/action.js';
import { createBareRepo, type Fixture, gitIn, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { CANDIDATE, PIN, type Scenario, useScenarios } from '../support/github-action.js';

const NOW = Math.floor(Date.now() / 1000);
const HOUR = 3600;

const lock = (version: string, rollback_id: string) => ({
  version,
  reason: 'error_spike',
  locked_at: '2026-01-05T10:00:00Z',
  rollback_id,
});

const LEGACY_ID = 'a1a1a1a1a1a1a1a1';
/** A legacy lock file, as earlier versions wrote it: billing-api, then support-agent's candidate. */
const LEGACY = addLock(
  addLock(null, 'billing-api', lock('1.9.0', '0123456789abcdef')),
  'support-agent',
  lock(CANDIDATE, LEGACY_ID),
  LEGACY_LOCK_FILE,
);

describe('a GitOps repository with the legacy lock file, through the Action', () => {
  const { make } = useScenarios();
  let s: Scenario;
  let gate: ActionRun;
  let unlock: ActionRun;

  beforeAll(async () => {
    s = await make({ locks: LEGACY });
    gate = await s.run('pull_request', { action: 'synchronize' }, { mode: 'gate' });
    unlock = await s.run(
      'issues',
      eventPayload('issues', {
        repo: 'acme/app',
        action: 'closed',
        issue: {
          number: 3,
          body: `<!-- pinback:incident id=${LEGACY_ID} -->\nRollback: support-agent`,
          labels: [{ name: 'pinback' }, { name: 'incident' }],
        },
      }),
    );
  });

  it('fails the gate on a pin locked in the legacy file, naming the pin and the lock file', () => {
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain(`::error title=pinback%3A locked version,file=${PIN},line=7,col=`);
    expect(gate.stdout).toContain(`support-agent pins ${CANDIDATE}, which pinback locked`);
    expect(gate.stdout).toContain(`deleting its entry from ${LEGACY_LOCK_FILE} in a pull request`);
  });

  it('proposes to unlock it: a pull request that removes the entry from the legacy file only', async () => {
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toContain(`proposed to unlock support-agent ${CANDIDATE}`);
    const branch = `pinback/unlock-${LEGACY_ID}`;
    expect(s.fake.pulls('acme/gitops')).toEqual([
      expect.objectContaining({ head: branch, base: 'main', state: 'open' }),
    ]);
    expect(await s.git('diff', '--name-only', 'main', branch)).toBe(`${LEGACY_LOCK_FILE}\n`);
    const after = await s.git('show', `${branch}:${LEGACY_LOCK_FILE}`);
    expect(after).toBe(addLock(null, 'billing-api', lock('1.9.0', '0123456789abcdef'), LEGACY_LOCK_FILE));
    expect(parseLocks(after).get('support-agent')).toBeUndefined();
  });
});

/** A rollback commit's message, as the reconciler writes it. */
const rolledBack = (service: string, id: string) =>
  rollbackMessage(
    {
      service,
      from: '1.1.0',
      to: '1.0.0',
      reason: 'error_spike',
      stage: 'prod',
      evidence: [],
      policy: 'sha256:0',
      actor: 'test',
      run: undefined,
      id,
    },
    'error_rate breached.',
  );

describe('audit without a policy, through the GitHub store', () => {
  let fixture: Fixture;
  let fake: FakeGitHub;
  let merge: string;

  beforeAll(async () => {
    fixture = await createBareRepo([
      { files: { 'README.md': '# gitops\n' }, message: 'initial', date: NOW - 3 * 86_400 },
      {
        files: { [LEGACY_LOCK_FILE]: addLock(null, 'old', lock('1.1.0', '1111111111111111')) },
        message: rolledBack('old', '1111111111111111'),
        date: NOW - 2 * 86_400,
      },
      {
        files: { [lockFileOf('web')]: addLock(null, 'web', lock('1.1.0', '2222222222222222')) },
        message: rolledBack('web', '2222222222222222'),
        date: NOW - 3 * HOUR,
        branch: 'pinback/rollback-web-2222222222222222',
      },
      {
        files: { [lockFileOf('api')]: addLock(null, 'api', lock('1.1.0', '3333333333333333')) },
        message: rolledBack('api', '3333333333333333'),
        date: NOW - 2 * HOUR,
      },
      { files: { 'README.md': '# gitops, edited\n' }, message: 'docs', date: NOW - HOUR },
    ]);
    // The proposal for web merged with a merge commit a minute ago.
    const when = `@${NOW - 60} +0000`;
    const [main, proposal] = [fixture.oids[4]!, fixture.oids[2]!];
    const tree = (await gitIn(fixture.bare, ['merge-tree', '--write-tree', main, proposal])).trim();
    merge = (
      await gitIn(
        fixture.bare,
        [
          'commit-tree',
          tree,
          '-p',
          main,
          '-p',
          proposal,
          '-m',
          'Merge pull request #2 from acme/pinback/rollback-web',
        ],
        { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when },
      )
    ).trim();
    await gitIn(fixture.bare, ['update-ref', 'refs/heads/main', merge]);
    fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
  });
  afterAll(async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
    await removeFixtures();
  });

  it('lists the rollbacks of the lock directory (a merged proposal dated by its merge) and of the legacy file', async () => {
    const store = openGitHubStore({
      octokit: createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} }),
      repo: 'acme/gitops',
      branch: 'main',
    });
    const entries = await auditRepository(store);
    expect(entries.map((e) => [e.service, e.id, e.commit, e.time])).toEqual([
      ['web', '2222222222222222', merge, new Date((NOW - 60) * 1000).toISOString()],
      ['api', '3333333333333333', fixture.oids[3], new Date((NOW - 2 * HOUR) * 1000).toISOString()],
      ['old', '1111111111111111', fixture.oids[1], new Date((NOW - 2 * 86_400) * 1000).toISOString()],
    ]);
    expect((await auditRepository(store, ['api', 'old'])).map((e) => e.service)).toEqual(['api', 'old']);
    expect(await auditRepository(store, undefined, 1)).toHaveLength(1);
  });
});
