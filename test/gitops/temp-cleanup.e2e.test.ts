import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initRemote, initRepo, removeTempDirs, tempDir } from '../support/git.js';
import { GitOpsRepo } from '../support/gitops.js';

// The test helpers' temporary repositories live until their test file is done: the setup file
// test/support/cleanup.ts runs removeTempDirs after each file. The order of the tests matters here.
describe('temporary repositories of the test helpers', () => {
  const made: string[] = [];

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
    for (const dir of made) expect(existsSync(dir)).toBe(true);
  });

  it('keeps them while the file runs: no other test can pull a repository from under one in use', () => {
    expect(made).toHaveLength(6);
    for (const dir of made) expect(existsSync(dir), dir).toBe(true);
  });

  it('removes them all with removeTempDirs, as after the file', async () => {
    await removeTempDirs();
    for (const dir of made) expect(existsSync(dir), dir).toBe(false);
  });
});
