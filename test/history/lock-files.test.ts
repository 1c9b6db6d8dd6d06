/**
 * Issue 11: each service's locks in a file of its own, `.pinback/locks/<service>.yaml`, named so
 * that two services never share a file (nor a file name a case-blind or Windows checkout confuses),
 * and the old single `.pinback/locks.yaml` still read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addLock,
  findLock,
  LEGACY_LOCK_FILE,
  LockFileError,
  lockFileName,
  lockFileOf,
  lockFilesOf,
  locksIn,
  parseLocks,
  removeLocks,
} from '../../src/history/locks.js';

/** What the policy allows as a service name (src/config/schema.ts). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const names = fc.stringMatching(NAME, { size: 'large' });

const lock = (version: string, rollback_id = 'abcd0123abcd0123') => ({
  version,
  reason: 'error_spike',
  locked_at: '2026-11-23T22:00:00Z',
  rollback_id,
});

describe('the lock file of a service', () => {
  it('is .pinback/locks/<service>.yaml for a plain name', () => {
    expect(lockFileOf('support-agent')).toBe('.pinback/locks/support-agent.yaml');
    expect(lockFileOf('api_v2.eu-1')).toBe('.pinback/locks/api_v2.eu-1.yaml');
    expect(lockFilesOf('web')).toEqual(['.pinback/locks/web.yaml', LEGACY_LOCK_FILE]);
  });

  it('writes each capital as + and its small letter: Web and web stay two files where case is ignored', () => {
    expect(lockFileOf('Web')).toBe('.pinback/locks/+web.yaml');
    expect(lockFileOf('WEB')).toBe('.pinback/locks/+w+e+b.yaml');
    expect(new Set(['web', 'Web', 'wEb', 'WEB'].map((n) => lockFileOf(n).toLowerCase())).size).toBe(4);
  });

  it('puts _ before a Windows device name, whatever follows the first dot', () => {
    for (const n of ['con', 'nul', 'aux', 'prn', 'com1', 'lpt9', 'con.eu', 'nul.v2.canary']) {
      expect(lockFileName(n)).toBe(`_${n}`);
    }
    // Only the whole part before the first dot is a device name.
    expect(lockFileName('console')).toBe('console');
    expect(lockFileName('web.con')).toBe('web.con');
    // A capital is escaped first: `Con` is `+con`, no device name.
    expect(lockFileName('Con')).toBe('+con');
  });

  it('cuts a long name and adds a hash of the whole name', () => {
    const long = 'a'.repeat(300);
    const name = lockFileName(long);
    expect(name).toMatch(/^a{100}~[0-9a-f]{16}$/);
    expect(lockFileName(`${long}b`)).not.toBe(name);
    expect(lockFileName('a'.repeat(120))).toBe('a'.repeat(120));
  });

  it('is a safe file name for every policy name: one path segment, no capital, short, no device name', () => {
    fc.assert(
      fc.property(names, (n) => {
        const file = lockFileOf(n);
        expect(file.startsWith('.pinback/locks/')).toBe(true);
        const base = file.slice('.pinback/locks/'.length);
        expect(base).toMatch(/^[a-z0-9_.+~-]+\.yaml$/);
        expect(base.length).toBeLessThanOrEqual(125);
        expect(base.split('.')[0]).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/);
      }),
    );
  });

  it('is different for different names', () => {
    fc.assert(
      fc.property(names, names, (a, b) => {
        fc.pre(a !== b);
        expect(lockFileOf(a)).not.toBe(lockFileOf(b));
      }),
    );
    const tricky = ['con', '_con', 'Con', '+con', 'con.', 'con_', 'c', 'C', 'a-b', 'a.b', 'a_b'];
    const valid = tricky.filter((n) => NAME.test(n));
    expect(new Set(valid.map(lockFileOf)).size).toBe(valid.length);
  });
});

describe('reading the locks of a service', () => {
  const legacy = addLock(addLock(null, 'api', lock('1.1.0', 'legacy00legacy00')), 'web', lock('9.0.0'));
  const own = addLock(null, 'api', lock('1.2.0'));
  const files = new Map<string, string | null>([
    [LEGACY_LOCK_FILE, legacy],
    [lockFileOf('api'), own],
    [lockFileOf('web'), null],
  ]);

  it('counts a lock in its own file and one in the legacy file', () => {
    expect(
      locksIn(files, ['api'])
        .get('api')!
        .map((l) => l.version),
    ).toEqual(['1.2.0', '1.1.0']);
    expect(findLock(files, 'api', '1.2.0')).toEqual({ lock: lock('1.2.0'), file: '.pinback/locks/api.yaml' });
    expect(findLock(files, 'api', '1.1.0')).toEqual({
      lock: lock('1.1.0', 'legacy00legacy00'),
      file: LEGACY_LOCK_FILE,
    });
    expect(findLock(files, 'web', '9.0.0')?.file).toBe(LEGACY_LOCK_FILE);
    expect(findLock(files, 'api', '1.3.0')).toBeUndefined();
  });

  it('reads files not read at all, or missing, as no locks', () => {
    expect(locksIn(new Map(), ['api']).size).toBe(0);
    expect(findLock(new Map([[lockFileOf('api'), null]]), 'api', '1.2.0')).toBeUndefined();
  });

  it("names the file of a malformed service's lock file", () => {
    const bad = new Map([[lockFileOf('api'), 'api:\n  - reason: x\n']]);
    expect(() => locksIn(bad, ['api'])).toThrow(LockFileError);
    expect(() => locksIn(bad, ['api'])).toThrow(/^\.pinback\/locks\/api\.yaml: api\.0\.version/);
    expect(() => addLock('api: [\n', 'api', lock('1'))).toThrow(/^\.pinback\/locks\/api\.yaml:2:1/);
  });

  it('a new lock in a service file keeps the layout of the legacy file: service -> entries', () => {
    expect(own).toBe(
      [
        '# Versions pinback rolled back. `pinback check` fails a pin that names one of them.',
        '# To unlock a version, delete its entry here by pull request, like any GitOps change.',
        'api:',
        '  - version: "1.2.0"',
        '    reason: error_spike',
        '    locked_at: "2026-11-23T22:00:00Z"',
        '    rollback_id: "abcd0123abcd0123"',
        '',
      ].join('\n'),
    );
  });

  it('removes a rollback from one file and keeps the rest byte for byte', () => {
    const { text, removed } = removeLocks(legacy, 'legacy00legacy00');
    expect(removed).toEqual([{ service: 'api', lock: lock('1.1.0', 'legacy00legacy00') }]);
    // The header was a comment on the first key: it stays, on the next one.
    expect(text).toBe(addLock(null, 'web', lock('9.0.0')));
    expect(removeLocks(own, 'legacy00legacy00')).toEqual({ text: own, removed: [] });
  });

  it("keeps the header when a service file's only entry is removed: the file is as a new one starts", () => {
    const { text } = removeLocks(own, 'abcd0123abcd0123', lockFileOf('api'));
    expect(text).toBe(
      [
        '# Versions pinback rolled back. `pinback check` fails a pin that names one of them.',
        '# To unlock a version, delete its entry here by pull request, like any GitOps change.',
        '{}',
        '',
      ].join('\n'),
    );
    expect(parseLocks(text).size).toBe(0);
    // Locked again later: the same file, the same header once.
    expect(addLock(text, 'api', lock('1.2.0'))).toBe(own);
  });
});
