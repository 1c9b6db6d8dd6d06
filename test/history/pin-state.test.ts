import { describe, expect, it } from 'vitest';
import { addLock, parseLocks } from '../../src/history/locks.js';
import { pinState } from '../../src/history/pin-state.js';
import { rollbackId, rollbackMessage } from '../../src/history/trailers.js';
import type { HistoryEntry } from '../../src/history/entry.js';

const FILE = 'apps/api/kustomization.yaml';
const locator = { kustomize_image: 'ghcr.io/acme/api' };
const kustomization = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;

/** History newest first, from a list of [tag, message] oldest first. */
function history(...commits: [string, string?][]): HistoryEntry[] {
  return commits
    .map(([tag, message], i) => ({
      sha: `c${i}`,
      time: 1000 + i * 60,
      message: message ?? `deploy ${tag}`,
      text: kustomization(tag),
    }))
    .reverse();
}

/** A rollback's message as pinback writes it; `pinnedBy` is the sha of the commit that pinned `from`. */
function rollback(from: string, to: string, pinnedBy: string): string {
  return rollbackMessage(
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
  );
}

const state = (
  h: HistoryEntry[],
  candidate: string,
  extra: { locks?: string | null; fixedStable?: string } = {},
) =>
  pinState({
    service: 'api',
    file: FILE,
    locator,
    candidate,
    history: h,
    locks: parseLocks(extra.locks ?? null),
    fixedStable: extra.fixedStable,
  });

describe('pinState', () => {
  it('takes the previous distinct value as the stable', () => {
    const s = state(history(['v1'], ['v2'], ['v3']), 'v3');
    expect(s.stable).toBe('v2');
  });

  it('dates the candidate by the commit that pinned it, not later commits to the file', () => {
    const h = history(['v1'], ['v2'], ['v2', 'chore: reformat'], ['v2', 'docs']);
    expect(state(h, 'v2').pinnedBy).toEqual({ sha: 'c1', time: 1060 });
  });

  it('skips a locked version', () => {
    const locks = addLock(null, 'api', {
      version: 'v2',
      reason: 'error_spike',
      locked_at: 't',
      rollback_id: 'x',
    });
    expect(state(history(['v1'], ['v2'], ['v3']), 'v3', { locks }).stable).toBe('v1');
  });

  it('skips a version that was itself rolled back from', () => {
    const h = history(['v1'], ['v2'], ['v1', rollback('v2', 'v1', 'c1')], ['v3']);
    expect(state(h, 'v3').stable).toBe('v1');
  });

  it('recognizes a pin written by a pinback rollback as the standing decision', () => {
    const h = history(['v1'], ['v2'], ['v1', rollback('v2', 'v1', 'c1')]);
    const s = state(h, 'v1');
    expect(s.rolledBackBy).toMatchObject({ from: 'v2', to: 'v1', sha: 'c2' });
  });

  it('treats a person re-pinning after a rollback as a new candidate', () => {
    const h = history(['v1'], ['v2'], ['v1', rollback('v2', 'v1', 'c1')], ['v2', 'retry v2']);
    const s = state(h, 'v2');
    expect(s.rolledBackBy).toBeUndefined();
    expect(s.lastRollback).toMatchObject({ from: 'v2', time: 1120 });
    expect(s.stable).toBe('v1');
  });

  it('has no stable on the first deploy', () => {
    expect(state(history(['v1']), 'v1').stable).toBeUndefined();
  });

  it('lets a fixed stable override history', () => {
    expect(state(history(['v1'], ['v2'], ['v3']), 'v3', { fixedStable: 'v0' }).stable).toBe('v0');
  });

  it('ignores commits where the file no longer fits the locator', () => {
    const h = history(['v1'], ['v2']);
    h.push({ sha: 'old', time: 10, message: 'init', text: 'unrelated: yes\n' });
    expect(state(h, 'v2').stable).toBe('v1');
  });
});

describe('pinState, the fallback chain', () => {
  it('counts no rollback for a pin a person set', () => {
    expect(state(history(['v1'], ['v2']), 'v2').chain).toBe(0);
  });

  it('counts one rollback', () => {
    expect(state(history(['v1'], ['v2'], ['v1', rollback('v2', 'v1', 'c1')]), 'v1').chain).toBe(1);
  });

  it('counts rollbacks in a row, v2 -> v1 -> v0', () => {
    const h = history(
      ['v0'],
      ['v1'],
      ['v2'],
      ['v1', rollback('v2', 'v1', 'c2')],
      ['v0', rollback('v1', 'v0', 'c3')],
    );
    const s = state(h, 'v0');
    expect(s.chain).toBe(2);
    expect(s.rolledBackBy).toMatchObject({ from: 'v1', to: 'v0' });
  });
});

