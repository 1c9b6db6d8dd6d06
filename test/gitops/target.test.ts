import { describe, expect, it } from 'vitest';
import { classifyTarget, type Target } from '../../src/gitops/target.js';
import { StoreError } from '../../src/gitops/store.js';

/** Paths that exist, for the rows that depend on it; classifyTarget asks nothing else. */
const EXISTING = new Set(['acme/existing', 'deploy/gitops']);
const exists = (path: string): boolean => EXISTING.has(path);

const github = (repo: string): Target => ({ kind: 'github', repo });
const remote = (url: string): Target => ({ kind: 'remote', url });
const local = (path: string): Target => ({ kind: 'local', path });

describe('classifyTarget', () => {
  it.each<[string, Target]>([
    // URLs with a scheme, in any case
    ['https://github.com/acme/gitops.git', remote('https://github.com/acme/gitops.git')],
    ['HTTPS://github.com/acme/gitops', remote('HTTPS://github.com/acme/gitops')],
    ['ssh://git@github.com/acme/gitops.git', remote('ssh://git@github.com/acme/gitops.git')],
    ['ssh://git@example.com:2222/srv/gitops.git', remote('ssh://git@example.com:2222/srv/gitops.git')],
    ['file:///srv/git/gitops.git', remote('file:///srv/git/gitops.git')],
    ['git+ssh://git@example.com/gitops.git', remote('git+ssh://git@example.com/gitops.git')],
    ['https://user:token@example.com/a/b', remote('https://user:token@example.com/a/b')],
    // scp-like [user@]host:path, a colon before any slash
    ['git@github.com:acme/gitops.git', remote('git@github.com:acme/gitops.git')],
    ['github.com:acme/gitops.git', remote('github.com:acme/gitops.git')],
    ['gitserver:gitops', remote('gitserver:gitops')],
    ['deploy@10.0.0.7:/srv/gitops.git', remote('deploy@10.0.0.7:/srv/gitops.git')],
    // owner/name in GitHub's shape, unless such a path exists
    ['acme/gitops', github('acme/gitops')],
    ['Acme-Corp/gitops.k8s_prod', github('Acme-Corp/gitops.k8s_prod')],
    ['acme/existing', local('acme/existing')],
    ['deploy/gitops', local('deploy/gitops')],
    // paths
    ['./gitops', local('./gitops')],
    ['../gitops', local('../gitops')],
    ['.', local('.')],
    ['/abs/path', local('/abs/path')],
    ['/srv/repos/a:b', local('/srv/repos/a:b')],
    ['gitops', local('gitops')],
    ['acme/gitops/', local('acme/gitops/')],
    ['acme/gitops/apps', local('acme/gitops/apps')],
    ['-acme/gitops', local('-acme/gitops')],
    ['acme/..', local('acme/..')],
    ['a_b/gitops', local('a_b/gitops')],
    // Windows drives are paths, with either slash or none
    ['C:\\repos\\gitops', local('C:\\repos\\gitops')],
    ['C:/repos/gitops', local('C:/repos/gitops')],
    ['d:gitops', local('d:gitops')],
  ])('%j is %o', (target, expected) => {
    expect(classifyTarget(target, exists)).toEqual(expected);
  });

  it('rejects an empty target rather than reading it as the current directory', () => {
    expect(() => classifyTarget('', exists)).toThrow(StoreError);
    expect(() => classifyTarget('', exists)).toThrow(/GitOps repository is empty/);
  });

  it('asks whether a path exists only for an owner/name', () => {
    const asked: string[] = [];
    const spy = (p: string) => {
      asked.push(p);
      return false;
    };
    for (const t of ['https://x/y', 'git@x:y', './a', '/a/b', 'C:\\x', 'acme/gitops']) classifyTarget(t, spy);
    expect(asked).toEqual(['acme/gitops']);
  });

  it('takes an owner of at most 39 characters and a name of at most 100', () => {
    expect(classifyTarget(`${'a'.repeat(39)}/${'b'.repeat(100)}`, exists).kind).toBe('github');
    expect(classifyTarget(`${'a'.repeat(40)}/b`, exists).kind).toBe('local');
    expect(classifyTarget(`a/${'b'.repeat(101)}`, exists).kind).toBe('local');
  });
});
