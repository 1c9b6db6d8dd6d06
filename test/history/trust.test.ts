/**
 * Issue 12, trust: trailers are text anyone can write (a squash merge pastes them from a pull
 * request's body). A record counts only when it checks out against the pin's history; a value
 * that is no valid version is never the stable.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/history/entry.js';
import { parseLocks } from '../../src/history/locks.js';
import { checkRecords, pinState } from '../../src/history/pin-state.js';
import {
  readAuditRecord,
  releaseMessage,
  rollbackId,
  rollbackMessage,
  type RollbackTrailers,
} from '../../src/history/trailers.js';

const FILE = 'apps/api/kustomization.yaml';
const locator = { kustomize_image: 'ghcr.io/acme/api' };
const kustomization = (tag: string) =>
  `images:\n  - name: ghcr.io/acme/api\n    newTag: ${JSON.stringify(tag)}\n`;

type Commit = { tag: string; message?: string; sha?: string; author?: HistoryEntry['author'] };

/** History newest first, from commits oldest first; shas `c0`, `c1`... unless given. */
function history(...commits: Commit[]): HistoryEntry[] {
  return commits
    .map((c, i) => ({
      sha: c.sha ?? `c${i}`,
      time: 1000 + i * 3600,
      message: c.message ?? `deploy ${c.tag}`,
      text: kustomization(c.tag),
      ...(c.author ? { author: c.author } : {}),
    }))
    .reverse();
}

const trailers = (from: string, to: string, id: string): RollbackTrailers => ({
  service: 'api',
  from,
  to,
  reason: 'error_spike',
  stage: 'prod',
  evidence: [],
  policy: 'sha256:0',
  actor: 'pinback run',
  run: undefined,
  id,
});

/** A rollback's message as pinback writes it: `pinnedBy` is the commit that pinned `from`. */
const rollback = (from: string, to: string, pinnedBy: string) =>
  rollbackMessage(trailers(from, to, rollbackId('api', from, to, pinnedBy)), 'error_rate breached.');

/** A squash merge of a person's pull request whose body quoted a rollback's trailers. */
const pasted = (subject: string, from: string, to: string, id = '0123456789abcdef') =>
  `${subject}\n\nThe incident, for the record:\n\nRollback-Service: api\nRollback-From: ${from}\nRollback-To: ${to}\nRollback-Reason: error_spike\nRollback-Id: ${id}\n`;

const check = (h: HistoryEntry[], o: { complete?: boolean; identity?: { emails: readonly string[] } } = {}) =>
  checkRecords({ service: 'api', file: FILE, locator, history: h, ...o });

const state = (h: HistoryEntry[], candidate: string, o: { identity?: { emails: readonly string[] } } = {}) =>
  pinState({
    service: 'api',
    file: FILE,
    locator,
    candidate,
    history: h,
    locks: parseLocks(null),
    complete: true,
    ...o,
  });

