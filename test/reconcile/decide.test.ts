/**
 * The lifecycle of one service as a table: what was seen (phase, history, judgement, proposal) and
 * the clock in, exactly one next step out. No git, no network, no clock.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import type { ServicePolicy } from '../../src/config/policy.js';
import type { PinState } from '../../src/history/pin-state.js';
import type { Decision, Verdict } from '../../src/policy/types.js';
import { decide, isFinal, type Next, type Seen } from '../../src/reconcile/decide.js';
import { phaseOf, type Rolled } from '../../src/reconcile/phase.js';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const MIN = 60_000;
const at = (msAgo: number) => Math.floor((NOW - msAgo) / 1000);

function service(onRollback = ''): ServicePolicy {
  const text = `version: 1
services:
  api:
    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }
    guard_window: 30m
    cooldown: 15m
    triggers: { error_rate: { max: 0.05 } }
${onRollback ? `    on_rollback:\n${onRollback}` : ''}`;
  return parsePolicy(text, 'p.yml', {}).services[0]!;
}

const verifying = service('      verify: { window: 10m }\n      fallback_depth: 2\n');
const withKillSwitch = service(
  '      verify: { window: 10m }\n      kill_switch: { file: flags.yaml, yaml_path: data.off, value: "true", release: on_recovery }\n',
);
const plain = service();

function judgement(decision: Verdict, alerts = 0): Decision {
  const evidence = {
    trigger: 'error_rate',
    value: decision === 'stop' ? 0.2 : 0.01,
    baseline: null,
    limit: 0.05,
    comparator: '>' as const,
    breached: decision === 'stop' || alerts > 0,
    sustained: null,
    samples: 5,
    noData: null,
    undecided: null,
    degradedAt: null,
    severity: 'critical' as const,
    action: 'rollback' as const,
    reason: 'error_spike',
    test: 'threshold' as const,
    pValue: null,
    alpha: null,
    count: null,
    detail: null,
  };
  return {
    decision,
    reason: decision === 'stop' ? 'error_spike' : decision === 'allow' ? 'within_limits' : 'no_data',
    evidence: [evidence],
    breaches: decision === 'stop' ? 1 : 0,
    require: 1,
    alerts: alerts
      ? [{ ...evidence, severity: 'medium' as const, action: 'alert' as const, reason: 'quality_drop' }]
      : [],
  };
}

function rolled(msAgo: number, from = '1.1.0', to = '1.0.0'): Rolled {
  return {
    kind: 'rollback',
    service: 'api',
    from,
    to,
    reason: 'error_spike',
    stage: 'production',
    evidence: ['error_rate=0.2>0.05'],
    id: 'abcdef0123456789',
    actor: 't',
    run: undefined,
    policy: 'sha256:0',
    sha: 'r'.repeat(40),
    time: at(msAgo),
  };
}

const LOCK = {
  version: '1.1.0',
  reason: 'error_spike',
  locked_at: '2026-12-02T11:00:00Z',
  rollback_id: 'abcdef0123456789',
};

/** A fresh candidate 1.1.0 pinned `pinnedMsAgo`, stable 1.0.0, no rollback yet. */
function fresh(pinnedMsAgo: number, over: Partial<PinState> = {}): PinState {
  return {
    candidate: '1.1.0',
    pinnedBy: { sha: 'p'.repeat(40), time: at(pinnedMsAgo) },
    stable: '1.0.0',
    stableWhy: '1.0.0: pinned for 3 days until 1.1.0',
    noStable: undefined,
    rolledBackBy: undefined,
    lastRollback: undefined,
    chain: 0,
    previous: { sha: 'q'.repeat(40), time: at(3 * 86_400_000) },
    locked: undefined,
    ...over,
  };
}

/** After a rollback 1.1.0 -> 1.0.0 `msAgo`: the pin is 1.0.0, written by pinback. */
function afterRollback(msAgo: number, over: Partial<PinState> = {}): PinState {
  const r = rolled(msAgo);
  return {
    candidate: '1.0.0',
    pinnedBy: { sha: r.sha, time: r.time },
    stable: '0.9.0',
    stableWhy: '0.9.0: pinned for 30 days until 1.0.0',
    noStable: undefined,
    rolledBackBy: r,
    lastRollback: r,
    chain: 1,
    previous: { sha: 'p'.repeat(40), time: r.time - 600 },
    locked: undefined,
    ...over,
  };
}

interface Row {
  name: string;
  service: ServicePolicy;
  state: PinState;
  judgement?: Decision;
  proposal?: Seen['proposal'];
  expect: Partial<Next> & { kind: Next['kind'] };
  /** Further checks on the step. */
  check?: (next: Next) => void;
}

