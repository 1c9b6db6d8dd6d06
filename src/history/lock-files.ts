import { createHash } from 'node:crypto';

/**
 * Where locks live. Each service's locks are in a file of its own, so that rollbacks and
 * proposals of different services never touch the same file (a pull request stays mergeable
 * whatever else lands first). The old single file is still read: a lock in it counts, and
 * unlocking removes an entry there too; new locks go to the service's own file.
 */
export const LOCK_DIR = '.pinback/locks';
/** The single lock file of earlier versions: read, never added to. */
export const LEGACY_LOCK_FILE = '.pinback/locks.yaml';

/** Device names Windows reserves, whatever the extension (`con.yaml` is `con`). */
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d|conin\$|conout\$)$/;
/** Longer names are cut and given a hash: a file name must stay well under 255 bytes. */
const MAX_NAME = 120;

/**
 * A service's lock file name (without `.yaml`). Policy names are `[A-Za-z0-9][A-Za-z0-9_.-]*`:
 * no slash, no leading dot, so the name is a path segment already. What is left to make safe:
 * - case: `Web` and `web` are two services but one file where file names ignore case (macOS,
 *   Windows), so each capital is written `+` and its small letter (`Web` -> `+web`);
 * - Windows device names: `con`, `aux`, `nul`, `com1`... (before the first dot) get a leading `_`;
 * - length: past 120 characters, the first 100 and `~` and 16 hex of the name's SHA-256.
 * `+`, `_` first and `~` never come out of a plain name, so different names give different files.
 */
export function lockFileName(service: string): string {
  let name = service.replace(/[A-Z]/g, (c) => `+${c.toLowerCase()}`);
  if (RESERVED.test(name.split('.')[0]!)) name = `_${name}`;
  if (name.length > MAX_NAME) {
    name = `${name.slice(0, 100)}~${createHash('sha256').update(service).digest('hex').slice(0, 16)}`;
  }
  return name;
}

/** `.pinback/locks/<service>.yaml`: where a service's new locks go. */
export function lockFileOf(service: string): string {
  return `${LOCK_DIR}/${lockFileName(service)}.yaml`;
}

/** Every file a service's locks may be in: its own first, then the legacy file. */
export function lockFilesOf(service: string): string[] {
  return [lockFileOf(service), LEGACY_LOCK_FILE];
}