describe('checkRecords: a rollback record checks out against the history', () => {
  it("trusts pinback's own rollback: the commit changed from -> to, the id recomputes from from's pin", () => {
    const h = history({ tag: 'v1' }, { tag: 'v2' }, { tag: 'v1', message: rollback('v2', 'v1', 'c1') });
    expect(check(h)[0]).toMatchObject({ from: 'v2', to: 'v1', untrusted: undefined });
    expect(check(h).slice(1)).toEqual([undefined, undefined]);
  });

  it('does not trust trailers pasted on a deploy of another version', () => {
    // A person's deploy of v3 whose pull request body quoted the rollback v2 -> v1.
    const h = history(
      { tag: 'v1' },
      { tag: 'v2' },
      { tag: 'v3', message: pasted('deploy v3 (#7)', 'v2', 'v1', rollbackId('api', 'v2', 'v1', 'c1')) },
    );
    expect(check(h)[0]).toMatchObject({ untrusted: 'the commit pins v3, not v1' });
  });

  it('does not trust a record whose commit changed the pin from another version', () => {
    const h = history({ tag: 'v1' }, { tag: 'v2', message: pasted('deploy v2 (#8)', 'v3', 'v2') });
    expect(check(h)[0]).toMatchObject({ untrusted: 'the commit changed the pin from v1, not from v3' });
  });

  it('does not trust the trailers of an earlier rollback pasted on a later change of the same versions', () => {
    const genuine = rollback('v2', 'v1', 'c1');
    const h = history(
      { tag: 'v1' },
      { tag: 'v2' },
      { tag: 'v1', message: genuine },
      { tag: 'v2', message: 'retry v2' },
      // A squash merge of a revert whose body carried the first rollback's commit message.
      { tag: 'v1', message: `revert to v1 (#9)\n\n${genuine}` },
    );
    const records = check(h);
    expect(records[2]).toMatchObject({ untrusted: undefined });
    expect(records[0]!.untrusted).toBe(
      `its id ${rollbackId('api', 'v2', 'v1', 'c1')} is not ${rollbackId('api', 'v2', 'v1', 'c3')}, that of v2 -> v1 with v2 pinned by c3`,
    );
  });

  it('trusts a proposal merged with a merge commit: the merge message, then the branch commit', () => {
    const merge = `Merge pull request #1 from acme/pinback/rollback-api-x\n\n${rollback('v2', 'v1', 'c1')}`;
    const h = history({ tag: 'v1' }, { tag: 'v2' }, { tag: 'v1', message: merge, sha: 'merge' });
    expect(check(h)[0]).toMatchObject({ from: 'v2', to: 'v1', untrusted: undefined });
    expect(state(h, 'v1').rolledBackBy).toMatchObject({ from: 'v2', to: 'v1', sha: 'merge' });
  });

  it('trusts a fallback: its from was pinned by the rollback before it', () => {
    const h = history(
      { tag: 'v0' },
      { tag: 'v1' },
      { tag: 'v2' },
      { tag: 'v1', message: rollback('v2', 'v1', 'c2') },
      { tag: 'v0', message: rollback('v1', 'v0', 'c3') },
    );
    expect(check(h).map((r) => r && r.untrusted)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(check(h).filter((r) => r !== undefined)).toHaveLength(2);
    const s = state(h, 'v0');
    expect(s.chain).toBe(2);
    expect(s.untrusted).toEqual([]);
  });

  it('finds the pin of from across commits that kept it and commits the locator cannot read', () => {
    const h = history({ tag: 'v1' }, { tag: 'v2' }, { tag: 'v2', message: 'chore: reformat' });
    h.unshift({ sha: 'broken', time: 9000, message: 'reshape', text: 'images: []\n' });
    h.unshift({ sha: 'r', time: 9999, message: rollback('v2', 'v1', 'c1'), text: kustomization('v1') });
    // The rollback's before is the unreadable commit: it did not change the pin from v2.
    expect(check(h)[0]!.untrusted).toBe(
      'the commit changed the pin from nothing the locator reads, not from v2',
    );
    // Moved between the commits that kept v2, it neither starts nor ends v2's run: c1 pinned it.
    const [broken] = h.splice(1, 1);
    h.splice(2, 0, broken!);
    expect(h.map((e) => e.sha)).toEqual(['r', 'c2', 'broken', 'c1', 'c0']);
    expect(check(h)[0]!.untrusted).toBeUndefined();
  });

  it("accepts an id it cannot recompute where from's pin is an entry of a simplified history", () => {
    // The GitHub store past its chain window: the merge that pinned v2 (whose sha named the id)
    // appears as the commit it brought in, `b`.
    const h = history(
      { tag: 'v1' },
      { tag: 'v2', sha: 'b' },
      { tag: 'v1', message: rollback('v2', 'v1', 'merge-of-b') },
    );
    expect(check(h)[0]!.untrusted).toMatch(/^its id [0-9a-f]{16} is not /);
    h[1] = { ...h[1]!, simplified: true };
    expect(check(h)[0]!.untrusted).toBeUndefined();
    // The change itself is still checked.
    h[0] = { ...h[0]!, text: kustomization('v3') };
    expect(check(h)[0]!.untrusted).toBe('the commit pins v3, not v1');
  });

  it('says so where the history read does not reach what the commit changed', () => {
    const h = history({ tag: 'v2' }, { tag: 'v1', message: rollback('v2', 'v1', 'c0') }).slice(0, 1);
    expect(check(h)[0]!.untrusted).toBe(
      'the history read ends at the commit: what it changed the pin from is unknown',
    );
  });

  it("ignores other services' records, and an unlock commit's", () => {
    const other = rollbackMessage(
      { ...trailers('v2', 'v1', rollbackId('web', 'v2', 'v1', 'c1')), service: 'web' },
      'x.',
    );
    const h = history({ tag: 'v1' }, { tag: 'v2' }, { tag: 'v1', message: other });
    expect(check(h)).toEqual([undefined, undefined, undefined]);
    const unlock = `unlock: v2\n\nx\n\nRollback-Service: api\nRollback-From: v2\nRollback-To: v1\nRollback-Id: ${'a'.repeat(16)}\nRollback-Unlock: ${'a'.repeat(16)}\n`;
    expect(readAuditRecord(unlock)).toBeUndefined();
  });
});

describe('checkRecords: a release names a rollback that checks out', () => {
  const release = (id: string) =>
    releaseMessage({
      service: 'api',
      from: 'v2',
      to: 'v1',
      id,
      what: 'kill switch',
      value: 'false',
      actor: 'p',
    });

  it('trusts the release of a verified rollback, not one that names no such rollback', () => {
    const id = rollbackId('api', 'v2', 'v1', 'c1');
    const h = history(
      { tag: 'v1' },
      { tag: 'v2' },
      { tag: 'v1', message: rollback('v2', 'v1', 'c1') },
      // The kill switch lives in the pin file: its release changes the file, not the pin.
      { tag: 'v1', message: release(id) },
      { tag: 'v1', message: release('fedcba9876543210') },
    );
    const records = check(h);
    expect(records[1]).toMatchObject({ kind: 'release', untrusted: undefined });
    expect(records[0]).toMatchObject({
      kind: 'release',
      untrusted:
        'it releases rollback fedcba9876543210, which is no verified rollback of v2 -> v1 in the history read',
    });
  });
});

describe("checkRecords: the author, where both it and pinback's identity are known", () => {
  const pinback = { emails: ['pinback@acme.dev', '41898282+github-actions[bot]@users.noreply.github.com'] };
  const h = (author?: HistoryEntry['author']) =>
    history({ tag: 'v1' }, { tag: 'v2' }, { tag: 'v1', message: rollback('v2', 'v1', 'c1'), author });

  it('does not trust a record another author committed, even one that checks out otherwise', () => {
    const r = check(h({ name: 'Mallory', email: 'm@evil.dev' }), { identity: pinback })[0];
    expect(r!.untrusted).toBe(
      'authored by Mallory <m@evil.dev>, not by pinback (gitops.record_authors: <pinback@acme.dev>, <41898282+github-actions[bot]@users.noreply.github.com>)',
    );
    expect(
      state(h({ name: 'Mallory', email: 'm@evil.dev' }), 'v1', { identity: pinback }).rolledBackBy,
    ).toBeUndefined();
  });

  it("trusts pinback's own commit (emails compare without case), and checks the rest alone where either is unknown", () => {
    expect(
      check(h({ name: 'x', email: 'PinBack@acme.dev' }), { identity: pinback })[0]!.untrusted,
    ).toBeUndefined();
    expect(check(h(), { identity: pinback })[0]!.untrusted).toBeUndefined();
    expect(check(h({ name: 'Mallory', email: 'm@evil.dev' }))[0]!.untrusted).toBeUndefined();
  });
});

describe('pinState ignores records that do not check out', () => {
  it('does not take a deploy with pasted trailers for a standing rollback (already_rolled_back)', () => {
    // v2 is the bad version: its deploy quoted trailers that claim a rollback to it.
    const h = history({ tag: 'v1' }, { tag: 'v2', message: pasted('deploy v2 (#8)', 'v3', 'v2') });
    const s = state(h, 'v2');
    expect(s.rolledBackBy).toBeUndefined();
    expect(s.lastRollback).toBeUndefined();
    expect(s.chain).toBe(0);
    expect(s.stable).toBe('v1');
    expect(s.untrusted).toEqual([
      expect.objectContaining({
        sha: 'c1',
        record: expect.objectContaining({ from: 'v3', to: 'v2' }),
        why: 'the commit changed the pin from v1, not from v3',
      }),
    ]);
  });

  it('does not exclude the genuine stable as rolled back from', () => {
    // v1 redeployed with a fix; the pull request quoted the rollback that once left it.
    const h = history(
      { tag: 'v0' },
      { tag: 'v1', message: pasted('redeploy v1 with the fix (#12)', 'v1', 'v0') },
      { tag: 'v2' },
    );
    const s = state(h, 'v2');
    expect(s.stable).toBe('v1');
    expect(s.stableWhy).toBe('v1: pinned for 60 min until v2');
  });
});

describe('pinState: a value that is no valid version is never the stable', () => {
  it('skips it and says which commit held it', () => {
    const h = history({ tag: 'v1' }, { tag: '$(id)' }, { tag: 'v3' });
    const s = state(h, 'v3');
    expect(s.stable).toBe('v1');
    expect(s.stableWhy).toBe(
      'v1: pinned for 60 min until "$(id)"; skipped "$(id)" (commit c1: not a valid version)',
    );
  });

  it('names it as the cause when nothing else is left', () => {
    const s = state(history({ tag: '$(id)' }, { tag: 'v3' }), 'v3');
    expect(s.stable).toBeUndefined();
    expect(s.noStable).toBe(
      'every earlier version in the history read is excluded: skipped "$(id)" (commit c0: not a valid version)',
    );
  });

  it('cuts a long value short in the explanation', () => {
    const long = `x${'$'.repeat(100)}`;
    const s = state(history({ tag: 'v1' }, { tag: long }, { tag: 'v3' }), 'v3');
    expect(s.stable).toBe('v1');
    expect(s.stableWhy!.length).toBeLessThan(200);
  });
});
