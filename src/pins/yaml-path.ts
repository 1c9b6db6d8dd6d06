import { type Alias, isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { clip, fail } from './errors.js';
import type { DocumentMatch } from './locator.js';
import { scalarSpan } from './scalar.js';
import { lineColumn, lineOf, type Span } from './span.js';
import { aliasTargets, mapGet, parseYaml, selectDocs, type YamlDoc } from './yaml-doc.js';

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

/** A path as the locator writes it: `a.b[0]["dotted.key"][name=api]`. */
function formatPath(segments: readonly Segment[]): string {
  const quote = (v: string) => (v.includes('"') ? `'${v}'` : `"${v}"`);
  return segments
    .map((seg, i) => {
      if ('index' in seg) return `[${seg.index}]`;
      if ('where' in seg)
        return `[${seg.where}=${/[\]"']/.test(seg.equals) ? quote(seg.equals) : seg.equals}]`;
      return /^[^.[\]"']+$/.test(seg.key) ? `${i === 0 ? '' : '.'}${seg.key}` : `[${quote(seg.key)}]`;
    })
    .join('');
}

/** The segments from the document's root to `target`, through maps and lists (never an alias). */
function segmentsTo(root: unknown, target: Node): Segment[] | undefined {
  if (root === target) return [];
  if (isMap(root)) {
    for (const pair of root.items) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
      const below = segmentsTo(pair.value, target);
      if (below) return [{ key: pair.key.value }, ...below];
    }
  }
  if (isSeq(root)) {
    for (const [index, item] of root.items.entries()) {
      const below = segmentsTo(item, target);
      if (below) return [{ index }, ...below];
    }
  }
  return undefined;
}

/** Where `&name` stands before the anchored node (the node's own range starts after it). */
function anchorOffset(text: string, anchored: Node, name: string): number | undefined {
  const nodeStart = anchored.range?.[0];
  if (nodeStart === undefined) return undefined;
  for (
    let at = text.lastIndexOf(`&${name}`, nodeStart);
    at !== -1;
    at = text.lastIndexOf(`&${name}`, at - 1)
  ) {
    // `&b` is not the anchor `&bb`: the name ends at a space, a line break or a flow indicator.
    if (/^[\s,[\]{}]?$/.test(text.charAt(at + name.length + 1))) return at;
    if (at === 0) break;
  }
  return nodeStart;
}

/**
 * An alias where the path needs a value of its own: where its anchor is, and the path to write
 * instead (into the anchored value, so every alias of it follows the rollback).
 */
function aliasFound(
  doc: YamlDoc,
  text: string,
  alias: Alias,
  found: string,
  rest: readonly Segment[],
): never {
  const name = alias.source;
  const anchored = aliasTargets(doc).get(alias);
  const offset = anchored && anchorOffset(text, anchored, name);
  const at = offset === undefined ? undefined : lineColumn(text, offset);
  const toAnchor = anchored && segmentsTo(doc.contents, anchored);
  const path = toAnchor && [...toAnchor, ...rest];
  fail(
    `${found} the alias *${name}` +
      (at ? `, whose anchor &${name} is at ${at.line}:${at.column}` : '') +
      '; point the path at the anchored value' +
      (path && path.length > 0 ? ` (yaml_path: ${formatPath(path)})` : '') +
      `: a rollback writes the anchored value, and every *${name} follows it`,
  );
}

/** Undefined when the path does not exist in this document; throws when it exists ambiguously. */
function resolve(doc: YamlDoc, text: string, segments: Segment[]): Node | null | undefined {
  let node: unknown = doc.contents;
  for (const [i, seg] of segments.entries()) {
    if (isAlias(node)) aliasFound(doc, text, node, 'the path runs through', segments.slice(i));
    if ('key' in seg) node = mapGet(node, seg.key);
    else if ('index' in seg) node = isSeq(node) ? node.items[seg.index] : undefined;
    else node = selectItem(doc, text, node, seg);
    if (node === undefined) return undefined;
    if (isAlias(node) && 'where' in seg) {
      aliasFound(doc, text, node, `[${clip(seg.where)}=${clip(seg.equals)}] is`, segments.slice(i + 1));
    }
  }
  if (isAlias(node)) aliasFound(doc, text, node, 'the path ends at', []);
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
    const target = isAlias(item) ? aliasTargets(doc).get(item) : item;
    const field = mapGet(target, seg.where);
    return isScalar(field) && field.value === seg.equals;
  });
  if (hits.length > 1) {
    const lines = hits.map((h) => (isMap(h) && h.range ? lineOf(text, h.range[0]) : '?'));
    fail(
      `[${clip(seg.where)}=${clip(seg.equals)}] matches ${hits.length} list items (lines ${lines.join(', ')})`,
    );
  }
  return hits[0];
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
