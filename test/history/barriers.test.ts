/**
 * Migration barriers as a rule, without git: which versions a Rollback-Barrier trailer or the
 * policy's `barriers:` mark, and where a rollback may go from the pin's history (the stable that
 * `stable: auto` chooses, a fixed stable, the fallback chain after a rollback).
 */
import { describe, expect, it } from 'vitest';
import { type BarrierMark, barrierTrailer, marksVersion, newestBarrier } from '../../src/history/barriers.js';
import type { HistoryEntry } from '../../src/history/entry.js';
import { addLock, parseLocks } from '../../src/history/locks.js';
import { pinState } from '../../src/history/pin-state.js';
import { rollbackId, rollbackMessage } from '../../src/history/trailers.js';

const FILE = 'apps/api/kustomization.yaml';
const locator = { kustomize_image: 'ghcr.io/acme/api' };
const kustomization = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;

/** One commit of a test history: a tag, and the commit's message (default `deploy TAG`). */
type Pin = string | [tag: string, message: string];

/** A deploy whose commit carries the barrier trailer. */
const barrier = (tag: string, reason = `migration of ${tag}`): Pin => [
  tag,
  `deploy ${tag}\n\nRollback-Barrier: ${reason}`,
];

/** History newest first, from pins oldest first: commit `c<i>`, one minute apart. */
function history(...pins: Pin[]): HistoryEntry[] {
  return pins
    .map((p, i) => {
      const [tag, message] = typeof p === 'string' ? [p, `deploy ${p}`] : p;
      return { sha: `c${i}`, time: 1000 + i * 60, message, text: kustomization(tag) };
    })
    .reverse();
}

/** pinback's rollback of `from` (pinned by commit `pinnedBy`) to `to`. */
const rolledBack = (from: string, to: string, pinnedBy: string): Pin => [
  to,
  rollbackMessage(
    {
      service: 'api',
      from,
      to,
      reason: 'error_spike',
      stage: 'prod',
      evidence: [],
      policy: 'sha256:0',
      actor: 't',
      run: undefined,
      id: rollbackId('api', from, to, pinnedBy),
    },
    'x.',
  ),
];

const lockOf = (...versions: string[]) =>
  versions.reduce<string | null>(
    (text, version) =>
      addLock(text, 'api', { version, reason: 'error_spike', locked_at: 't', rollback_id: 'x' }),
    null,
  );

interface Case {
  name: string;
  pins: Pin[];
  marks?: BarrierMark[];
  locked?: string[];
  fixed?: string;
  minStableSeconds?: number;
  /** The stable: where a rollback goes, or (with `crosses`) what the candidate is judged against. */
  stable: string | undefined;
  /** The barrier a rollback to `stable` would cross; undefined when it may be made. */
  crosses?: string;
}

const candidateOf = (pins: Pin[]) => {
  const last = pins[pins.length - 1]!;
  return typeof last === 'string' ? last : last[0];
};

