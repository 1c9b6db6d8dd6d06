/**
 * GitHub has no unique key for issues: two runs that both find no incident both open one. The
 * oldest issue carrying the rollback's marker is the incident; the run that opened a newer one
 * closes it as a duplicate, so racing runs converge on one open incident.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/github/octokit.js';
import { gitHubIncidentSink } from '../../src/github/incidents.js';
import type { Incident } from '../../src/incident/render.js';
import { createBareRepo, removeFixtures } from '../support/fake-github/fixture.js';
import { startFakeGitHub } from '../support/fake-github/index.js';

const incident: Incident = {
  kind: 'rollback',
  id: '0123456789abcdef',
  service: 'api',
  stage: 'prod',
  from: '2.4.0',
  to: '2.3.3',
  reason: 'error_spike',
  evidence: [],
  require: 1,
  policyDigest: 'sha256:0',
  policyFile: 'pinback.yml',
  pinFile: 'apps/api/kustomization.yaml',
  pinnedAt: undefined,
  degradedAt: undefined,
  evaluatedAt: new Date('2026-12-02T10:00:00Z'),
  committedAt: undefined,
  commit: undefined,
  commitUrl: undefined,
  runUrl: undefined,
  mode: 'auto',
  owners: [],
};

afterAll(removeFixtures);

describe('two runs opening the same incident at once', () => {
  it('leave one open incident: the later issue is closed as a duplicate of the first', async () => {
    const app = await createBareRepo([{ files: { 'README.md': '# app\n' } }]);
    const fake = await startFakeGitHub({ repos: { 'acme/app': app.bare } });
    try {
      const sink = () => {
        const octokit = createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} });
        return {
          octokit,
          sink: gitHubIncidentSink({
            octokit,
            repo: 'acme/app',
            labels: () => ['incident'],
            assignees: () => [],
            template: async () => undefined,
          }),
        };
      };
      const a = sink();
      const b = sink();
      // A has looked and found nothing; B opens the incident before A creates its own.
      let raced = false;
      a.octokit.hook.before('request', async (options) => {
        if (!raced && options.method === 'POST' && String(options.url).endsWith('/issues')) {
          raced = true;
          await b.sink.open(incident);
        }
      });
      const opened = await a.sink.open(incident);

      const issues = fake.issues('acme/app');
      expect(issues.map((i) => [i.number, i.state])).toEqual([
        [1, 'open'],
        [2, 'closed'],
      ]);
      expect(issues[1]!.comments.map((c) => c.body)).toEqual([
        'Duplicate of #1: two pinback runs raced to open this incident.',
      ]);
      expect(opened).toEqual({ where: 'https://github.com/acme/app/issues/1', created: false });
      // Later runs find the first one.
      expect(await b.sink.open(incident)).toEqual({
        where: 'https://github.com/acme/app/issues/1',
        created: false,
      });
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
