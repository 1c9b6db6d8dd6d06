import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { outputLines } from './git-parse.js';
import type { Repo } from './repo.js';
import type { Identity } from './store.js';
import type { BuiltCommit, IndexEntry } from './transport.js';

/** A file to write: its exact bytes, and the mode it gets (the current one, or 100644 for a new file). */
export interface FileWrite {
  path: string;
  bytes: Buffer;
  mode: string;
}

export interface CommitSpec {
  /** The parent, whose tree the commit changes. */
  parent: string;
  message: string;
  author: Identity;
  files: FileWrite[];
}

/** `git update-index --index-info -z` input for these entries. */
export function indexInfo(entries: IndexEntry[]): string {
  return entries.map((e) => `${e.mode} ${e.oid}\t${e.path}\0`).join('');
}

/**
 * Builds a commit with plumbing, touching no branch, index or work tree: the blobs from the exact
 * bytes, the parent's tree with the changed entries in a private index, and the commit object.
 * `stored` hears the ids of the blobs written.
 */
export async function buildCommit(
  repo: Repo,
  spec: CommitSpec,
  stored: (oids: string[]) => void,
): Promise<BuiltCommit> {
  const [built] = await buildChain(repo, spec.parent, [spec], stored);
  return built!;
}

/**
 * Builds commits as one chain on `parent`, each on the one before, in one private index: every
 * blob in one `hash-object`, the parent's tree read once, then per commit one `update-index`,
 * `write-tree` and `commit-tree`. Hundreds of rollbacks of one run cost three git processes each.
 */
export async function buildChain(
  repo: Repo,
  parent: string,
  specs: readonly Omit<CommitSpec, 'parent'>[],
  stored: (oids: string[]) => void,
): Promise<BuiltCommit[]> {
  const scratch = await repo.scratch();
  try {
    // Blobs from the exact bytes: --no-filters bypasses .gitattributes and eol conversion.
    const all = specs.flatMap((s) => s.files);
    const files = await Promise.all(
      all.map(async (f, i) => {
        const file = join(scratch, `blob-${i}`);
        await writeFile(file, f.bytes);
        return file;
      }),
    );
    const hashed = outputLines(
      (
        await repo.must(['hash-object', '-w', '--no-filters', '--stdin-paths'], 'storing file contents', {
          input: `${files.join('\n')}\n`,
        })
      ).toString(),
    );
    stored(hashed);

    // The trees: the parent's, with each commit's changed entries, built in a private index.
    const index = { GIT_INDEX_FILE: join(scratch, 'index') };
    await repo.must(['read-tree', parent], 'building the commit', { env: index });
    const built: BuiltCommit[] = [];
    let at = 0;
    let previous = parent;
    for (const spec of specs) {
      const entries = spec.files.map((f) => ({ path: f.path, mode: f.mode, oid: hashed[at++] ?? '' }));
      await repo.must(['update-index', '-z', '--add', '--index-info'], 'building the commit', {
        env: index,
        input: indexInfo(entries),
      });
      // --missing-ok: a blob-less clone lacks the unchanged blobs, and they need not be fetched.
      const tree = (await repo.must(['write-tree', '--missing-ok'], 'building the commit', { env: index }))
        .toString()
        .trim();
      const who = {
        GIT_AUTHOR_NAME: spec.author.name,
        GIT_AUTHOR_EMAIL: spec.author.email,
        GIT_COMMITTER_NAME: spec.author.name,
        GIT_COMMITTER_EMAIL: spec.author.email,
      };
      const sha = (
        await repo.must(
          ['commit-tree', '--no-gpg-sign', tree, '-p', previous, '-F', '-'],
          'creating the commit',
          { env: who, input: spec.message },
        )
      )
        .toString()
        .trim();
      built.push({ sha, entries });
      previous = sha;
    }
    return built;
  } finally {
    await repo.dropScratch(scratch);
  }
}
