import { beforeAll, describe, expect, it } from 'vitest';
import { lockFileOf, parseLocks } from '../../src/history/locks.js';
import type { Report } from '../../src/report.js';
import type { ActionRun } from '../support/action.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import {
  CANDIDATE,
  idOf,
  issueUrl,
  PIN,
  STABLE,
  type Scenario,
  trailersOf,
  useScenarios,
} from '../support/github-action.js';

const { make } = useScenarios();
const schedule = () => eventPayload('schedule', { repo: 'acme/app' });

describe('the Action on schedule, when the freshly pinned version breaches its policy', () => {
  let s: Scenario;
  let run: ActionRun;
  let sha: string;

  beforeAll(async () => {
    s = await make();
    run = await s.run('schedule', schedule());
    sha = run.outputs.commit!;
  });

  it('passes', () => {
    expect(run.stdout).not.toContain('::error');
    expect(run.code).toBe(0);
  });

  it('reads once and commits: two requests on the critical path', () => {
    const commit = s.fake.requests.findIndex((r) => r.operation === 'PinbackCommit');
    expect(s.fake.requests.slice(0, commit + 1).map((r) => `${r.kind} ${r.operation}`)).toEqual([
      'graphql PinbackRead',
      'graphql PinbackCommit',
    ]);
  });

  it('makes exactly one commit on the branch, signed by GitHub', async () => {
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect((await s.git('rev-parse', 'refs/heads/main')).trim()).toBe(sha);
    expect((await s.git('rev-list', `${s.pinCommit}..main`)).trim()).toBe(sha);
    expect(s.fake.verifiedCommits.has(sha)).toBe(true);
  });

  it('records the rollback in trailers git parses', async () => {
    expect(await trailersOf(s, sha)).toEqual(
      expect.arrayContaining([
        'Rollback-Service: support-agent',
        `Rollback-From: ${CANDIDATE}`,
        `Rollback-To: ${STABLE}`,
        'Rollback-Reason: error_spike',
        `Rollback-Id: ${idOf(s)}`,
      ]),
    );
  });

  it('sets the pin file back to the stable version byte for byte', async () => {
    const stableCommit = s.gitops.oids[0]!;
    expect((await s.git('rev-parse', `${sha}:${PIN}`)).trim()).toBe(
      (await s.git('rev-parse', `${stableCommit}:${PIN}`)).trim(),
    );
  });

  it("changes the pin and adds the service's own lock file, nothing else", async () => {
    const file = lockFileOf('support-agent');
    expect(await s.git('diff', '--name-status', s.pinCommit, sha)).toBe(`A\t${file}\nM\t${PIN}\n`);
    const locks = parseLocks(await s.git('show', `${sha}:${file}`));
    expect(locks.get('support-agent')).toEqual([
      expect.objectContaining({ version: CANDIDATE, reason: 'error_spike', rollback_id: idOf(s) }),
    ]);
  });

  it('opens one incident issue in the workflow repository, labelled', () => {
    const issues = s.fake.issues('acme/app');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toBe(`Rollback: support-agent ${CANDIDATE} -> ${STABLE} (error_spike)`);
    expect(issues[0]!.labels.sort()).toEqual(['incident', 'pinback', 'sev2', 'severity:high']);
    expect(s.fake.issues('acme/gitops')).toEqual([]);
  });

  it("marks the incident's body with the rollback id and escapes what it quotes", () => {
    const body = s.fake.issues('acme/app')[0]!.body!;
    expect(body.startsWith(`<!-- pinback:incident id=${idOf(s)} -->\n`)).toBe(true);
    expect(body).toContain(`[\`${sha.slice(0, 12)}\`](https://github.com/acme/gitops/commit/${sha})`);
    // Owners are named, not mentioned, and no HTML comes through.
    expect(body).toContain('- Owners: acme/support-oncall, Jane &lt;jane@\u200bacme.test&gt;');
    expect(body).not.toContain('@acme/support-oncall');
    expect(body).not.toContain('<jane@');
  });

  it('sets the outputs: decision, rolled-back, commit, incident-url and the report', () => {
    const url = issueUrl('acme/app', s.fake.issues('acme/app')[0]!.number);
    expect(run.outputs).toMatchObject({
      decision: 'stop',
      'rolled-back': 'true',
      commit: sha,
      'incident-url': url,
    });
    const report = JSON.parse(run.outputs.report!) as Report;
    expect(report.services).toEqual([
      expect.objectContaining({
        service: 'support-agent',
        decision: 'stop',
        reason: 'error_spike',
        from: CANDIDATE,
        to: STABLE,
        action: 'rolled_back',
        commit: sha,
        incident: url,
      }),
    ]);
  });

  it('writes a job summary with the table', () => {
    const url = issueUrl('acme/app', s.fake.issues('acme/app')[0]!.number);
    expect(run.summary).toContain('## pinback (schedule)');
    expect(run.summary).toContain(
      `| \`support-agent\` | **stop** | \`error_spike\` | \`${CANDIDATE}\` → \`${STABLE}\` | rolled_back | commit \`${sha.slice(0, 12)}\` · [incident](${url}) |`,
    );
    expect(run.summary).toContain('| `error_rate` | `0.08` | `0.011` | `max 0.05` | **yes** |');
  });

  describe('a second run on the same event', () => {
    let again: ActionRun;

    beforeAll(async () => {
      again = await s.run('schedule', schedule());
    });

    it('passes and commits nothing', async () => {
      expect(again.code).toBe(0);
      expect((await s.git('rev-parse', 'refs/heads/main')).trim()).toBe(sha);
      expect(again.outputs).toMatchObject({ decision: 'stop', 'rolled-back': 'false', commit: '' });
      const report = JSON.parse(again.outputs.report!) as Report;
      expect(report.services[0]).toMatchObject({ action: 'already_rolled_back', commit: sha });
    });

    it('comments on the incident instead of opening another', () => {
      const issues = s.fake.issues('acme/app');
      expect(issues).toHaveLength(1);
      expect(issues[0]!.comments.length).toBeGreaterThanOrEqual(1);
      expect(issues[0]!.comments[0]!.body).toContain('the signal repeated');
      expect(again.outputs['incident-url']).toBe(issueUrl('acme/app', issues[0]!.number));
    });
  });
});
