import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Scalar,
  visit,
  YAMLMap,
  YAMLSeq,
} from 'yaml';
import { z } from 'zod';
import { clip } from '../pins/errors.js';
import { NOT_UTF8 } from '../pins/utf8.js';
import { LEGACY_LOCK_FILE, lockFileOf, lockFilesOf } from './lock-files.js';

export { LEGACY_LOCK_FILE, LOCK_DIR, lockFileName, lockFileOf, lockFilesOf } from './lock-files.js';
/**
 * The single lock file of earlier versions (LEGACY_LOCK_FILE): still read, never added to. New
 * locks go to each service's own file, `lockFileOf(service)`; read `lockFilesOf(service)`.
 */
export const LOCK_FILE = LEGACY_LOCK_FILE;

export interface Lock {
  version: string;
  reason: string;
  locked_at: string;
  rollback_id: string;
}

export type Locks = ReadonlyMap<string, readonly Lock[]>;

const lockEntry = z.object({
  version: z.coerce.string(),
  reason: z.coerce.string().default(''),
  locked_at: z.coerce.string().default(''),
  rollback_id: z.coerce.string().default(''),
});
const lockFile = z.record(z.string(), z.array(lockEntry).nullable()).nullable();

export class LockFileError extends Error {
  override name = 'LockFileError';
}

const HEADER = `# Versions pinback rolled back. \`pinback check\` fails a pin that names one of them.
# To unlock a version, delete its entry here by pull request, like any GitOps change.
`;

/**
 * Reads one lock file (a service's own or the legacy one: the same layout, service -> entries);
 * a missing file is no locks. `path` names the file in errors.
 */
export function parseLocks(text: string | null | undefined, path = LEGACY_LOCK_FILE): Locks {
  if (text === null || text === undefined || text.trim() === '') return new Map();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const at = (offset: number | undefined, message: string): LockFileError => {
    const p = lines.linePos(offset ?? 0);
    return new LockFileError(`${path}:${p.line}:${p.col}: ${message}`);
  };
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw at(e.pos[0], clip(e.message.split('\n')[0]!));
  }
  refuseHostile(doc, at);
  const parsed = lockFile.safeParse(doc.toJS());
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new LockFileError(`${path}: ${clip(i.path.join('.'))}: ${clip(i.message)}`);
  }
  return new Map(Object.entries(parsed.data ?? {}).map(([k, v]) => [k, v ?? []]));
}

/**
 * What a lock file never holds and must not be read: an alias (pinback writes none, and nested ones
 * expand exponentially: 581 bytes can name 9^9 values), a `__proto__` key (JavaScript would take
 * it as the prototype of the map, and the service under it would vanish) and a merge key (`<<`).
 */
function refuseHostile(
  doc: Document.Parsed,
  at: (offset: number | undefined, message: string) => Error,
): void {
  visit(doc, {
    Alias(_, alias) {
      throw at(
        alias.range?.[0],
        `the alias *${clip(alias.source)}: a lock file holds no aliases (pinback writes none); write the entry out`,
      );
    },
    Pair(_, pair) {
      if (!isScalar(pair.key)) return;
      const key = String(pair.key.value);
      if (key === '__proto__')
        throw at(pair.key.range?.[0], 'the key "__proto__" is not allowed in a lock file');
      if (key === '<<')
        throw at(pair.key.range?.[0], 'YAML merge keys (<<) are not supported in a lock file');
    },
  });
}

/** A lock file that is not UTF-8 would be rewritten with U+FFFD in place of its bytes: refuse it. */
function refuseNotUtf8(text: string | null, path: string): void {
  const at = text?.indexOf('\uFFFD') ?? -1;
  if (at < 0) return;
  const line = text!.slice(0, at).split('\n').length;
  throw new LockFileError(`${path}:${line}: ${NOT_UTF8}`);
}

