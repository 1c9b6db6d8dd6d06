/**
 * Kubernetes manifests read for `pinback import` (pure: text in, values out): every YAML document of
 * a file as plain data, each value's place in the file, so that whatever cannot be translated is
 * reported at the line a person would open.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import type { Note } from './model.js';

export interface Manifest {
  file: string;
  kind: string;
  name: string;
  /** The document as plain data (`toJS`). */
  value: Record<string, unknown>;
  /** `FILE:LINE:COL` of the value at `path` (or of its nearest ancestor that has one). */
  at(path: readonly PropertyKey[]): { line: number; col: number };
}

export interface ReadManifests {
  manifests: Manifest[];
  /** YAML that cannot be read; nothing of that file is translated. */
  problems: Note[];
}

function child(node: unknown, key: PropertyKey): unknown {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(key)) return pair.value;
    }
    return undefined;
  }
  if (isSeq(node) && typeof key === 'number') return node.items[key];
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every document of a file; a document that is not a mapping with `kind` is skipped (a comment-only one). */
export function readManifests(text: string, file: string): ReadManifests {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const problems: Note[] = [];
  const manifests: Manifest[] = [];
  const pos = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line, col: p.col };
  };
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) {
      for (const e of doc.errors) {
        problems.push({
          file,
          ...pos(e.pos[0]),
          path: '',
          kind: 'untranslated',
          message: `not readable as YAML: ${e.message.split('\n')[0]!}`,
        });
      }
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (!isRecord(value) || typeof value.kind !== 'string') continue;
    const meta = isRecord(value.metadata) ? value.metadata : {};
    const contents = doc.contents as Node | null;
    manifests.push({
      file,
      kind: value.kind,
      name: typeof meta.name === 'string' ? meta.name : '',
      value,
      at(path) {
        let best = contents?.range ? pos(contents.range[0]) : { line: 1, col: 1 };
        let node: unknown = contents;
        for (const key of path) {
          node = child(node, key);
          const range = (node as Node | undefined)?.range;
          if (!range) break;
          best = pos(range[0]);
        }
        return best;
      },
    });
  }
  return { manifests, problems };
}
