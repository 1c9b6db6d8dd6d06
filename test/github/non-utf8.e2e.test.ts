/**
 * Issue 12 through GitHub: GitHub answers a blob's `text` decoded as UTF-8, a byte that is not
 * UTF-8 replaced by U+FFFD. A pin file with a Latin-1 comment would come back changed, and a
 * rollback writing that text would change bytes nobody asked to change: the store refuses the file
 * when the text is not its bytes (`byteSize`), before anything is written. An old version of it in
 * the history is only read, and does not stop the read.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/github/octokit.js';
import { openGitHubStore } from '../../src/github/store.js';
import { createBareRepo, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

const PIN = 'apps/api/pin.yaml';
const latin1 = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\ntag: v2\n')]);

const fakes: FakeGitHub[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await removeFixtures();
});

async function storeOf(versions: (string | Buffer)[]) {
  const { bare } = await createBareRepo(
    versions.map((v, i) => ({ files: { [PIN]: v }, date: `2026-12-0${i + 1}T00:00:00Z` })),
  );
  const fake = await startFakeGitHub({ repos: { 'acme/gitops': bare } });
  fakes.push(fake);
  const store = openGitHubStore({
    octokit: createOctokit({ token: 'test-token', apiUrl: fake.url, warn: () => {} }),
    repo: 'acme/gitops',
    branch: 'main',
  });
  return { store, fake };
}

describe('a pin file that is not UTF-8, on GitHub', () => {
  it('is refused at read, with its path and what to do', async () => {
    const { store, fake } = await storeOf(['tag: v1\n', latin1]);
    await expect(store.read({ files: [PIN], historyOf: PIN, limit: 5 })).rejects.toThrow(
      `${PIN} is not UTF-8 text (15 bytes in the repository, 17 as GitHub decodes them): pinback refuses to edit it rather than corrupt it; convert the file to UTF-8`,
    );
    expect(fake.violations).toEqual([]);
  });

  it('in an old version of the history only, is read (a history text is never written)', async () => {
    const { store } = await storeOf([latin1, 'tag: v3\n']);
    const snap = await store.read({ files: [PIN], historyOf: PIN, limit: 5 });
    expect(snap.files.get(PIN)).toBe('tag: v3\n');
    expect(snap.history).toHaveLength(2);
  });
});