const cases: Case[] = [
  { name: 'no barrier: the previous version', pins: ['v1', 'v2', 'v3'], stable: 'v2' },
  {
    name: 'the candidate is a barrier (trailer): its predecessor cannot serve its schema',
    pins: ['v1', 'v2', barrier('v3')],
    stable: 'v2',
    crosses: 'v3',
  },
  {
    name: 'the candidate is a barrier (policy)',
    pins: ['v1', 'v2', 'v3'],
    marks: [{ version: 'v3', reason: 'drops column x' }],
    stable: 'v2',
    crosses: 'v3',
  },
  {
    name: 'a barrier between: the stable stops at the barrier itself',
    pins: ['v1', barrier('v2'), 'v3'],
    stable: 'v2',
  },
  {
    name: 'a barrier between, itself locked: nothing safe is left',
    pins: ['v1', barrier('v2'), 'v3'],
    locked: ['v2'],
    stable: 'v1',
    crosses: 'v2',
  },
  {
    name: 'a barrier between (policy), itself locked: nothing safe is left',
    pins: ['v1', 'v2', 'v3', 'v4'],
    marks: [{ version: 'v3' }],
    locked: ['v3'],
    stable: 'v2',
    crosses: 'v3',
  },
  {
    name: 'a barrier older than the stable is not crossed',
    pins: [barrier('v1'), 'v2', 'v3'],
    stable: 'v2',
  },
  {
    name: 'the newest of two barriers is the floor',
    pins: ['v1', barrier('v2'), 'v3', barrier('v4'), 'v5'],
    locked: ['v4'],
    stable: 'v3',
    crosses: 'v4',
  },
  {
    name: 'a version a person pinned again after the barrier counts from that pin',
    pins: ['v1', barrier('v2'), 'v1', 'v3'],
    stable: 'v1',
  },
  {
    name: 'a barrier pinned again moves the floor to its newest pin',
    pins: ['v1', barrier('v2'), 'v1', 'v2', 'v3'],
    locked: ['v2'],
    stable: 'v1',
    crosses: 'v2',
  },
  {
    name: 'a barrier replaced within min_stable_age is still where the stable stops',
    pins: ['v1', barrier('v2'), 'v3'],
    minStableSeconds: 600,
    stable: 'v2',
  },
  {
    name: 'a fixed stable pinned before the barrier',
    pins: ['v1', barrier('v2'), 'v3'],
    fixed: 'v1',
    stable: 'v1',
    crosses: 'v2',
  },
  {
    name: 'a fixed stable that is the barrier',
    pins: ['v1', barrier('v2'), 'v3'],
    fixed: 'v2',
    stable: 'v2',
  },
  {
    name: 'a fixed stable never pinned since the barrier in the history read',
    pins: ['v1', barrier('v2'), 'v3'],
    fixed: 'v0',
    stable: 'v0',
    crosses: 'v2',
  },
  {
    name: 'a fixed stable outside the history read, no barrier',
    pins: ['v1', 'v2'],
    fixed: 'v0',
    stable: 'v0',
  },
  {
    name: 'a fixed stable and a policy barrier both older than the history read cannot be placed',
    pins: ['v1', 'v2'],
    marks: [{ version: 'v0.5' }],
    fixed: 'v0',
    stable: 'v0',
    crosses: 'v0.5',
  },
  {
    name: 'a fixed stable that is itself the policy barrier older than the history read',
    pins: ['v1', 'v2'],
    marks: [{ version: 'v0' }],
    fixed: 'v0',
    stable: 'v0',
  },
  {
    name: 'a fixed stable in the history read, a policy barrier older than it: not crossed',
    pins: ['v1', 'v2'],
    marks: [{ version: 'v0.5' }],
    fixed: 'v1',
    stable: 'v1',
  },
  {
    name: "a barrier's tag covers a tag@digest pin",
    pins: ['v1', 'v2@sha256:' + 'a'.repeat(64)],
    marks: [{ version: 'v2' }],
    stable: 'v1',
    crosses: 'v2@sha256:' + 'a'.repeat(64),
  },
  {
    name: 'a trailer on a later commit of the same pin (not the one that pinned it) marks nothing',
    pins: ['v1', 'v2', ['v2', 'chore: reformat\n\nRollback-Barrier: another pin in this file']],
    stable: 'v1',
  },
  {
    name: 'fallback chain: after rolling back to a barrier, no fallback past it',
    pins: ['v0', barrier('v1'), 'v2', rolledBack('v2', 'v1', 'c2')],
    stable: 'v0',
    crosses: 'v1',
  },
  {
    name: 'fallback chain: a barrier on the version rolled back from stops it too',
    pins: ['v0', 'v1', 'v2', rolledBack('v2', 'v1', 'c2')],
    marks: [{ version: 'v2' }],
    stable: 'v0',
    crosses: 'v2',
  },
  {
    name: 'fallback chain: without a barrier, the fallback goes on',
    pins: ['v0', 'v1', 'v2', rolledBack('v2', 'v1', 'c2')],
    stable: 'v0',
  },
];

describe('where a rollback may go across migration barriers (pinState)', () => {
  it.each(cases)('$name', (c) => {
    const s = pinState({
      service: 'api',
      file: FILE,
      locator,
      candidate: candidateOf(c.pins),
      history: history(...c.pins),
      locks: parseLocks(c.locked ? lockOf(...c.locked) : null),
      fixedStable: c.fixed,
      complete: true,
      minStableSeconds: c.minStableSeconds,
      barriers: c.marks,
    });
    expect(s.stable).toBe(c.stable);
    expect(s.noStable).toBeUndefined();
    expect(s.barrier?.barrier.version).toBe(c.crosses);
    if (c.crosses !== undefined) expect(s.barrier?.to).toBe(c.stable);
  });
});

