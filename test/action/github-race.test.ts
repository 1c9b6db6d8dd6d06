import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import type { ActionRun } from '../support/action.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { PIN, type Scenario, STABLE, useScenarios } from '../support/github-action.js';

const { make } = useScenarios();

describe('two Action runs racing on the same GitOps branch', () => {
  let s: Scenario;
  let runs: ActionRun[];

  beforeAll(async () => {
    s = await make();
    const answeredReads = () =>
      s.fake.requests.filter((r) => r.operation === 'PinbackRead' && r.status !== 0).length;
    // Each commit waits until both runs have read the same head: both decide to roll back.
    s.fake.beforeGraphQL = async (operation) => {
      if (operation !== 'PinbackCommit') return;
      for (const until = Date.now() + 10_000; answeredReads() < 2 && Date.now() < until;) await sleep(5);
    };
    const payload = eventPayload('schedule', { repo: 'acme/app' });
    runs = await Promise.all([s.run('schedule', payload), s.run('schedule', payload)]);
  });

  it('both pass', () => {
    for (const r of runs) {
      expect(r.stdout).not.toContain('::error');
      expect(r.code).toBe(0);
    }
  });

  it('both tried to commit; the one that lost the race read again and did not retry', () => {
    const count = (op: string) => s.fake.requests.filter((r) => r.operation === op).length;
    expect(count('PinbackCommit')).toBe(2);
    expect(count('PinbackRead')).toBe(3);
  });

  it('make exactly one rollback commit', async () => {
    const commits = (await s.git('rev-list', `${s.pinCommit}..main`)).trim().split('\n');
    expect(commits).toHaveLength(1);
    expect(s.fake.verifiedCommits).toEqual(new Set(commits));
    expect(await s.git('show', `main:${PIN}`)).toContain(`newTag: ${STABLE}`);
  });

  it('one reports rolled_back, the other already_rolled_back', () => {
    const actions = runs.map((r) => (JSON.parse(r.outputs.report!) as Report).services[0]!.action);
    expect(actions.sort()).toEqual(['already_rolled_back', 'rolled_back']);
  });

  // A run that opened a second one (both found none) closes it as a duplicate of the first.
  it('leave one open incident', () => {
    expect(s.fake.issues('acme/app').filter((i) => i.state === 'open')).toHaveLength(1);
  });
});
