import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { fail } from './errors.js';
import type { DocumentMatch } from './locator.js';
import { scalarSpan } from './scalar.js';
import { lineOf, type Span } from './span.js';
import { mapGet, parseYaml, selectDocs, type YamlDoc } from './yaml-doc.js';

export type Segment = { key: string } | { index: number } | { where: string; equals: string };

// One segment per match: `.key`, `[3]`, `["dotted.key"]`, or `[field=VALUE]` (VALUE may hold dots,
// slashes, colons and `=`; quote it to include `]`).
const SEGMENT =
  /(\.?)(?:([^.[\]"']+)|\[(?:(\d+)|"([^"]*)"|'([^']*)'|([^=[\]"']+)=(?:"([^"]*)"|'([^']*)'|([^\]]*)))\])/y;

export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  SEGMENT.lastIndex = 0;
  let previous: 'none' | 'key' | 'bracket' = 'none';
  while (SEGMENT.lastIndex < path.length) {
    const at = SEGMENT.lastIndex;
    const m = SEGMENT.exec(path);
    if (!m) fail(`cannot parse the path at character ${at + 1}`);
    const [, dot, key, index, dq, sq, where, eqDq, eqSq, eqPlain] = m;
    const isKey = key !== undefined;
    // A key needs a dot before it unless it starts the path; a bracket follows its segment directly.
    if (isKey ? (previous === 'none') !== (dot === '') : dot !== '') {
      fail(`cannot parse the path at character ${at + 1}`);
    }
    if (isKey) segments.push({ key });
    else if (index !== undefined) segments.push({ index: Number(index) });
    else if (dq !== undefined || sq !== undefined) segments.push({ key: (dq ?? sq)! });
    else segments.push({ where: where!.trim(), equals: (eqDq ?? eqSq ?? eqPlain)! });
    previous = isKey ? 'key' : 'bracket';
  }
  if (segments.length === 0) fail('the path is empty');
  return segments;
}

/** Undefined when the path does not exist in this document; throws when it exists ambiguously. */
function resolve(doc: YamlDoc, text: string, segments: Segment[]): Node | null | undefined {
  let node: unknown = doc.contents;
  for (const seg of segments) {
    if (isAlias(node)) fail(`the path runs through the alias *${node.source}; point it at the anchor`);
    if ('key' in seg) node = mapGet(node, seg.key);
    else if ('index' in seg) node = isSeq(node) ? node.items[seg.index] : undefined;
    else node = selectItem(doc, text, node, seg);
    if (node === undefined) return undefined;
  }
  if (isAlias(node)) fail(`the path ends at the alias *${node.source}; point it at the anchor`);
  return node as Node | null;
}

function selectItem(
  doc: YamlDoc,
  text: string,
  node: unknown,
  seg: { where: string; equals: string },
): unknown {
  if (!isSeq(node)) return undefined;
  const hits = node.items.filter((item) => {
    const target = isAlias(item) ? item.resolve(doc) : item;
    const field = mapGet(target, seg.where);
    return isScalar(field) && field.value === seg.equals;
  });
  if (hits.length > 1) {
    const lines = hits.map((h) => (isMap(h) && h.range ? lineOf(text, h.range[0]) : '?'));
    fail(`[${seg.where}=${seg.equals}] matches ${hits.length} list items (lines ${lines.join(', ')})`);
  }
  const hit = hits[0];
  if (isAlias(hit)) fail(`[${seg.where}=${seg.equals}] is the alias *${hit.source}; point it at the anchor`);
  return hit;
}

/** The node the path ends at, and its document. */
export function yamlPathNode(
  text: string,
  path: string,
  match: DocumentMatch | undefined,
): { doc: YamlDoc; node: Node | null } {
  const segments = parsePath(path);
  const found = selectDocs(parseYaml(text), match)
    .map((doc) => ({ doc, node: resolve(doc, text, segments) }))
    .filter((f): f is { doc: YamlDoc; node: Node | null } => f.node !== undefined);
  if (found.length === 0) fail('the path does not exist');
  if (found.length > 1) fail(`the path exists in ${found.length} YAML documents; add match: {kind, name}`);
  return found[0]!;
}

export function locateYamlPath(text: string, path: string, match: DocumentMatch | undefined): Span {
  return scalarSpan(text, yamlPathNode(text, path, match).node, 'the value');
}
