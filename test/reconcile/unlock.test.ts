/**
 * Closing an incident proposes to unlock its version (src/reconcile/unlock.ts): the entries of
 * that rollback are found in the services' own lock files and in the legacy `.pinback/locks.yaml`,
 * and the pull request changes only the files that held one.
 */
import { describe, expect, it } from 'vitest';
import { addLock, LEGACY_LOCK_FILE, lockFileOf, parseLocks } from '../../src/history/locks.js';
import type { Proposal, Proposals } from '../../src/reconcile/ports.js';
import { proposeUnlock } from '../../src/reconcile/unlock.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

const lock = (version: string, rollback_id: string) => ({
  version,
  reason: 'error_spike',
  locked_at: '2026-11-23T22:00:00Z',
  rollback_id,
});

const NEW = '1111111111111111';
const OLD = '2222222222222222';
const OTHER = '3333333333333333';

/** api locked in its own file (NEW), and in the legacy file (OLD) beside a lock of billing (OTHER). */
function repo(): { repo: MemoryGitOps; legacy: string; api: string; web: string } {
  const legacy = addLock(addLock(null, 'billing', lock('9.0.0', OTHER)), 'api', lock('1.1.0', OLD));
  const api = addLock(null, 'api', lock('1.2.0', NEW));
  const web = addLock(null, 'web', lock('2.0.0', OTHER));
  const repo = new MemoryGitOps();
  repo.write('README.md', '# gitops\n');
  repo.write(LEGACY_LOCK_FILE, legacy);
  repo.write(lockFileOf('api'), api);
  repo.write(lockFileOf('web'), web);
  repo.commitAt('locks', 60);
  return { repo, legacy, api, web };
}

function pulls(): Proposals & { opened: Proposal[] } {
  const opened: Proposal[] = [];
  return {
    opened,
    find: async () => undefined,
    open: async (p) => {
      opened.push(p);
      return `https://github.com/acme/gitops/pull/${opened.length}`;
    },
  };
}

const unlock = (
  store: MemoryGitOps,
  prs: Proposals,
  rollbackId: string,
  services = ['api', 'web', 'billing'],
) =>
  proposeUnlock(store, prs, {
    rollbackId,
    services,
    author: { name: 'pinback', email: 'pinback@acme.example' },
    incident: 'https://github.com/acme/app/issues/7',
  });

/** The files a branch changed against main, with their text there. */
function changed(store: MemoryGitOps, branch: string): Map<string, string | null> {
  const paths = [LEGACY_LOCK_FILE, ...['api', 'web', 'billing'].map(lockFileOf)];
  return new Map(
    paths
      .filter((p) => store.file(p, branch) !== store.file(p))
      .map((p): [string, string | null] => [p, store.file(p, branch)]),
  );
}

describe('proposeUnlock', () => {
  it("removes a lock from the service's own file, and changes nothing else", async () => {
    const { repo: store, legacy } = repo();
    const prs = pulls();
    const result = await unlock(store, prs, NEW);
    expect(result).toMatchObject({
      removed: [{ service: 'api', version: '1.2.0' }],
      pullRequest: 'https://github.com/acme/gitops/pull/1',
      message: 'proposed to unlock api 1.2.0',
    });
    const branch = `pinback/unlock-${NEW}`;
    const files = changed(store, branch);
    expect([...files.keys()]).toEqual([lockFileOf('api')]);
    expect(parseLocks(files.get(lockFileOf('api'))).size).toBe(0);
    expect(files.get(lockFileOf('api'))).toContain('# Versions pinback rolled back.');
    expect(store.file(LEGACY_LOCK_FILE, branch)).toBe(legacy);
    expect(prs.opened).toEqual([expect.objectContaining({ branch, base: 'main' })]);
    expect(store.log(branch)[0]!.message).toContain(`Rollback-Unlock: ${NEW}`);
  });

  it('removes a lock from the legacy file, keeping its other entries byte for byte', async () => {
    const { repo: store } = repo();
    const result = await unlock(store, pulls(), OLD);
    expect(result.removed).toEqual([{ service: 'api', version: '1.1.0' }]);
    const files = changed(store, `pinback/unlock-${OLD}`);
    expect([...files.keys()]).toEqual([LEGACY_LOCK_FILE]);
    expect(files.get(LEGACY_LOCK_FILE)).toBe(addLock(null, 'billing', lock('9.0.0', OTHER)));
  });

  it('removes the entries of one rollback from every file that holds one, in one pull request', async () => {
    const { repo: store } = repo();
    const result = await unlock(store, pulls(), OTHER);
    expect(result.removed).toEqual([
      { service: 'web', version: '2.0.0' },
      { service: 'billing', version: '9.0.0' },
    ]);
    const files = changed(store, `pinback/unlock-${OTHER}`);
    expect([...files.keys()].sort()).toEqual([LEGACY_LOCK_FILE, lockFileOf('web')].sort());
    expect(result.message).toBe('proposed to unlock web 2.0.0, billing 9.0.0');
  });

  it('says there is nothing to unlock when no file holds the rollback, and opens nothing', async () => {
    const { repo: store } = repo();
    const prs = pulls();
    const before = store.count();
    const result = await unlock(store, prs, 'ffffffffffffffff');
    expect(result).toEqual({
      removed: [],
      pullRequest: undefined,
      message:
        'no lock of rollback ffffffffffffffff in .pinback/locks/ or .pinback/locks.yaml: nothing to unlock',
    });
    expect(prs.opened).toEqual([]);
    expect(store.count()).toBe(before);
    expect(store.head(`pinback/unlock-ffffffffffffffff`)).toBeUndefined();
  });

  it("reads each service's file by name: a service outside the list is not searched, the legacy file always is", async () => {
    const { repo: store } = repo();
    expect((await unlock(store, pulls(), NEW, ['web'])).removed).toEqual([]);
    expect((await unlock(store, pulls(), OLD, [])).removed).toEqual([{ service: 'api', version: '1.1.0' }]);
  });
});
