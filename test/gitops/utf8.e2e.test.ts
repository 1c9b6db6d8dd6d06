import { describe, expect, it } from 'vitest';
import { openGitStore } from '../../src/gitops/git.js';
import { GitOpsRepo } from '../support/gitops.js';

describe('a pin file that is not UTF-8', () => {
  it('is refused when read, with its place, before any edit could write U+FFFD into a commit', async () => {
    const repo = new GitOpsRepo();
    const latin1 = Buffer.concat([
      Buffer.from('images:\n  - name: ghcr.io/acme/api # caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n    newTag: 1.1.0\n'),
    ]);
    repo.write('k.yaml', latin1);
    repo.commit('deploy');
    const store = await openGitStore({ target: repo.dir });
    try {
      await expect(store.read({ files: ['k.yaml'], historyOf: 'k.yaml', limit: 5 })).rejects.toThrow(
        /k\.yaml:2:\d+: byte 0xE9 .*not UTF-8/,
      );
    } finally {
      await store.close();
    }
    expect(repo.show('HEAD', 'k.yaml').equals(latin1)).toBe(true);
  });
});
