import { describe, expect, it } from 'vitest';
import {
  broughtIn,
  type GraphCommit,
  mergeEntry,
  mergeMessage,
  newestBroughtOf,
  planFirstParent,
  type WindowCommit,
} from '../../src/gitops/first-parent.js';
import type { HistoryEntry } from '../../src/gitops/store.js';
import { readAuditRecord, rollbackMessage } from '../../src/history/trailers.js';

/** A commit of a path-less walk (git log order, newest first) and whether it changed the file. */
interface WalkedCommit extends GraphCommit {
  touched: boolean;
}

/** What each merge brought in for one file, as the git store finds it for many (git-history.ts). */
function newestBrought(
  merges: readonly GraphCommit[],
  walk: readonly WalkedCommit[],
  boundary = new Set<string>(),
) {
  const sides = broughtIn(merges, new Map(walk.map((c) => [c.sha, c.parents])));
  const touched = new Set(walk.filter((c) => c.touched).map((c) => c.sha));
  const order = new Map(walk.map((c, i) => [c.sha, i]));
  return newestBroughtOf(sides, [...sides.keys()], order, (sha) => touched.has(sha), boundary);
}

/*
 * The graphs, newest on top (main is the left column, first parents straight down):
 *
 *   M2        merges b (b2 <- b1), which forked from X
 *   |  \
 *   X   b2
 *   |   b1
 *   |  /
 *   M1       merges a (a1), which forked from R
 *   |  \
 *   R   a1
 *   | /
 *   R0
 */
const graph: WalkedCommit[] = [
  { sha: 'M2', parents: ['X', 'b2'], touched: false },
  { sha: 'b2', parents: ['b1'], touched: false },
  { sha: 'b1', parents: ['M1'], touched: true },
  { sha: 'X', parents: ['M1'], touched: true },
  { sha: 'M1', parents: ['R', 'a1'], touched: false },
  { sha: 'a1', parents: ['R0'], touched: true },
  { sha: 'R', parents: ['R0'], touched: false },
  { sha: 'R0', parents: [], touched: true },
];
const M2 = { sha: 'M2', parents: ['X', 'b2'] };
const M1 = { sha: 'M1', parents: ['R', 'a1'] };

describe('broughtIn', () => {
  it("is each merge's side: reachable from its other parents, not from its first", () => {
    const sides = broughtIn([M2, M1], new Map(graph.map((c) => [c.sha, c.parents])));
    expect(Object.fromEntries([...sides].map(([m, s]) => [m, s.sort()]))).toEqual({
      M2: ['b1', 'b2'],
      M1: ['a1'],
    });
  });

  it('takes commits outside the graph as what the oldest merge’s first parent reaches', () => {
    // `git log M2 ^X`: what X reaches is not listed.
    const listed = graph.filter((c) => ['M2', 'b2', 'b1'].includes(c.sha));
    const sides = broughtIn([M2], new Map(listed.map((c) => [c.sha, c.parents])));
    expect(sides.get('M2')?.sort()).toEqual(['b1', 'b2']);
  });
});

describe('newestBrought', () => {
  it('finds the newest commit of each side that changed the file', () => {
    expect(Object.fromEntries(newestBrought([M2, M1], graph))).toEqual({
      M2: { sha: 'b1', cut: false },
      M1: { sha: 'a1', cut: false },
    });
  });

  it('never takes the boundary of a shallow clone, and says the walk was cut there', () => {
    const shallow = graph.map((c) => (c.sha === 'b1' ? { ...c, parents: [] } : c));
    expect(newestBrought([M2], shallow, new Set(['b1'])).get('M2')).toEqual({ sha: undefined, cut: true });
  });
});

describe('mergeMessage', () => {
  it("ends with the brought commit's message, so its trailers are the merge entry's", () => {
    const rollback = rollbackMessage(
      {
        service: 'api',
        from: '1.1.0',
        to: '1.0.0',
        reason: 'error_spike',
        stage: 'canary',
        evidence: [],
        policy: 'p.yml@abc',
        actor: 't',
        run: undefined,
        id: '0123456789abcdef',
      },
      'why',
    );
    const message = mergeMessage(
      'Merge pull request #1 from acme/pinback/rollback-api\n',
      rollback.trimEnd(),
    );
    expect(message.startsWith('Merge pull request #1 from acme/pinback/rollback-api\n\nrollback(api)')).toBe(
      true,
    );
    expect(readAuditRecord(message)).toMatchObject({ service: 'api', from: '1.1.0', to: '1.0.0' });
    expect(mergeMessage('Merge', undefined)).toBe('Merge');
  });
});

