/**
 * pinback's temporary directories: marked when made, removed at exit, and swept by a later run
 * when a killed one left them; nothing without the marker is ever removed.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProcessState } from '../../src/gitops/lifecycle.js';
import {
  makeTempDir,
  removeTempDir,
  STALE_AFTER_MS,
  sweepStaleTempDirs,
  TEMP_MARKER,
} from '../../src/gitops/temp.js';
import { tempDir } from '../support/git.js';

const NOW = Date.now();
const OLD = new Date(NOW - STALE_AFTER_MS - 60_000);

/** A directory as a run on `host` with `pid` left it, its marker last touched at `at`. */
async function left(
  parent: string,
  name: string,
  opts: { pid?: number; host?: string; at?: Date; marker?: string | null } = {},
): Promise<string> {
  const dir = join(parent, name);
  await mkdir(join(dir, 'repo.git'), { recursive: true });
  await writeFile(join(dir, 'repo.git', 'HEAD'), 'ref: refs/heads/main\n');
  if (opts.marker !== null) {
    const marker =
      opts.marker ??
      JSON.stringify({ tool: 'pinback', pid: opts.pid ?? 1, host: opts.host ?? 'elsewhere', created: OLD });
    await writeFile(join(dir, TEMP_MARKER), marker);
    const at = opts.at ?? OLD;
    await utimes(join(dir, TEMP_MARKER), at, at);
  }
  return dir;
}

describe('makeTempDir', () => {
  it("writes pinback's marker, and the process removes the directory at exit unless its owner does first", async () => {
    const parent = await tempDir();
    const state = new ProcessState();
    const dir = await makeTempDir(join(parent, 'not-yet'), 'pinback-git-', state);
    const marker = JSON.parse(await readFile(join(dir, TEMP_MARKER), 'utf8')) as Record<string, unknown>;
    expect(marker).toMatchObject({ tool: 'pinback', pid: process.pid, host: hostname() });
    const other = await makeTempDir(parent, 'pinback-commit-', state);
    await removeTempDir(other, state);
    state.releaseNow();
    expect(existsSync(dir)).toBe(false);
    expect(await readdir(parent)).toEqual(['not-yet']);
  });
});

describe('sweepStaleTempDirs', () => {
  it('removes only marked directories over an hour old of no live process here', async () => {
    const parent = await tempDir();
    const stale = await left(parent, 'pinback-git-stale');
    const scratch = await left(parent, 'pinback-commit-stale', { pid: 999_999_999, host: hostname() });
    const kept = [
      await left(parent, 'pinback-git-fresh', { at: new Date(NOW - 60_000) }),
      await left(parent, 'pinback-git-unmarked', { marker: null }),
      await left(parent, 'pinback-git-foreign', { marker: '{"tool":"other","pid":1,"host":"x"}' }),
      await left(parent, 'pinback-git-garbled', { marker: 'not json' }),
      await left(parent, 'pinback-git-mine', { pid: process.pid, host: hostname() }),
      await left(parent, 'pinback-git-live', { pid: process.ppid, host: hostname() }),
      await left(parent, 'other-git-x'),
    ];
    const removed = await sweepStaleTempDirs(parent, { now: NOW });
    expect(removed.sort()).toEqual([scratch, stale]);
    for (const dir of kept) expect(existsSync(dir), dir).toBe(true);
  });

  it('follows no symbolic link: neither a linked directory nor a linked marker', async () => {
    const parent = await tempDir();
    const target = await left(await tempDir(), 'pinback-git-target');
    await symlink(target, join(parent, 'pinback-git-link'));
    const dir = await left(parent, 'pinback-git-linked-marker', { marker: null });
    await symlink(join(target, TEMP_MARKER), join(dir, TEMP_MARKER));
    expect(await sweepStaleTempDirs(parent, { now: NOW })).toEqual([]);
    expect(existsSync(target)).toBe(true);
    expect(existsSync(dir)).toBe(true);
  });

  it('is quiet about a parent that does not exist', async () => {
    expect(await sweepStaleTempDirs(join(await tempDir(), 'none'))).toEqual([]);
  });
});