describe('what the crossing says', () => {
  const state = (pins: Pin[], extra: { fixed?: string; marks?: BarrierMark[]; locked?: string[] } = {}) =>
    pinState({
      service: 'api',
      file: FILE,
      locator,
      candidate: candidateOf(pins),
      history: history(...pins),
      locks: parseLocks(extra.locked ? lockOf(...extra.locked) : null),
      fixedStable: extra.fixed,
      complete: true,
      barriers: extra.marks,
    }).barrier;

  it('the candidate a barrier: its reason, the commit carrying the trailer, and why', () => {
    const c = state(['v1', barrier('v2', 'migration 0042 drops column x')]);
    expect(c?.barrier).toEqual({
      version: 'v2',
      reason: 'migration 0042 drops column x',
      source: 'trailer',
      commit: 'c1',
      markedBy: 'c1',
    });
    expect(c?.why).toBe(
      'v2 is a migration barrier ("migration 0042 drops column x"; Rollback-Barrier on commit c1): v1, pinned before it, may not serve the schema it migrated',
    );
  });

  it("a barrier between, from the policy's barriers:", () => {
    const c = state(['v1', 'v2', 'v3'], { marks: [{ version: 'v2' }], locked: ['v2'] });
    expect(c?.barrier.source).toBe('policy');
    expect(c?.why).toBe(
      "rolling back to v1 would cross migration barrier v2 (no reason given; the policy's barriers:, pinned by commit c1), pinned after v1: v1 may not serve the schema v2 migrated",
    );
  });

  it('a fixed stable never pinned since the barrier', () => {
    const c = state(['v1', barrier('v2', 'drops x'), 'v3'], { fixed: 'v0' });
    expect(c?.why).toBe(
      `the policy's stable: v0 was not pinned since migration barrier v2 ("drops x"; Rollback-Barrier on commit c1) in the history read, so it may not serve the schema v2 migrated`,
    );
  });

  it('a fixed stable and a policy barrier both before the history read: cannot be placed, says what to do', () => {
    const c = state(['v1', 'v2'], { fixed: 'v0', marks: [{ version: 'v0.5', reason: 'drops x' }] });
    expect(c?.barrier).toEqual({
      version: 'v0.5',
      reason: 'drops x',
      source: 'policy',
      commit: undefined,
      markedBy: undefined,
    });
    expect(c?.why).toBe(
      `the policy's stable: v0 and migration barrier v0.5 ("drops x"; the policy's barriers:, not pinned in the history read) are both older than the history read, so pinback cannot tell that v0 serves the schema v0.5 migrated (set stable: auto, or remove from barriers: the versions older than v0)`,
    );
  });

  it("the trailer's reason wins over the policy's; the policy's fills in where the trailer has none", () => {
    const both = state(['v1', barrier('v2', 'from the trailer')], {
      marks: [{ version: 'v2', reason: 'from the policy' }],
    });
    expect(both?.barrier).toMatchObject({ source: 'trailer', reason: 'from the trailer' });
    const bare = state(['v1', ['v2', 'deploy v2\n\nRollback-Barrier:']], {
      marks: [{ version: 'v2', reason: 'from the policy' }],
    });
    expect(bare?.barrier).toMatchObject({ source: 'trailer', reason: 'from the policy' });
  });
});

describe('the Rollback-Barrier trailer', () => {
  it.each([
    ['deploy 2.4.0\n\nRollback-Barrier: migration 0042 drops column x\n', 'migration 0042 drops column x'],
    ['deploy 2.4.0\n\nSigned-off-by: A <a@x>\nrollback-barrier: lower case key\n', 'lower case key'],
    ['deploy 2.4.0\n\nRollback-Barrier:\n', ''],
    ['deploy 2.4.0\n\nRollback-Barrier: first\nRollback-Barrier: second\n', 'first'],
    // Not trailers: in the subject, or in a paragraph that is not all trailer lines.
    ['Rollback-Barrier: in the subject\n', undefined],
    ['deploy\n\nRollback-Barrier: x\nnot a trailer line\n', undefined],
    ['deploy\n\nRollback-Barrier: x\n\nthe body after it\n', undefined],
  ])('%j -> %j', (message, expected) => {
    expect(barrierTrailer(message)).toBe(expected);
  });

  it('a long or multi-line reason is cut to one bounded line', () => {
    const reason = barrierTrailer(`deploy\n\nRollback-Barrier: ${'x'.repeat(500)}\n`);
    expect(reason!.length).toBeLessThanOrEqual(200);
  });

  it('the oldest run of an incomplete history is not read: the commit there may not be the one that pinned it', () => {
    const h = history(barrier('v1'), 'v2', 'v1', 'v3');
    const runs = [
      { version: 'v3', pin: 0 },
      { version: 'v1', pin: 1 },
      { version: 'v2', pin: 2 },
      { version: 'v1', pin: 3 },
    ];
    expect(newestBarrier({ runs, history: h, marks: [], complete: true })).toMatchObject({
      version: 'v1',
      run: 1,
      markedBy: 'c0',
      commit: 'c2',
    });
    expect(newestBarrier({ runs, history: h, marks: [], complete: false })).toBeUndefined();
  });
});

describe('which pinned versions a barrier names', () => {
  it.each([
    ['2.4.0', '2.4.0', true],
    ['2.4.0', '2.4.0@sha256:abc', true],
    ['sha256:abc', '2.4.0@sha256:abc', true],
    ['2.4.0', '2.4.01', false],
    ['2.4', '2.4.0', false],
    ['2.4.0@sha256:abc', '2.4.0', false],
  ])('barrier %s, pin %s: %s', (mark, version, expected) => {
    expect(marksVersion(mark, version)).toBe(expected);
  });
});