const entry = (sha: string, time: number, text = sha): HistoryEntry => ({ sha, time, message: sha, text });

describe('planFirstParent', () => {
  // The window of the graph above, with the file's object id at each commit.
  const window: WindowCommit[] = [
    { sha: 'M2', parents: ['X', 'b2'], file: 'v3' },
    { sha: 'b2', parents: ['b1'], file: 'v3' },
    { sha: 'b1', parents: ['M1'], file: 'v3' },
    { sha: 'X', parents: ['M1'], file: 'v2x' },
    { sha: 'M1', parents: ['R', 'a1'], file: 'v2' },
    { sha: 'a1', parents: ['R0'], file: 'v2' },
    { sha: 'R', parents: ['R0'], file: 'v1' },
    { sha: 'R0', parents: [], file: 'v1' },
  ];
  // As GitHub's history(path:) simplifies it: the merges' changes show as the commits they brought in.
  const simplified = [entry('b1', 50), entry('X', 40), entry('a1', 20), entry('R0', 10)];

  it('puts the merges that changed the file where their changes were, and leaves out what they brought in', () => {
    expect(planFirstParent('M2', window, simplified)).toEqual([
      { kind: 'merge', sha: 'M2' },
      { kind: 'entry', entry: simplified[1], chain: true },
      { kind: 'merge', sha: 'M1' },
      // R0's first parent is past the window: it is the history's, as read (and may be simplified).
      { kind: 'entry', entry: { ...simplified[3], simplified: true }, chain: false },
    ]);
  });

  it('is the history as read on a linear branch', () => {
    const linear: WindowCommit[] = [
      { sha: 'C', parents: ['B'], file: 'v2' },
      { sha: 'B', parents: ['A'], file: 'v1' },
      { sha: 'A', parents: [], file: 'v1' },
    ];
    const read = [entry('C', 3), entry('A', 1)];
    // A is the oldest commit: nothing tells whether a merge brought it, so it is marked as read.
    expect(planFirstParent('C', linear, read).map((s) => (s.kind === 'entry' ? s.entry : s))).toEqual([
      read[0],
      { ...read[1], simplified: true },
    ]);
  });

  it('keeps what is older than the window as read', () => {
    const short = window.slice(0, 3);
    // M2's first parent is past this window: nothing can be judged, the history is as read.
    expect(planFirstParent('M2', short, simplified).map((s) => (s.kind === 'entry' ? s.entry : s))).toEqual(
      simplified.map((h) => ({ ...h, simplified: true })),
    );
    expect(planFirstParent('M2', window.slice(0, 4), simplified)[0]).toEqual({ kind: 'merge', sha: 'M2' });
  });

  it('drops what a merge that changed nothing brought in', () => {
    const same = window.map((c) =>
      c.sha === 'M2' ? { ...c, file: 'v2x' } : c.sha === 'b1' || c.sha === 'b2' ? { ...c, file: 'v2x' } : c,
    );
    expect(
      planFirstParent('M2', same, simplified).map((s) => (s.kind === 'entry' ? s.entry.sha : s.sha)),
    ).toEqual(['X', 'M1', 'R0']);
  });

  it('stops where the history read ended before a change of the chain', () => {
    expect(planFirstParent('M2', window, [entry('b1', 50)])).toEqual([{ kind: 'merge', sha: 'M2' }]);
  });
});

describe('mergeEntry', () => {
  const merge = { sha: 'M', time: 100, message: 'Merge pull request #7', text: 'v2' };

  it("takes the newest change the other parents reach that the first parent does not have, with the merge's time", () => {
    const result = mergeEntry(merge, [
      { sha: 'old', time: 10, message: 'deploy v1' },
      { sha: 'pr', time: 50, message: 'bump v2' },
    ]);
    expect(result).toEqual({
      entry: { sha: 'M', time: 100, message: 'Merge pull request #7\n\nbump v2', text: 'v2' },
      brought: 'pr',
    });
  });

  it('brings nothing in where the other parents reach only what the first parent or the chain has', () => {
    const first = { sha: 'old', time: 10, message: 'deploy v1' };
    expect(mergeEntry(merge, [first, first]).brought).toBeUndefined();
    expect(mergeEntry(merge, [undefined, first], new Set(['old']))).toEqual({
      entry: merge,
      brought: undefined,
    });
  });
});
