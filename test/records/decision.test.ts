import { describe, expect, it } from 'vitest';
import { decisionRecordOf, decisionRecords, statusContext } from '../../src/records/decision.js';
import type { ServiceReport } from '../../src/report.js';

const AT = new Date('2026-12-02T10:00:00Z');
const PINNED = { version: '2.4.0', commit: 'a'.repeat(40) };

function report(over: Partial<ServiceReport>): ServiceReport {
  return {
    service: 'api',
    stage: 'prod',
    decision: 'allow',
    reason: 'within_limits',
    from: '2.4.0',
    to: '2.3.3',
    evidence: [],
    action: 'none',
    commit: null,
    incident: null,
    pinned: PINNED,
    ...over,
  };
}

describe('decisionRecordOf: every judgement is a record, allow too', () => {
  it.each<[string, Partial<ServiceReport>, string, string]>([
    ['allow within the guard window', {}, 'pending', 'guarding: within limits so far'],
    [
      'inconclusive',
      { decision: 'inconclusive', reason: 'not_enough_traffic' },
      'pending',
      'guarding: inconclusive (not_enough_traffic)',
    ],
    ['an alert-only breach', { reason: 'alert_only' }, 'pending', 'guarding: an alert-only trigger breached'],
    [
      'the guard window passed',
      { reason: 'outside_guard_window' },
      'success',
      'allow: the guard window passed clean',
    ],
    [
      'a rollback',
      { decision: 'stop', reason: 'error_spike', action: 'rolled_back', commit: 'b'.repeat(40) },
      'failure',
      'stop (error_spike): rolled back to 2.3.3',
    ],
    [
      'a proposal',
      { decision: 'stop', reason: 'error_spike', action: 'proposed' },
      'failure',
      'stop (error_spike): rollback to 2.3.3 proposed, waiting for approval',
    ],
    [
      'an escalation',
      { decision: 'stop', reason: 'error_spike', action: 'escalated' },
      'failure',
      'stop (error_spike): escalated to the owners, not rolled back',
    ],
    [
      'a stop within the cooldown',
      { decision: 'stop', reason: 'error_spike', action: 'cooldown' },
      'failure',
      'stop (error_spike): not rolled back, within the cooldown',
    ],
    [
      'a dry run',
      { decision: 'stop', reason: 'error_spike', action: 'dry_run' },
      'failure',
      'stop (error_spike): would roll back to 2.3.3 (dry run)',
    ],
    [
      'the stable verifying after a rollback',
      {
        action: 'already_rolled_back',
        reason: 'verifying',
        pinned: { version: '2.3.3', commit: 'c'.repeat(40) },
      },
      'pending',
      'verifying that 2.3.3 recovers',
    ],
    [
      'a rollback that stands (no recovery to verify)',
      {
        decision: 'stop',
        reason: 'error_spike',
        action: 'already_rolled_back',
        from: '2.4.0',
        pinned: { version: '2.3.3', commit: 'c'.repeat(40) },
      },
      'success',
      'the rollback from 2.4.0 (error_spike) stands',
    ],
    [
      'the stable recovered',
      {
        action: 'already_rolled_back',
        reason: 'recovered',
        pinned: { version: '2.3.3', commit: 'c'.repeat(40) },
      },
      'success',
      '2.3.3 verified: recovered',
    ],
  ])('%s', (_, over, state, description) => {
    expect(decisionRecordOf(report(over), AT)).toMatchObject({ state, description });
  });

  it('records the version and the commit that pinned it, when and by which run', () => {
    expect(decisionRecordOf(report({}), AT, 'https://github.com/acme/gitops/actions/runs/1')).toMatchObject({
      service: 'api',
      stage: 'prod',
      version: '2.4.0',
      pin_commit: PINNED.commit,
      at: '2026-12-02T10:00:00.000Z',
      run: 'https://github.com/acme/gitops/actions/runs/1',
    });
  });

  it('has no record where no pin commit is known', () => {
    expect(decisionRecords([report({ pinned: undefined }), report({})], AT)).toHaveLength(1);
  });

  it('keeps a line within the 140 characters of a commit status', () => {
    const long = decisionRecordOf(report({ decision: 'stop', reason: 'x'.repeat(200) }), AT)!;
    expect(long.description.length).toBeLessThanOrEqual(140);
    expect(long.description.endsWith('…')).toBe(true);
  });

  it('names the status context after the service', () => {
    expect(statusContext('support-agent')).toBe('pinback/support-agent');
  });
});
