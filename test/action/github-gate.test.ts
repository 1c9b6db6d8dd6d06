/**
 * Issue 15, the promotion gate, through the bundled Action against the fake GitHub: a pull request
 * that promotes a version to prod is judged where it already runs (canary), and the verdict is the
 * commit status `pinback/gate` on the pull request's head.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { addLock } from '../../src/history/locks.js';
import { lockFileOf } from '../../src/history/lock-files.js';
import { removeFixtures } from '../support/fake-github/fixture.js';
import { type GateScenario, gateScenario } from '../support/promotion-action.js';
import { BREACHING, HEALTHY, NEW, OLD, PROD_PIN, SPARSE } from '../support/promotion.js';

const CONTEXT = 'pinback/gate';
const RUN_URL = 'https://github.com/acme/gitops/actions/runs/4242';

const started: GateScenario[] = [];
async function make(
  files: Record<string, string> = {},
  o: { checkout?: boolean } = {},
): Promise<GateScenario> {
  const s = await gateScenario(files, o);
  started.push(s);
  return s;
}
afterEach(() => {
  for (const s of started) expect(s.fake.violations).toEqual([]);
});
afterAll(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
  await removeFixtures();
});

const writes = (s: GateScenario) =>
  s.fake.requests.filter((r) => r.operation === 'repos/create-commit-status').length;

const comment = (body: string, association: string) => ({
  action: 'created',
  issue: { number: 1, pull_request: { url: 'https://api.github.com/repos/acme/gitops/pulls/1' } },
  comment: { body, author_association: association, user: { login: 'octocat' } },
  repository: { full_name: 'acme/gitops' },
});

describe('a promotion pull request, judged in the stage before', () => {
  it('fails the check of a version that breaches in canary, with the evidence', async () => {
    const s = await make();
    await s.traffic(BREACHING);
    const r = await s.run('pull_request', s.pullRequest());
    expect(r.code).toBe(1);
    expect(s.fake.statuses('acme/gitops', s.head)).toEqual([
      {
        state: 'failure',
        context: CONTEXT,
        description: `stop: prod-api ${NEW} in canary: error_spike`,
        targetUrl: RUN_URL,
      },
    ]);
    // The pin's line is annotated, and the job summary holds the evidence table.
    expect(r.stdout).toContain(`::error title=pinback%3A promotion stopped,file=${PROD_PIN},line=7,col=`);
    expect(r.stdout).toContain('locks it in .pinback/locks/canary-api.yaml');
    expect(r.summary).toContain(
      '| `prod-api` | `1.0.0` → `1.1.0` | `canary` (`canary-api`) | ❌ STOP | `error_spike` | - |',
    );
    expect(r.summary).toMatch(
      /\| `errors` \| `0\.12` \| `0\.01` \| `0\.012 \(stable 0\.01 \+ 20%\)` \| `15000 requests` \| \*\*yes\*\* \|/,
    );
    expect(r.outputs.decision).toBe('stop');
    expect(JSON.parse(r.outputs.report!)).toMatchObject({ state: 'failure', head: s.head, base: 'main' });
  });

  it('passes the check of a version healthy in canary', async () => {
    const s = await make();
    await s.traffic(HEALTHY);
    const r = await s.run('pull_request', s.pullRequest());
    expect(r.code).toBe(0);
    expect(s.fake.statuses('acme/gitops', s.head)).toEqual([
      {
        state: 'success',
        context: CONTEXT,
        description: `allow: prod-api ${NEW} in canary within limits`,
        targetUrl: RUN_URL,
      },
    ]);
    expect(r.outputs.decision).toBe('allow');
    // A re-run that changes nothing posts nothing.
    const before = writes(s);
    await s.run('pull_request', s.pullRequest({ action: 'synchronize' }));
    expect(writes(s)).toBe(before);
  });

  it('keeps the check of a version without enough evidence pending, and a re-run turns it green', async () => {
    const s = await make();
    await s.traffic(SPARSE);
    const pending = await s.run('pull_request', s.pullRequest());
    // Pending is no failure of the step: the status holds the merge back.
    expect(pending.code).toBe(0);
    expect(pending.outputs.decision).toBe('inconclusive');
    const [shown] = s.fake.statuses('acme/gitops', s.head);
    expect(shown).toMatchObject({ state: 'pending', context: CONTEXT });
    expect(shown!.description).toMatch(
      new RegExp(
        `^pending: not enough evidence yet for prod-api ${NEW.replace(/\./g, '\\.')} in canary; retry after \\d\\d:\\d\\d UTC$`,
      ),
    );
    expect(pending.summary).toContain('errors: 60 of 100 requests at ~2/min, min_count in ~20 min');

    // More traffic arrives; someone adds the label pinback/recheck.
    await s.traffic(HEALTHY);
    await s.octokit.rest.issues.addLabels({
      owner: 'acme',
      repo: 'gitops',
      issue_number: 1,
      labels: ['pinback/recheck'],
    });
    const recheck = await s.run(
      'pull_request',
      s.pullRequest({ action: 'labeled', label: { name: 'pinback/recheck' } }),
    );
    expect(recheck.code).toBe(0);
    const statuses = s.fake.statuses('acme/gitops', s.head);
    expect(statuses.map((x) => [x.context, x.state])).toEqual([
      [CONTEXT, 'success'],
      [CONTEXT, 'pending'],
    ]);
    // The label is taken off, so that adding it again asks again.
    const { data: labels } = await s.octokit.rest.issues.listLabelsOnIssue({
      owner: 'acme',
      repo: 'gitops',
      issue_number: 1,
    });
    expect(labels.map((l) => l.name)).not.toContain('pinback/recheck');
  });

  it('judges again on a /pinback recheck comment by a writer, and on the next schedule', async () => {
    const s = await make();
    await s.traffic(SPARSE);
    await s.run('pull_request', s.pullRequest());
    // Someone without write access asks: nothing is judged.
    const stranger = await s.run('issue_comment', comment('/pinback recheck', 'NONE'));
    expect(stranger.code).toBe(0);
    expect(stranger.stdout).toContain('octocat (NONE) may not re-run the gate');
    expect(s.fake.statuses('acme/gitops', s.head)).toHaveLength(1);

    await s.traffic(BREACHING);
    const asked = await s.run('issue_comment', comment('/pinback recheck\nplease', 'MEMBER'));
    expect(asked.code).toBe(1);
    expect(s.fake.statuses('acme/gitops', s.head)[0]).toMatchObject({ state: 'failure', context: CONTEXT });

    // A failure is no longer pending: the schedule leaves it alone.
    const scheduled = await s.run('schedule', {
      schedule: '*/10 * * * *',
      repository: { full_name: 'acme/gitops' },
    });
    expect(scheduled.stdout).toContain('0 open pull request(s) with a pending gate');
    expect(s.fake.statuses('acme/gitops', s.head)).toHaveLength(2);
  });

  it('judges the pending pull requests again on a schedule', async () => {
    const s = await make();
    await s.traffic(SPARSE);
    await s.run('pull_request', s.pullRequest());
    await s.traffic(HEALTHY);
    const r = await s.run('schedule', { schedule: '*/10 * * * *', repository: { full_name: 'acme/gitops' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 open pull request(s) with a pending gate');
    expect(s.fake.statuses('acme/gitops', s.head)[0]).toMatchObject({
      state: 'success',
      description: `allow: prod-api ${NEW} in canary within limits`,
    });
  });

  it('still fails a pull request that pins a locked version, annotating the pin', async () => {
    const s = await make({
      [lockFileOf('prod-api')]: addLock(null, 'prod-api', {
        version: NEW,
        reason: 'error_spike',
        locked_at: '2026-11-30T10:00:00Z',
        rollback_id: '0123456789abcdef',
      }),
    });
    await s.traffic(HEALTHY);
    const r = await s.run('pull_request', s.pullRequest());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`::error title=pinback%3A locked version,file=${PROD_PIN},line=7,col=`);
    expect(s.fake.statuses('acme/gitops', s.head)[0]).toMatchObject({
      state: 'failure',
      description: `stop: prod-api pins locked ${NEW}`,
    });
  });

  it('passes a pull request that changes no pin', async () => {
    const s = await make();
    await s.traffic(HEALTHY);
    const r = await s.run(
      'pull_request',
      s.pullRequest({
        pull_request: { head: { sha: s.base, ref: 'main' }, base: { sha: s.base, ref: 'main' } },
      }),
    );
    expect(r.code).toBe(0);
    expect(s.fake.statuses('acme/gitops', s.base)[0]).toMatchObject({
      state: 'success',
      description: 'allow: no pin changed',
    });
    expect(OLD).not.toBe(NEW);
  });

  it('reads a checked-out pull request from its work tree, and the base from the checkout', async () => {
    const s = await make({}, { checkout: true });
    await s.traffic(BREACHING);
    const r = await s.run('pull_request', s.pullRequest());
    expect(r.code).toBe(1);
    expect(s.fake.statuses('acme/gitops', s.head)[0]).toMatchObject({
      state: 'failure',
      description: `stop: prod-api ${NEW} in canary: error_spike`,
    });
    // Nothing of the GitOps repository was read through the API: the checkout holds both sides.
    expect(
      s.fake.requests.filter((q) => q.operation === 'PinbackRead' || q.operation === 'PinbackGateFiles'),
    ).toEqual([]);
  });
});
