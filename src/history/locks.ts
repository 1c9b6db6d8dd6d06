import { isMap, isSeq, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { z } from 'zod';

export const LOCK_FILE = '.pinback/locks.yaml';

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

/** Reads `.pinback/locks.yaml`; a missing file is no locks. */
export function parseLocks(text: string | null): Locks {
  if (text === null || text.trim() === '') return new Map();
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new LockFileError(
      `${LOCK_FILE}:${e.linePos?.[0].line ?? 1}:${e.linePos?.[0].col ?? 1}: ${e.message.split('\n')[0]}`,
    );
  }
  const parsed = lockFile.safeParse(doc.toJS());
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new LockFileError(`${LOCK_FILE}: ${i.path.join('.')}: ${i.message}`);
  }
  return new Map(Object.entries(parsed.data ?? {}).map(([k, v]) => [k, v ?? []]));
}

export function lockFor(locks: Locks, service: string, version: string): Lock | undefined {
  return locks.get(service)?.find((l) => l.version === version);
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
export function addLock(text: string | null, service: string, lock: Lock): string {
  if (lockFor(parseLocks(text), service, lock.version)) return text ?? '';
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

/** Removes every lock of one rollback; the file's other entries and comments stay. */
export function removeLocks(
  text: string,
  rollbackId: string,
): { text: string; removed: { service: string; lock: Lock }[] } {
  const removed = [...parseLocks(text)].flatMap(([service, locks]) =>
    locks.filter((l) => l.rollback_id === rollbackId).map((lock) => ({ service, lock })),
  );
  if (removed.length === 0) return { text, removed };
  const doc = parseDocument(text);
  const root = doc.contents as unknown as YAMLMap;
  for (const { service } of removed) {
    const list = root.get(service, true) as unknown as YAMLSeq;
    list.items = list.items.filter(
      (item) => !(isMap(item) && String(item.get('rollback_id')) === rollbackId),
    );
    if (list.items.length === 0) root.delete(service);
  }
  return { text: doc.toString({ lineWidth: 0 }), removed };
}
