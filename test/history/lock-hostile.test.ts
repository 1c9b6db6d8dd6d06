import { describe, expect, it } from 'vitest';
import { addLock, LockFileError, parseLocks, removeLocks } from '../../src/history/locks.js';

const lock = (version: string) => ({
  version,
  reason: 'error_spike',
  locked_at: '2026-11-23T22:00:00Z',
  rollback_id: 'abcd0123abcd0123',
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LockFileError);
    return (e as Error).message;
  }
  throw new Error('expected a LockFileError');
}

const BOMB = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

describe('a lock file from a pull request', () => {
  it('refuses an alias bomb as a LockFileError at the first alias', { timeout: 5000 }, () => {
    expect(refusal(() => parseLocks(BOMB, '.pinback/locks/api.yaml'))).toBe(
      '.pinback/locks/api.yaml:2:8: the alias *a: a lock file holds no aliases (pinback writes none); write the entry out',
    );
  });

  it('refuses an alias even where it would be small', () => {
    const text = 'api:\n  - &one { version: "v1" }\n  - *one\n';
    expect(refusal(() => parseLocks(text, 'locks.yaml'))).toMatch(/^locks\.yaml:3:5: the alias \*one/);
  });

  it('refuses a __proto__ service instead of dropping its locks', () => {
    const text = 'api: []\n__proto__:\n  - { version: "v1" }\n';
    expect(refusal(() => parseLocks(text, 'locks.yaml'))).toBe(
      'locks.yaml:2:1: the key "__proto__" is not allowed in a lock file',
    );
  });

  it('refuses a merge key', () => {
    const text = 'api:\n  - <<: { version: "v1" }\n';
    expect(refusal(() => parseLocks(text, 'locks.yaml'))).toBe(
      'locks.yaml:2:5: YAML merge keys (<<) are not supported in a lock file',
    );
  });

  it('caps a long value in its message', () => {
    const text = `? ${'s'.repeat(50_000)}\n: 7\n`;
    const message = refusal(() => parseLocks(text, 'locks.yaml'));
    expect(message).toMatch(/^locks\.yaml: s+… \(50000 characters\): /);
    expect(message.length).toBeLessThan(600);
  });

  it('does not rewrite a lock file that was not UTF-8', () => {
    // What a store that decodes without `fatal` makes of a Latin-1 comment.
    const text = `# owner: Ren\uFFFD\napi:\n  - { version: "v1", rollback_id: "r1" }\n`;
    expect(refusal(() => addLock(text, 'api', lock('v2'), 'locks.yaml'))).toMatch(
      /^locks\.yaml:1: not UTF-8: pinback edits only UTF-8 files/,
    );
    expect(refusal(() => removeLocks(text, 'r1', 'locks.yaml'))).toMatch(/^locks\.yaml:1: not UTF-8/);
    expect(parseLocks(text, 'locks.yaml').get('api')).toHaveLength(1);
  });
});
