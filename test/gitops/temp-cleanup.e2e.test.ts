import { existsSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initRemote, initRepo, tempDir } from '../support/git.js';
import { GitOpsRepo } from '../support/gitops.js';

// The test helpers remove their temporary repositories when the test that made them is done, and
// those made outside a test (beforeAll) when the file is done. The order of the tests matters here.
describe('temporary repositories of the test helpers', () => {
  const shared: string[] = [];
  const made: string[] = [];
  let fromBeforeEach: string | undefined;

  beforeAll(async () => {
    shared.push(await tempDir(), new GitOpsRepo().dir, (await initRepo()).dir);
  });

  beforeEach(async () => {
    fromBeforeEach = await tempDir('pinback-each-');
  });

  it('makes repositories in a test', async () => {
    const gitops = new GitOpsRepo();
    gitops.commit('first');
    const remote = await initRemote();
    made.push(
      await tempDir(),
      gitops.dir,
      gitops.bareClone(),
      (await initRepo()).dir,
      remote.dir,
      remote.seed.dir,
    );
    made.push(fromBeforeEach ?? '');
    for (const dir of [...made, ...shared]) expect(existsSync(dir)).toBe(true);
  });

  it('finds those gone once that test finished, and the ones made in beforeAll still there', () => {
    expect(made).toHaveLength(7);
    for (const dir of made) expect(existsSync(dir), dir).toBe(false);
    for (const dir of shared) expect(existsSync(dir), dir).toBe(true);
  });
});
