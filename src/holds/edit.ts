import { isDeepStrictEqual } from 'node:util';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { fail } from '../pins/errors.js';
import { readsAsString } from '../pins/yaml-doc.js';

/**
 * Byte-preserving edits of YAML text for the automation holds: replace one scalar's characters, add a
 * key to a map, add an item to a list. Each edit is a splice; every byte outside it stays as it was.
 * An edit may offer alternatives (a plain scalar, else the same value double-quoted): the caller keeps
 * the first one that reads back as intended (see `firstConfirmed`).
 */
export interface Splice {
  start: number;
  end: number;
  text: string;
}

export function applySplice(text: string, s: Splice): string {
  return text.slice(0, s.start) + s.text + text.slice(s.end);
}

/** The line ending the file uses; a file with any CRLF is treated as CRLF. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

export function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** A scalar written as a plain YAML value when that reads back as the same string, else double-quoted. */
export function scalarText(value: string, style: 'plain' | 'double' | 'single' = 'plain'): string {
  if (style === 'single' && !/['\r\n]/.test(value)) return `'${value}'`;
  if (style === 'plain' && readsAsPlainString(value)) return value;
  return JSON.stringify(value);
}

function readsAsPlainString(value: string): boolean {
  return value !== '' && value.trim() === value && !/[\r\n]/.test(value) && readsAsString(value);
}

/** The quoting a new list item copies from its neighbour. */
export function styleOf(node: unknown): 'plain' | 'double' | 'single' {
  if (!isScalar(node)) return 'double';
  if (node.type === 'QUOTE_SINGLE') return 'single';
  if (node.type === 'QUOTE_DOUBLE') return 'double';
  return 'plain';
}

/**
 * Replace the value of a scalar with `next`, keeping its quotes. A plain scalar stays plain when `next`
 * reads back as the same string; otherwise the second alternative double-quotes it. A scalar whose
 * source is not its value (escapes, folded lines, block scalars) has no byte range to rewrite.
 * With `as: 'token'`, `next` is a plain YAML token such as `true` and is written unquoted.
 */
export function replaceScalar(
  text: string,
  node: unknown,
  next: string,
  what: string,
  as: 'string' | 'token' = 'string',
): Splice[] {
  if (!isScalar(node) || !node.range) fail(`${what} is a map or list, not a scalar`);
  const scalar = node as Scalar;
  const [start, end] = scalar.range!;
  const value = String(scalar.value ?? '');
  if (scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') {
    fail(`${what} is a block scalar (| or >); write it on one line`);
  }
  if (scalar.type === 'QUOTE_SINGLE' || scalar.type === 'QUOTE_DOUBLE') {
    if (text.slice(start + 1, end - 1) !== value) {
      fail(`${what} is written with escapes or line breaks inside its quotes; write it on one line`);
    }
    const forbidden = scalar.type === 'QUOTE_SINGLE' ? /['\r\n]/ : /["\\]|[^ -~]/;
    if (forbidden.test(next)) fail(`${JSON.stringify(next)} would need escaping in ${what}`);
    return [{ start: start + 1, end: end - 1, text: next }];
  }
  if (text.slice(start, end) !== value) fail(`${what} spans several lines; write it on one line`);
  // An empty plain value can sit right after the colon (`suspend:`); a value needs a space before it.
  const pad = value === '' && !/[ \t]/.test(text[start - 1] ?? ' ') ? ' ' : '';
  // A token (`true`) is written as it is: it must not read as a string.
  if (as === 'token') return [{ start, end, text: pad + next }];
  const quoted = { start, end, text: pad + JSON.stringify(next) };
  return readsAsPlainString(next) ? [{ start, end, text: pad + next }, quoted] : [quoted];
}

/** What a hold inserts: a scalar already written as YAML, a list of such scalars, or a map of them. */
export type NewValue = { scalar: string } | { list: string[] } | { map: [string, NewValue][] };

function blockLines(key: string, value: NewValue, indent: string, step: string): string[] {
  if ('scalar' in value) return [`${indent}${key}: ${value.scalar}`];
  if ('list' in value) {
    if (value.list.length === 0) return [`${indent}${key}: []`];
    return [`${indent}${key}:`, ...value.list.map((item) => `${indent}${step}- ${item}`)];
  }
  return [`${indent}${key}:`, ...value.map.flatMap(([k, v]) => blockLines(k, v, indent + step, step))];
}

function flowText(value: NewValue): string {
  if ('scalar' in value) return value.scalar;
  if ('list' in value) return `[${value.list.join(', ')}]`;
  return `{${value.map.map(([k, v]) => `${k}: ${flowText(v)}`).join(', ')}}`;
}

/**
 * Where a new line goes after the last line of a block collection: right after the line break that ends
 * its last item (so a comment after the collection stays after it), or at the end of a file that has no
 * final line break (then the new line brings its own break first).
 */
function afterLastLine(text: string, end: number): { at: number; lead: boolean } {
  if (end > 0 && text[end - 1] === '\n') return { at: end, lead: false };
  const nl = text.indexOf('\n', end);
  return nl === -1 ? { at: text.length, lead: true } : { at: nl + 1, lead: false };
}

/** The indentation step of the document: how far a nested map's keys sit right of their parent key. */
export function indentStep(text: string, root: unknown): string {
  let step: number | undefined;
  const walk = (node: unknown): void => {
    if (step !== undefined) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const value = pair.value;
        if (isPair(pair) && isScalar(pair.key) && pair.key.range && isMap(value) && !value.flow) {
          const child = value.items[0]?.key;
          if (isScalar(child) && child.range) {
            const d = columnOf(text, child.range[0]) - columnOf(text, pair.key.range[0]);
            if (d > 0) {
              step = d;
              return;
            }
          }
        }
        walk(value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item);
    }
  };
  walk(root);
  return ' '.repeat(step ?? 2);
}

/** Add `key: value` to a map, after its last entry, indented like its keys. */
export function insertPair(text: string, node: unknown, key: string, value: NewValue, root: unknown): Splice {
  if (!isMap(node) || !node.range) fail('not a map');
  const map = node as YAMLMap;
  const [start, end] = map.range!;
  if (map.flow) {
    const close = text.lastIndexOf('}', end - 1);
    if (close < start) fail('a flow map without its closing brace');
    const last = map.items.at(-1);
    const lastEnd = last
      ? ((last.value as Node | null)?.range?.[1] ?? (last.key as Node).range?.[1])
      : undefined;
    const entry = `${key}: ${flowText(value)}`;
    return lastEnd === undefined
      ? { start: start + 1, end: start + 1, text: entry }
      : { start: lastEnd, end: lastEnd, text: `, ${entry}` };
  }
  const firstKey = map.items[0]?.key;
  if (!isScalar(firstKey) || !firstKey.range) fail('a map whose keys are not plain scalars');
  const indent = ' '.repeat(columnOf(text, firstKey.range[0]));
  const eol = eolOf(text);
  const lines = blockLines(key, value, indent, indentStep(text, root));
  const { at, lead } = afterLastLine(text, end);
  return { start: at, end: at, text: lead ? eol + lines.join(eol) : lines.join(eol) + eol };
}

/** Add one item to a list, after its last item, with its dash where the other dashes stand. */
export function appendItem(text: string, node: unknown, item: string): Splice {
  if (!isSeq(node) || !node.range) fail('not a list');
  const [start, end] = node.range;
  const last = node.items.at(-1) as Node | undefined;
  if (node.flow) {
    if (!last?.range) return { start: start + 1, end: start + 1, text: item };
    return { start: last.range[1], end: last.range[1], text: `, ${item}` };
  }
  if (!last?.range) fail('an empty block list');
  const dash = text.lastIndexOf('-', last.range[0]);
  if (dash === -1 || text.slice(dash + 1, last.range[0]).trim() !== '') fail('a list item without its dash');
  const indent = ' '.repeat(columnOf(text, dash));
  const eol = eolOf(text);
  const { at, lead } = afterLastLine(text, end);
  const line = `${indent}- ${item}`;
  return { start: at, end: at, text: lead ? eol + line : line + eol };
}

export type Path = (string | number)[];

/** Every document's value, read with the failsafe schema (all scalars strings). */
export function readAll(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, { schema: 'failsafe', prettyErrors: false });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  return docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown);
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container: Record<string | number, unknown> =
    root !== null && typeof root === 'object'
      ? (structuredClone(root) as Record<string | number, unknown>)
      : typeof head === 'number'
        ? ([] as unknown as Record<number, unknown>)
        : {};
  container[head!] = setAt(container[head!], rest, value);
  return container;
}

/**
 * The first alternative after which the file reads exactly as before except for `expected` at `path` in
 * document `docIndex`: same documents, same values everywhere else, nothing reinterpreted.
 */
export function firstConfirmed(
  text: string,
  alternatives: Splice[],
  docIndex: number,
  path: Path,
  expected: unknown,
): string | undefined {
  const before = readAll(text);
  if (!before) return undefined;
  const want = before.map((doc, i) => (i === docIndex ? setAt(doc, path, expected) : doc));
  for (const s of alternatives) {
    const written = applySplice(text, s);
    const after = readAll(written);
    if (after && isDeepStrictEqual(after, want)) return written;
  }
  return undefined;
}
