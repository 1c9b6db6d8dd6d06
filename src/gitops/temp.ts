import { lstat, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processState, type ProcessState } from './lifecycle.js';

/**
 * pinback's temporary directories (a remote's clone, a commit's scratch files) carry this file,
 * written right after the directory is made: the sweep below removes nothing without it.
 */
export const TEMP_MARKER = '.pinback-temp';
/** The names pinback gives its temporary directories. */
export const TEMP_PREFIXES = ['pinback-git-', 'pinback-commit-'] as const;
/** A marked directory untouched this long, of no live pinback process, was left by a killed run. */
export const STALE_AFTER_MS = 60 * 60 * 1000;

interface Marker {
  tool: 'pinback';
  pid: number;
  host: string;
  created: string;
}

/** A new temporary directory under `parent`, marked as pinback's and removed at exit if not before. */
export async function makeTempDir(
  parent: string,
  prefix: (typeof TEMP_PREFIXES)[number],
  state: ProcessState = processState,
): Promise<string> {
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, prefix));
  state.trackTemp(dir);
  const marker: Marker = {
    tool: 'pinback',
    pid: process.pid,
    host: hostname(),
    created: new Date().toISOString(),
  };
  await writeFile(join(dir, TEMP_MARKER), `${JSON.stringify(marker)}\n`, { flag: 'wx' });
  return dir;
}

export async function removeTempDir(dir: string, state: ProcessState = processState): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  state.untrackTemp(dir);
}

/** Marks a directory in use now, so that a long run's clone never looks stale to another run. */
export async function touchTempDir(dir: string): Promise<void> {
  const now = new Date();
  await utimes(join(dir, TEMP_MARKER), now, now).catch(() => {});
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, as another user's process.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The marker of `dir` when it is a real one (a regular file naming pinback), else undefined. */
async function markerOf(dir: string): Promise<(Marker & { mtimeMs: number }) | undefined> {
  const file = join(dir, TEMP_MARKER);
  const st = await lstat(file).catch(() => undefined);
  if (!st?.isFile() || st.size > 4096) return undefined;
  try {
    const m = JSON.parse(await readFile(file, 'utf8')) as Partial<Marker>;
    if (m.tool !== 'pinback' || typeof m.pid !== 'number' || typeof m.host !== 'string') return undefined;
    return { tool: 'pinback', pid: m.pid, host: m.host, created: String(m.created), mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Removes the temporary directories of earlier pinback runs that were killed before they could
 * (SIGKILL, an OOM kill, a lost machine) from `parent`: only a real directory (no symbolic link)
 * named like one of pinback's, owned by this user, holding pinback's marker, whose marker is older
 * than `maxAgeMs`, and whose process is not alive on this host. Anything else is left alone.
 * Returns the directories removed; a directory that cannot be removed is a warning.
 */
export async function sweepStaleTempDirs(
  parent: string,
  opts: { now?: number; maxAgeMs?: number; warn?: (message: string) => void; state?: ProcessState } = {},
): Promise<string[]> {
  const now = opts.now ?? Date.now();
  const maxAge = opts.maxAgeMs ?? STALE_AFTER_MS;
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !TEMP_PREFIXES.some((p) => e.name.startsWith(p))) continue;
    const dir = join(parent, e.name);
    const st = await lstat(dir).catch(() => undefined);
    if (!st?.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
    const marker = await markerOf(dir);
    if (!marker || now - marker.mtimeMs <= maxAge) continue;
    if (marker.host === hostname() && (marker.pid === process.pid || alive(marker.pid))) continue;
    try {
      await removeTempDir(dir, opts.state);
      removed.push(dir);
    } catch (err) {
      opts.warn?.(`could not remove ${dir}, left by an earlier pinback run: ${(err as Error).message}`);
    }
  }
  return removed;
}