describe('pinState, what it does not assume', () => {
  it('has no pin time when the history read is all the candidate and does not reach the file start', () => {
    const h = history(['v2'], ['v2'], ['v2']);
    expect(
      pinState({
        service: 'api',
        file: FILE,
        locator,
        candidate: 'v2',
        history: h,
        locks: new Map(),
        complete: false,
      }).pinnedBy,
    ).toBeUndefined();
    expect(
      pinState({
        service: 'api',
        file: FILE,
        locator,
        candidate: 'v2',
        history: h,
        locks: new Map(),
        complete: true,
      }).pinnedBy,
    ).toEqual({ sha: 'c0', time: 1000 });
  });

  it('does not let a commit the locator cannot read restart the candidate', () => {
    const h = history(['v1'], ['v2'], ['v2']);
    h.splice(1, 0, { sha: 'broken', time: 1090, message: 'reshape', text: 'images: []\n' });
    expect(state(h, 'v2').pinnedBy).toEqual({ sha: 'c1', time: 1060 });
  });

  it.each([
    ['is the candidate itself', 'v3', null],
    [
      'is locked',
      'v2',
      addLock(null, 'api', { version: 'v2', reason: 'x', locked_at: 't', rollback_id: 'y' }),
    ],
  ])('drops a fixed stable that %s', (_name, fixed, locks) => {
    expect(
      state(history(['v1'], ['v2'], ['v3']), 'v3', { fixedStable: fixed, locks }).stable,
    ).toBeUndefined();
  });

  it('skips a version replaced sooner than the minimum (a person reverted it)', () => {
    // v1 for long, v2 for 60 s, then v1 again: v2 never proved itself.
    const h = history(['v0'], ['v1'], ['v2'], ['v1']);
    const s = pinState({
      service: 'api',
      file: FILE,
      locator,
      candidate: 'v1',
      history: h,
      locks: new Map(),
      minStableSeconds: 120,
    });
    expect(s.stable).toBe('v0');
  });
});

describe('the stable choice, explained', () => {
  /** History newest first from [tag, seconds it stayed pinned] oldest first; the last is current. */
  function timed(...runs: [string, number][]): HistoryEntry[] {
    let t = 1_000_000;
    return runs
      .map(([tag, lasted], i) => {
        const entry = { sha: `c${i}`, time: t, message: `deploy ${tag}`, text: kustomization(tag) };
        t += lasted;
        return entry;
      })
      .reverse();
  }
  const choose = (h: HistoryEntry[], o: { locks?: string | null; complete?: boolean } = {}) =>
    pinState({
      service: 'api',
      file: FILE,
      locator,
      candidate: 'v3',
      history: h,
      locks: parseLocks(o.locks ?? null),
      complete: o.complete ?? true,
      minStableSeconds: 300,
    });
  const lock = (v: string) =>
    addLock(null, 'api', { version: v, reason: 'x', locked_at: 't', rollback_id: 'r1' });

  it.each([
    {
      name: 'the previous version, with how long it ran',
      h: timed(['v1', 3 * 86_400], ['v2', 3600], ['v3', 0]),
      stable: 'v2',
      why: 'v2: pinned for 60 min until v3',
    },
    {
      name: 'a version replaced within min_stable_age is skipped, and said so',
      h: timed(['v1', 3 * 86_400], ['v2', 40], ['v3', 0]),
      stable: 'v1',
      why: 'v1: pinned for 3 days until v2; skipped v2: pinned for 40 s',
    },
    {
      name: 'a version that ran an hour is a stable (the guard window no longer decides)',
      h: timed(['v1', 3 * 86_400], ['v2', 3600 + 16 * 60], ['v3', 0]),
      stable: 'v2',
      why: 'v2: pinned for 76 min until v3',
    },
    {
      name: 'when the skip leaves nothing, the previous version anyway',
      h: timed(['v2', 40], ['v3', 0]),
      stable: 'v2',
      why: 'v2: pinned for 40 s until v3',
    },
  ])('$name', ({ h, stable, why }) => {
    const s = choose(h);
    expect(s.stable).toBe(stable);
    expect(s.stableWhy).toBe(why);
    expect(s.noStable).toBeUndefined();
  });

  it.each([
    {
      name: 'the first version ever pinned',
      h: timed(['v3', 0]),
      o: {},
      cause: `it is the first version ever pinned in ${FILE}`,
    },
    {
      name: 'a history read too short',
      h: timed(['v3', 0], ['v3', 0]),
      o: { complete: false },
      cause: `the 2 commits read of ${FILE} hold no earlier version (set stable: in the policy, or read more history)`,
    },
    {
      name: 'every earlier version locked',
      h: timed(['v2', 86_400], ['v3', 0]),
      o: { locks: lock('v2') },
      cause: 'every earlier version in the history read is excluded: v2 is locked (rollback r1)',
    },
  ])('names the real cause when there is no stable: $name', ({ h, o, cause }) => {
    const s = choose(h, o);
    expect(s.stable).toBeUndefined();
    expect(s.noStable).toBe(cause);
  });
});
