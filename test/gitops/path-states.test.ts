import { describe, expect, it } from 'vitest';
import type { TreeEntry } from '../../src/gitops/git-parse.js';
import { pathStates, treePaths } from '../../src/gitops/path-states.js';
import { StoreError } from '../../src/gitops/store.js';

const WHERE = '/repo (branch main)';
const tree = (oid: string): TreeEntry => ({ mode: '040000', type: 'tree', oid });
const blob = (oid: string, mode = '100644'): TreeEntry => ({ mode, type: 'blob', oid });

describe('treePaths', () => {
  it('lists each path and its leading directories once', () => {
    expect(treePaths(['a/b/c.yaml', 'a/b/d.yaml', 'e.yaml'])).toEqual([
      'a',
      'a/b',
      'a/b/c.yaml',
      'a/b/d.yaml',
      'e.yaml',
    ]);
  });
});

describe('pathStates', () => {
  const entries = new Map<string, TreeEntry>([
    ['apps', tree('t1')],
    ['apps/api', tree('t2')],
    ['apps/api/pin.yaml', blob('b1')],
    ['apps/run.sh', blob('b2', '100755')],
    ['apps/file', blob('b3')],
    ['apps/link', { mode: '120000', type: 'blob', oid: 'b4' }],
    ['apps/vendor', { mode: '160000', type: 'commit', oid: 'c1' }],
  ]);

  it('gives a file its mode and blob, and a path not in the tree as missing', () => {
    const states = pathStates(entries, ['apps/api/pin.yaml', 'apps/run.sh', 'apps/new.yaml'], WHERE);
    expect(Object.fromEntries(states)).toEqual({
      'apps/api/pin.yaml': { kind: 'file', mode: '100644', oid: 'b1' },
      'apps/run.sh': { kind: 'file', mode: '100755', oid: 'b2' },
      'apps/new.yaml': { kind: 'missing' },
    });
  });

  it('marks a path under a file as blocked by that file', () => {
    expect(pathStates(entries, ['apps/file/x.yaml'], WHERE).get('apps/file/x.yaml')).toEqual({
      kind: 'blocked',
      by: 'apps/file',
    });
  });

  it.each([
    ['apps/link', /"apps\/link" is a symbolic link in \/repo \(branch main\)/],
    ['apps/link/x.yaml', /"apps\/link\/x.yaml" goes through the symbolic link "apps\/link"/],
    ['apps/vendor/x.yaml', /is inside the submodule "apps\/vendor"/],
    ['apps/vendor', /is inside the submodule "apps\/vendor"/],
    ['apps/api', /"apps\/api" is a directory in \/repo \(branch main\), not a file/],
  ])('rejects %j as a StoreError', (path, message) => {
    expect(() => pathStates(entries, [path], WHERE)).toThrow(StoreError);
    expect(() => pathStates(entries, [path], WHERE)).toThrow(message);
  });
});