const rows: Row[] = [
  {
    name: 'allow: a healthy fresh candidate is reported',
    service: plain,
    state: fresh(5 * MIN),
    judgement: judgement('allow'),
    expect: { kind: 'report', quiet: 'judged' },
  },
  {
    name: 'inconclusive: too little evidence yet is reported, never acted on',
    service: plain,
    state: fresh(5 * MIN),
    judgement: judgement('inconclusive'),
    expect: { kind: 'report', quiet: 'judged' },
  },
  {
    name: 'outside the guard window: a candidate that outlived its window is not judged',
    service: plain,
    state: fresh(31 * MIN),
    expect: { kind: 'report', quiet: 'outside_guard_window', decision: undefined },
  },
  {
    name: 'outside the history read: no deploy time, inconclusive (never an allow)',
    service: plain,
    state: fresh(5 * MIN, { pinnedBy: undefined }),
    expect: { kind: 'report', quiet: 'unknown_deploy' },
    check: (n) => expect(n.kind === 'report' && n.detail).toMatch(/1\.1\.0 is not in the history read/),
  },
  {
    name: 'cooldown: a stop soon after the last rollback is held',
    service: plain,
    state: fresh(5 * MIN, { lastRollback: rolled(10 * MIN, '1.0.1', '1.0.0') }),
    judgement: judgement('stop'),
    expect: { kind: 'report', quiet: 'cooldown' },
  },
  {
    name: 'past the cooldown: the stop rolls back',
    service: plain,
    state: fresh(5 * MIN, { lastRollback: rolled(20 * MIN, '1.0.1', '1.0.0') }),
    judgement: judgement('stop'),
    expect: { kind: 'rollback' },
  },
  {
    name: 'no stable: a stop with nowhere to go escalates, with the real cause',
    service: plain,
    state: fresh(5 * MIN, {
      stable: undefined,
      noStable: 'every earlier version in the history read is excluded: 1.0.0 is locked (rollback x)',
    }),
    judgement: judgement('stop'),
    expect: {
      kind: 'escalate',
      rollback: undefined,
      why: 'every earlier version in the history read is excluded: 1.0.0 is locked (rollback x)',
    },
  },
  {
    name: 'alert-only: a medium breach alerts and rolls nothing back',
    service: plain,
    state: fresh(5 * MIN),
    judgement: judgement('allow', 1),
    expect: { kind: 'alert' },
  },
  {
    name: 'first rollback: candidate to stable, chain 1, pinned by the candidate commit',
    service: plain,
    state: fresh(5 * MIN),
    judgement: judgement('stop'),
    expect: { kind: 'rollback' },
    check: (n) =>
      expect(n.kind === 'rollback' && n.rollback).toMatchObject({
        from: '1.1.0',
        to: '1.0.0',
        chain: 1,
        pinnedBy: { sha: 'p'.repeat(40) },
      }),
  },
  {
    name: 'proposal open: the open pull request is the answer',
    service: plain,
    state: fresh(5 * MIN),
    judgement: judgement('stop'),
    proposal: { state: 'open', url: 'https://github.com/acme/gitops/pull/7' },
    expect: { kind: 'report', quiet: 'proposal_open', pullRequest: 'https://github.com/acme/gitops/pull/7' },
  },
  {
    name: 'proposal rejected: a person said no; it is not asked again',
    service: plain,
    state: fresh(5 * MIN),
    judgement: judgement('stop'),
    proposal: { state: 'rejected', url: 'https://github.com/acme/gitops/pull/7' },
    expect: { kind: 'report', quiet: 'proposal_rejected' },
  },
  {
    name: 'locked candidate pinned again: reverted at once, inside the cooldown, without a judgement',
    service: plain,
    state: fresh(1 * MIN, { locked: LOCK, lastRollback: rolled(5 * MIN, '1.1.0', '1.0.0') }),
    expect: { kind: 'rollback' },
    check: (n) =>
      expect(n.kind === 'rollback' && n.rollback).toMatchObject({
        from: '1.1.0',
        to: '1.0.0',
        decision: { decision: 'stop', reason: 'locked_version' },
        because: expect.stringContaining('1.1.0 is locked since 2026-12-02T11:00:00Z'),
      }),
  },
  {
    name: 'locked candidate pinned long ago: reverted too (a lock is not a judgement)',
    service: plain,
    state: fresh(3 * 3_600_000, { locked: LOCK }),
    expect: { kind: 'rollback' },
  },
  {
    name: 'locked candidate pinned before the history read: no new pin, nothing to revert',
    service: plain,
    state: fresh(3 * 3_600_000, { locked: LOCK, pinnedBy: undefined }),
    expect: { kind: 'report', quiet: 'unknown_deploy' },
  },
  {
    name: 'locked candidate with nowhere to go: said, not silent',
    service: plain,
    state: fresh(1 * MIN, { locked: LOCK, stable: undefined }),
    expect: { kind: 'escalate', rollback: undefined },
    check: (n) => expect(n.kind === 'escalate' && n.why).toMatch(/1\.1\.0 is locked/),
  },
  {
    name: 'verifying: the stable healthy so far, the window still running',
    service: verifying,
    state: afterRollback(4 * MIN),
    judgement: judgement('allow'),
    expect: { kind: 'report', quiet: 'verifying' },
  },
  {
    name: 'verifying: no data from the stable yet waits',
    service: verifying,
    state: afterRollback(1 * MIN),
    judgement: judgement('inconclusive'),
    expect: { kind: 'report', quiet: 'verifying' },
  },
  {
    name: 'recovered: healthy for the whole window',
    service: verifying,
    state: afterRollback(11 * MIN),
    judgement: judgement('allow'),
    expect: { kind: 'recover', release: false },
  },
  {
    name: 'recovered with the kill switch released',
    service: withKillSwitch,
    state: afterRollback(11 * MIN),
    judgement: judgement('allow'),
    expect: { kind: 'recover', release: true },
  },
  {
    name: 'fallback: the stable breaches too and the depth allows one more',
    service: verifying,
    state: afterRollback(4 * MIN),
    judgement: judgement('stop'),
    expect: { kind: 'rollback' },
    check: (n) =>
      expect(n.kind === 'rollback' && n.rollback).toMatchObject({ from: '1.0.0', to: '0.9.0', chain: 2 }),
  },
  {
    name: 'escalate at depth: fallback_depth reached',
    service: verifying,
    state: afterRollback(4 * MIN, { chain: 2 }),
    judgement: judgement('stop'),
    expect: { kind: 'escalate', why: 'fallback_depth 2 reached' },
  },
  {
    name: 'escalate: no earlier good version to fall back to',
    service: verifying,
    state: afterRollback(4 * MIN, { stable: undefined }),
    judgement: judgement('stop'),
    expect: { kind: 'escalate', why: 'no earlier good version: no earlier version to roll back to' },
  },
  {
    name: 'repeated signal on a standing rollback (no verification asked)',
    service: plain,
    state: afterRollback(4 * MIN),
    expect: { kind: 'repeat' },
  },
  {
    name: 'repeated signal on a standing rollback (long past its window)',
    service: verifying,
    state: afterRollback(2 * 3_600_000),
    expect: { kind: 'repeat' },
  },
];

