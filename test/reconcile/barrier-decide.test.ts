/**
 * The lifecycle at a migration barrier, as values: a stop whose rollback would cross a barrier is
 * an escalation (no rollback step at all), whatever the phase that asked, and its planned report
 * says which barrier and why. No git, no network, no clock.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import type { ServicePolicy } from '../../src/config/policy.js';
import type { HistoryEntry } from '../../src/history/entry.js';
import { addLock, parseLocks } from '../../src/history/locks.js';
import { type PinState, pinState } from '../../src/history/pin-state.js';
import { rollbackId, rollbackMessage } from '../../src/history/trailers.js';
import type { Decision, Verdict } from '../../src/policy/types.js';
import { decide, isFinal, type Next } from '../../src/reconcile/decide.js';
import { phaseOf } from '../../src/reconcile/phase.js';
import { plannedReport } from '../../src/reconcile/planned.js';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const FILE = 'apps/api/kustomization.yaml';
const locator = { kustomize_image: 'ghcr.io/acme/api' };
const kustomization = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;

const service: ServicePolicy = parsePolicy(
  `version: 1
owners: ["@acme/db"]
services:
  api:
    pin: { file: ${FILE}, kustomize_image: ghcr.io/acme/api }
    guard_window: 2h
    cooldown: 15m
    triggers: { error_rate: { max: 0.05, reason: error_spike } }
    on_rollback: { verify: { window: 10m }, fallback_depth: 3 }
`,
  'p.yml',
  {},
).services[0]!;

function judgement(decision: Verdict): Decision {
  const evidence = {
    trigger: 'error_rate',
    value: decision === 'stop' ? 0.2 : 0.01,
    baseline: null,
    limit: 0.05,
    comparator: '>' as const,
    breached: decision === 'stop',
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
    reason: decision === 'stop' ? 'error_spike' : 'within_limits',
    evidence: [evidence],
    breaches: decision === 'stop' ? 1 : 0,
    require: 1,
    alerts: [],
  };
}

/** One commit of the pin's history, `minutesAgo` before NOW. */
type Pin = [tag: string, minutesAgo: number, message?: string];

const migrates = (tag: string, minutesAgo: number): Pin => [
  tag,
  minutesAgo,
  `deploy ${tag}\n\nRollback-Barrier: migration 0042 drops column legacy_email`,
];

/** The PinState of a history given oldest first (commit `c<i>`). */
function stateOf(pins: Pin[], extra: { locked?: string[] } = {}): PinState {
  const history: HistoryEntry[] = pins
    .map(([tag, minutesAgo, message], i) => ({
      sha: `c${i}`.padEnd(40, '0'),
      time: Math.floor(NOW / 1000) - minutesAgo * 60,
      message: message ?? `deploy ${tag}`,
      text: kustomization(tag),
    }))
    .reverse();
  const locks = (extra.locked ?? []).reduce<string | null>(
    (t, version) =>
      addLock(t, 'api', { version, reason: 'error_spike', locked_at: 't', rollback_id: '0123456789abcdef' }),
    null,
  );
  return pinState({
    service: 'api',
    file: FILE,
    locator,
    candidate: history[0]!.text!.match(/newTag: (\S+)/)![1]!,
    history,
    locks: parseLocks(locks),
    complete: true,
    barriers: service.barriers,
  });
}

/** pinback's rollback of `from` (pinned by commit c<pinnedBy>) to `to`, `minutesAgo`. */
function rollbackPin(from: string, to: string, pinnedBy: number, minutesAgo: number): Pin {
  const message = rollbackMessage(
    {
      service: 'api',
      from,
      to,
      reason: 'error_spike',
      stage: 'production',
      evidence: ['error_rate=0.2>0.05'],
      policy: 'sha256:0',
      actor: 't',
      run: undefined,
      id: rollbackId('api', from, to, `c${pinnedBy}`.padEnd(40, '0')),
    },
    'x.',
  );
  return [to, minutesAgo, message];
}

function step(state: PinState, verdict: Verdict | undefined): Next {
  const phase = phaseOf(service, state, NOW);
  return decide(service, { state, phase, judgement: verdict && judgement(verdict) }, NOW);
}

interface Row {
  name: string;
  pins: Pin[];
  locked?: string[];
  verdict: Verdict | undefined;
  /** The next step's kind, and for an escalation the barrier it names (none: no barrier). */
  kind: Next['kind'];
  barrier?: string;
}

