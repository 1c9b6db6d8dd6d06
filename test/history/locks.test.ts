import { describe, expect, it } from 'vitest';
import { addLock, LockFileError, lockFor, parseLocks } from '../../src/history/locks.js';

const lock = (version: string) => ({
  version,
  reason: 'error_spike',
  locked_at: '2026-11-23T22:00:00Z',
  rollback_id: 'abcd0123abcd0123',
});

describe('lock file', () => {
  it('is created with a header and the locked version', () => {
    const text = addLock(null, 'support-agent', lock('2.4.0'));
    expect(text).toContain('# Versions pinback rolled back');
    expect(lockFor(parseLocks(text), 'support-agent', '2.4.0')).toEqual(lock('2.4.0'));
  });

  it('keeps versions as strings, even ones YAML would read as numbers', () => {
    const text = addLock(null, 'api', lock('1.10'));
    expect(parseLocks(text).get('api')![0]!.version).toBe('1.10');
  });

  it('appends to an existing service and keeps other services and comments', () => {
    const first = addLock(addLock(null, 'api', lock('v1')), 'web', lock('v9'));
    const withComment = first.replace('web:', '# the storefront\nweb:');
    const text = addLock(withComment, 'api', lock('v2'));
    expect(text).toContain('# the storefront');
    expect(
      parseLocks(text)
        .get('api')!
        .map((l) => l.version),
    ).toEqual(['v1', 'v2']);
    expect(
      parseLocks(text)
        .get('web')!
        .map((l) => l.version),
    ).toEqual(['v9']);
  });

  it('does not lock the same version twice', () => {
    const once = addLock(null, 'api', lock('v1'));
    expect(addLock(once, 'api', lock('v1'))).toBe(once);
  });

  it('reads a missing or empty file as no locks', () => {
    expect(parseLocks(null).size).toBe(0);
    expect(parseLocks('\n').size).toBe(0);
  });

  it('reports a malformed file with its location', () => {
    expect(() => parseLocks('api: [\n')).toThrow(LockFileError);
    expect(() => parseLocks('api:\n  - reason: x\n')).toThrow(/\.pinback\/locks\.yaml: api\.0\.version/);
  });
});