describe('decide: one next step per lifecycle transition', () => {
  it.each(rows)('$name', (row) => {
    const phase = phaseOf(row.service, row.state, NOW);
    const next = decide(
      row.service,
      { state: row.state, phase, judgement: row.judgement, proposal: row.proposal },
      NOW,
    );
    expect(next).toMatchObject(row.expect);
    row.check?.(next);
  });

  it('asks for a judgement where the phase has a question', () => {
    const phase = phaseOf(plain, fresh(5 * MIN), NOW);
    expect(() => decide(plain, { state: fresh(5 * MIN), phase, judgement: undefined }, NOW)).toThrow(
      /judgement/,
    );
  });
});

describe('phaseOf', () => {
  it.each([
    ['guarding inside the window', plain, fresh(29 * MIN), 'guarding'],
    ['settled past the window', plain, fresh(31 * MIN), 'settled'],
    ['unknown deploy', plain, fresh(1 * MIN, { pinnedBy: undefined }), 'unknown_deploy'],
    ['verifying within the window', verifying, afterRollback(5 * MIN), 'verifying'],
    ['verifying after the window, within one guard window', verifying, afterRollback(35 * MIN), 'verifying'],
    ['standing after the window and a guard window', verifying, afterRollback(41 * MIN), 'standing'],
    ['standing without verification', plain, afterRollback(1 * MIN), 'standing'],
  ] as const)('%s', (_name, s, state, kind) => {
    expect(phaseOf(s, state, NOW).kind).toBe(kind);
  });
});

describe('isFinal: when a watch stops asking', () => {
  const stop = judgement('stop');
  const rollback: Next = {
    kind: 'rollback',
    rollback: { from: '1.1.0', to: '1.0.0', decision: stop, pinnedBy: { sha: 'p', time: 0 }, chain: 1 },
  };
  it.each([
    ['a rollback without verification', plain, rollback, 'auto', true],
    ['a rollback with verification to come', verifying, rollback, 'auto', false],
    ['a proposed rollback', verifying, rollback, 'propose', true],
    ['a dry run of a rollback', plain, rollback, 'dry-run', false],
    [
      'an escalation',
      verifying,
      { kind: 'escalate', rollback: rolled(0), decision: stop, why: '' },
      'auto',
      true,
    ],
    [
      'a recovery',
      verifying,
      { kind: 'recover', rollback: rolled(0), decision: stop, release: false },
      'auto',
      true,
    ],
    ['an open proposal', plain, { kind: 'report', quiet: 'proposal_open', decision: stop }, 'propose', true],
    ['an allow', plain, { kind: 'report', quiet: 'judged', decision: judgement('allow') }, 'auto', false],
  ] as const)('%s: %s', (_name, s, next, mode, final) => {
    expect(isFinal(s, next as Next, mode)).toBe(final);
  });
});
