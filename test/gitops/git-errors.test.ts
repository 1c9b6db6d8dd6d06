import { describe, expect, it } from 'vitest';
import { missingBranch, moved, notACommit, redact, said } from '../../src/gitops/git-errors.js';

describe('said', () => {
  it("keeps git's last three meaningful lines, without push chatter", () => {
    expect(said('To file:///r.git\nremote: a\nremote: b\n\nerror: c\nDone\n')).toBe(
      'remote: a; remote: b; error: c',
    );
  });

  it('says there was no message rather than nothing', () => {
    expect(said('\n  \n')).toBe('no message');
  });

  it('hides credentials in any URL it quotes', () => {
    expect(said("fatal: unable to access 'https://x-access-token:ghs_abc@github.com/a/b.git/'")).toBe(
      "fatal: unable to access 'https://***@github.com/a/b.git/'",
    );
  });
});

describe('redact', () => {
  it('hides the user and password of a URL target, and leaves others alone', () => {
    expect(redact('https://user:s3cret@github.com/acme/gitops.git')).toBe(
      'https://***@github.com/acme/gitops.git',
    );
    expect(redact('git@github.com:acme/gitops.git')).toBe('git@github.com:acme/gitops.git');
    expect(redact('/srv/gitops')).toBe('/srv/gitops');
  });
});

describe('messages', () => {
  it('lists at most 20 known branches of a missing one', () => {
    const names = Array.from({ length: 25 }, (_, i) => `b${i}`);
    const message = missingBranch('prod', 'file:///r.git', ['', ...names]).message;
    expect(message).toContain('(branches: b0, b1,');
    expect(message).toContain('b19)');
    expect(message).not.toContain('b20');
    expect(missingBranch('prod', '/r', []).message).toBe(
      'branch "prod" does not exist in /r: create it or name another branch (gitops.branch or --branch)',
    );
  });

  it('answers stale for a commit not there and a branch that moved or appeared', () => {
    expect(notACommit('abc', '/r (branch main)')).toEqual({
      ok: false,
      reason: 'stale',
      detail: 'abc is not a commit of /r (branch main)',
    });
    expect(notACommit('abc', 'r', 'def').detail).toBe('abc is not a commit of r; the branch is at def');
    expect(moved('main', 'abc', 'def').detail).toBe('branch main moved to def, not abc');
    expect(moved('main', 'abc', undefined).detail).toBe('branch main moved to (deleted), not abc');
    expect(moved('new', undefined, 'def').detail).toBe('branch new was created meanwhile (at def)');
  });
});
