import { describe, expect, it } from 'vitest';
import { leadingDirectories, safeRepoPath } from '../../src/gitops/paths.js';
import { StoreError } from '../../src/gitops/store.js';

describe('safeRepoPath', () => {
  it('returns a plain relative path unchanged', () => {
    expect(safeRepoPath('apps/api/kustomization.yaml')).toBe('apps/api/kustomization.yaml');
  });

  it('normalizes ./ segments and doubled slashes', () => {
    expect(safeRepoPath('./apps//api/./values.yaml')).toBe('apps/api/values.yaml');
  });

  it.each([
    ['../x', "contains '..'"],
    ['apps/../../x', "contains '..'"],
    ['/etc/passwd', 'is absolute'],
    ['C:/x', 'drive path'],
    ['apps\\api.yaml', 'backslash'],
    ['apps/a\0b', 'NUL'],
    ['apps/a\nb', 'control character'],
    ['.git/config', '.git'],
    ['apps/', 'ends with a slash'],
    ['', 'is empty'],
    ['.', 'repository root'],
  ])('rejects %j as a StoreError saying it %s', (path, why) => {
    expect(() => safeRepoPath(path)).toThrow(StoreError);
    expect(() => safeRepoPath(path)).toThrow(why);
  });

  it('names the path and says what to use instead', () => {
    expect(() => safeRepoPath('../x')).toThrow(/"\.\.\/x".*relative to the repository root/);
  });
});

describe('leadingDirectories', () => {
  it('lists each directory on the way to the file, outermost first', () => {
    expect(leadingDirectories('a/b/c.yaml')).toEqual(['a', 'a/b']);
    expect(leadingDirectories('c.yaml')).toEqual([]);
  });
});