export function lockFor(locks: Locks, service: string, version: string): Lock | undefined {
  return locks.get(service)?.find((l) => l.version === version);
}

/**
 * The locks of `services` among files read (path -> text; missing or absent is none): each
 * service's own file and the legacy file, merged. A lock in either counts.
 */
export function locksIn(files: ReadonlyMap<string, string | null>, services: readonly string[]): Locks {
  const out = new Map<string, Lock[]>();
  for (const path of new Set(services.flatMap(lockFilesOf))) {
    for (const [service, locks] of parseLocks(files.get(path), path)) {
      out.set(service, [...(out.get(service) ?? []), ...locks]);
    }
  }
  return out;
}

/** Where `service`'s lock of `version` is among files read: the entry and its file. */
export function findLock(
  files: ReadonlyMap<string, string | null>,
  service: string,
  version: string,
): { lock: Lock; file: string } | undefined {
  for (const file of lockFilesOf(service)) {
    const lock = lockFor(parseLocks(files.get(file), file), service, version);
    if (lock) return { lock, file };
  }
  return undefined;
}

function quoted(v: string): Scalar {
  const s = new Scalar(v);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

/**
 * Adds a lock, keeping every existing byte of the file that YAML's own printer keeps (comments,
 * order). The lock file is pinback's own; pins in other files are only ever spliced.
 */
export function addLock(
  text: string | null,
  service: string,
  lock: Lock,
  path = lockFileOf(service),
): string {
  if (lockFor(parseLocks(text, path), service, lock.version)) return text ?? '';
  refuseNotUtf8(text, path);
  const doc = parseDocument(text && text.trim() !== '' ? text : `${HEADER}{}\n`);
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  const root = doc.contents as unknown as YAMLMap;
  let list: unknown = root.get(service, true);
  if (!isSeq(list)) {
    list = new YAMLSeq();
    root.set(service, list);
  }
  const entry = new YAMLMap();
  entry.set('version', quoted(lock.version));
  entry.set('reason', lock.reason);
  entry.set('locked_at', quoted(lock.locked_at));
  entry.set('rollback_id', quoted(lock.rollback_id));
  (list as YAMLSeq).add(entry);
  root.flow = false;
  return doc.toString({ lineWidth: 0 });
}

/** Removes every lock of one rollback from one file; the file's other entries and comments stay. */
export function removeLocks(
  text: string,
  rollbackId: string,
  path = LEGACY_LOCK_FILE,
): { text: string; removed: { service: string; lock: Lock }[] } {
  const removed = [...parseLocks(text, path)].flatMap(([service, locks]) =>
    locks.filter((l) => l.rollback_id === rollbackId).map((lock) => ({ service, lock })),
  );
  if (removed.length === 0) return { text, removed };
  refuseNotUtf8(text, path);
  const doc = parseDocument(text);
  const root = doc.contents as unknown as YAMLMap;
  for (const service of new Set(removed.map((r) => r.service))) {
    const list = root.get(service, true) as unknown as YAMLSeq;
    list.items = list.items.filter(
      (item) => !(isMap(item) && String(item.get('rollback_id')) === rollbackId),
    );
    if (list.items.length === 0) deleteService(root, service);
  }
  return { text: doc.toString({ lineWidth: 0 }), removed };
}

/**
 * Deletes a service's key. The file's header is a comment on its first key: it moves to the next
 * key, or to the empty map (`# ...` then `{}`, as a new file starts), rather than going with it.
 */
function deleteService(root: YAMLMap, service: string): void {
  const at = root.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === service);
  if (at < 0) return;
  const [pair] = root.items.splice(at, 1);
  const header = at === 0 && isScalar(pair!.key) ? pair!.key.commentBefore : undefined;
  if (!header) return;
  const next = root.items[0]?.key;
  if (next === undefined) root.commentBefore = header;
  else if (isScalar(next))
    next.commentBefore = next.commentBefore ? `${header}\n${next.commentBefore}` : header;
}