const rows: Row[] = [
  {
    name: 'guarding, stop, the candidate is a barrier: escalate, no rollback',
    pins: [['2.3.3', 3 * 1440], migrates('2.4.0', 10)],
    verdict: 'stop',
    kind: 'escalate',
    barrier: '2.4.0',
  },
  {
    name: 'guarding, stop, the stable is behind a barrier between: escalate',
    pins: [['2.3.3', 3 * 1440], migrates('2.4.0', 2 * 1440), ['2.5.0', 10]],
    locked: ['2.4.0'],
    verdict: 'stop',
    kind: 'escalate',
    barrier: '2.4.0',
  },
  {
    name: 'guarding, stop, the barrier itself is the stable: roll back to it',
    pins: [['2.3.3', 3 * 1440], migrates('2.4.0', 2 * 1440), ['2.5.0', 10]],
    verdict: 'stop',
    kind: 'rollback',
  },
  {
    name: 'guarding, allow, the candidate is a barrier: nothing to do',
    pins: [['2.3.3', 3 * 1440], migrates('2.4.0', 10)],
    verdict: 'allow',
    kind: 'report',
  },
  {
    name: 'a locked version pinned again behind a barrier: escalate, not revert',
    pins: [['2.3.3', 3 * 1440], migrates('2.4.0', 2 * 1440), ['2.5.0', 30], ['2.4.0', 20], ['2.5.0', 10]],
    locked: ['2.5.0', '2.4.0'],
    verdict: undefined,
    kind: 'escalate',
    barrier: '2.4.0',
  },
  {
    name: 'verifying, stop, the fallback would cross the barrier it stands on: escalate',
    pins: [
      ['2.3.3', 3 * 1440],
      migrates('2.4.0', 2 * 1440),
      ['2.5.0', 20],
      rollbackPin('2.5.0', '2.4.0', 2, 5),
    ],
    verdict: 'stop',
    kind: 'escalate',
    barrier: '2.4.0',
  },
  {
    name: 'verifying, stop, no barrier: the fallback goes on',
    pins: [['2.3.3', 3 * 1440], ['2.4.0', 2 * 1440], ['2.5.0', 20], rollbackPin('2.5.0', '2.4.0', 2, 5)],
    verdict: 'stop',
    kind: 'rollback',
  },
];

describe('decide at a migration barrier', () => {
  it.each(rows)('$name', (row) => {
    const state = stateOf(row.pins, { locked: row.locked });
    const next = step(state, row.verdict);
    expect(next.kind).toBe(row.kind);
    if (next.kind === 'escalate') expect(next.barrier?.barrier.version).toBe(row.barrier);
  });

  it('the cooldown still comes first: a stop within it is reported, as without a barrier', () => {
    const pins: Pin[] = [
      ['2.3.3', 3 * 1440],
      ['2.4.0', 60],
      rollbackPin('2.4.0', '2.3.3', 1, 12),
      migrates('2.4.1', 5),
    ];
    const next = step(stateOf(pins), 'stop');
    expect(next).toMatchObject({ kind: 'report', quiet: 'cooldown' });
  });

  it('an escalation at a barrier is final for a watch', () => {
    const next = step(stateOf([['2.3.3', 3 * 1440], migrates('2.4.0', 10)]), 'stop');
    expect(isFinal(service, next, 'auto')).toBe(true);
  });
});

describe('the planned report of a stop at a barrier', () => {
  it('says escalated, migration_barrier, nowhere to go, and which barrier and why', () => {
    const state = stateOf([['2.3.3', 3 * 1440], migrates('2.4.0', 10)]);
    const report = plannedReport(service, state, step(state, 'stop'), NOW);
    expect(report).toMatchObject({
      service: 'api',
      decision: 'stop',
      reason: 'migration_barrier',
      from: '2.4.0',
      to: null,
      action: 'escalated',
      commit: null,
      barrier: {
        version: '2.4.0',
        commit: 'c1'.padEnd(40, '0'),
        reason: 'migration 0042 drops column legacy_email',
        source: 'trailer',
        would_restore: '2.3.3',
      },
    });
    expect(report.detail).toBe(
      'stop error_spike, but pinback does not roll back across a migration barrier: 2.4.0 is a migration barrier ("migration 0042 drops column legacy_email"; Rollback-Barrier on commit c10000000000): 2.3.3, pinned before it, may not serve the schema it migrated. 2.4.0 stays pinned, unlocked: roll forward with a fix, or restore 2.3.3 by hand once the migration is undone',
    );
    expect(report.stable_reason).toBeUndefined();
  });

  it('after a rollback, says the stable did not recover and names the barrier the fallback stops at', () => {
    const state = stateOf([
      ['2.3.3', 3 * 1440],
      migrates('2.4.0', 2 * 1440),
      ['2.5.0', 20],
      rollbackPin('2.5.0', '2.4.0', 2, 5),
    ]);
    const next = step(state, 'stop');
    const report = plannedReport(service, state, next, NOW);
    expect(report).toMatchObject({
      reason: 'migration_barrier',
      action: 'escalated',
      from: '2.4.0',
      barrier: { version: '2.4.0', would_restore: '2.3.3' },
    });
    expect(report.commit).toBe(state.rolledBackBy!.sha);
    expect(report.detail).toMatch(
      /^2\.4\.0 did not recover \(stop error_spike\), but pinback does not roll back across a migration barrier: 2\.4\.0 is a migration barrier/,
    );
  });
});
