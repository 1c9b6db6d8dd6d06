/**
 * The local files a run reads besides the policy and its metrics (an incident's template), checked at
 * load: a template that is not there would be found missing only when a rollback opens its incident.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

/** A local file the policy names, and where it names it (a key path, for FILE:LINE:COL). */
export interface LocalFileRef {
  path: PropertyKey[];
  file: string;
  what: string;
}

/** Where the run reads the policy's local files from. */
export interface LocalFilesSource {
  /**
   * The folder a relative path is read from: the folder the run reads it from (the CLI reads an
   * incident template from its working directory, the Action from the workspace).
   */
  baseDir: string;
}

/** Why `path` cannot be read as `what` (a file, a metrics file), or undefined when it can. */
export async function unreadable(path: string, what = 'a file'): Promise<string | undefined> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) return `${path} is a directory, not ${what}`;
    await access(path, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `no such file: ${path}`;
    return `cannot read ${path}: ${(e as Error).message}`;
  }
}

/** The problems of the local files `refs` (each checked once), by key path for the caller to locate. */
export async function localFileIssues(
  refs: readonly LocalFileRef[],
  source: LocalFilesSource,
): Promise<Array<{ path: PropertyKey[]; message: string }>> {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const key = JSON.stringify(ref.path);
    if (seen.has(key)) continue;
    seen.add(key);
    const why = await unreadable(resolve(source.baseDir, ref.file));
    if (why) {
      issues.push({
        path: ref.path,
        message:
          `${ref.what}: ${why}${isAbsolute(ref.file) ? '' : ` (a relative path is read from ${source.baseDir})`}; ` +
          'fix the path or add the file',
      });
    }
  }
  return issues;
}
