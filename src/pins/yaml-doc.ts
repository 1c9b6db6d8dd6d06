import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  type Node,
  parseAllDocuments,
  parseDocument,
  visit,
} from 'yaml';
import { clip, fail } from './errors.js';
import type { DocumentMatch } from './locator.js';
import { lineOf } from './span.js';

export type YamlDoc = Document.Parsed;

/**
 * All documents of a YAML stream. The failsafe schema keeps every scalar a string, so `1.10` is not
 * read as the number 1.1 and node ranges map straight back to the source. A parse error anywhere
 * fails the whole file: offsets after a syntax error are not trustworthy enough to write by.
 */
export function parseYaml(text: string): YamlDoc[] {
  const docs = parseAllDocuments(text, { schema: 'failsafe', prettyErrors: false });
  if (!Array.isArray(docs)) return [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) fail(`not valid YAML at line ${lineOf(text, err.pos[0])}: ${clip(err.message.split('\n')[0]!)}`);
  }
  return docs;
}

const targetsOf = new WeakMap<Document, Map<Alias, Node | undefined>>();

/**
 * What each alias of `doc` stands for, as YAML defines it (the last `&name` before the alias in
 * document order), found in one pass and kept per document. `Alias.resolve` walks the whole
 * document for every alias it resolves: a list of 50,000 `*a` in a pin file would take 50,000
 * walks of it.
 */
export function aliasTargets(doc: Document): Map<Alias, Node | undefined> {
  let targets = targetsOf.get(doc);
  if (targets) return targets;
  const latest = new Map<string, Node>();
  const found = new Map<Alias, Node | undefined>();
  visit(doc, {
    Node(_, node) {
      if (isAlias(node)) found.set(node, latest.get(node.source));
      else if (node.anchor) latest.set(node.anchor, node);
    },
  });
  targets = found;
  targetsOf.set(doc, targets);
  return targets;
}

/** The value under `key` in a map node; undefined when the node is no map or lacks the key. */
export function mapGet(node: unknown, key: string): Node | null | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && pair.key.value === key) return pair.value as Node | null;
  }
  return undefined;
}

export function scalarString(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

function docField(doc: YamlDoc, path: string[]): string | undefined {
  let node: unknown = doc.contents;
  for (const key of path) node = mapGet(node, key);
  return scalarString(node);
}

/** The documents a `match` selects; every non-empty document when there is no match. */
export function selectDocs(docs: YamlDoc[], match: DocumentMatch | undefined): YamlDoc[] {
  const nonEmpty = docs.filter((d) => d.contents !== null);
  if (!match || (match.kind === undefined && match.name === undefined)) return nonEmpty;
  const chosen = nonEmpty.filter(
    (d) =>
      (match.kind === undefined || docField(d, ['kind']) === match.kind) &&
      (match.name === undefined || docField(d, ['metadata', 'name']) === match.name),
  );
  if (chosen.length === 0) fail('no YAML document has that kind and metadata.name');
  return chosen;
}

/**
 * Whether a plain scalar holding `value` reads as a string in both YAML 1.2 (Helm, this tool) and
 * YAML 1.1 (go-yaml in kustomize and Kubernetes tooling, where `2024-01-01`, `on` and `12:30` are not
 * strings). Writing `1.10` where `v1.9` stood would silently make the pin the number 1.1.
 */
export function readsAsString(value: string): boolean {
  return (['1.2', '1.1'] as const).every((version) => {
    const doc = parseDocument(value, { version });
    return doc.errors.length === 0 && isScalar(doc.contents) && typeof doc.contents.value === 'string';
  });
}
