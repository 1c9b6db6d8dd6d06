import type { Node, Scalar, YAMLMap } from 'yaml';
import { type Field, fieldIn } from './unit.js';

/** One splice of the original text; edits of one write never overlap. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Apply non-overlapping edits, all given in offsets of `text`; undefined when two overlap. */
export function applyEdits(text: string, edits: readonly Edit[]): string | undefined {
  // An insertion (start === end) at a removal's start goes first: both keep their meaning.
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) return undefined;
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

interface Line {
  start: number;
  /** Where the line's content ends: before its `\r\n` or `\n`. */
  end: number;
  /** The line break after it; empty on a last line without one. */
  eol: string;
}

export function lineAt(text: string, offset: number): Line {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  if (nl === -1) return { start, end: text.length, eol: '' };
  const end = text[nl - 1] === '\r' ? nl - 1 : nl;
  return { start, end, eol: text.slice(end, nl + 1) };
}

const fileEol = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');

/**
 * The line a `key: value` pair stands on, when it has one to itself: nothing but indentation (and,
 * where `listItem` allows, a `- `) before the key, a one-line value, at most a comment after it.
 * Otherwise, the reason the pair cannot be moved as a line.
 */
function pairLine(
  text: string,
  key: Scalar,
  value: Node | null | undefined,
  listItem: boolean,
): { line: Line; column: number; content: string } | string {
  const keyStart = key.range![0];
  const line = lineAt(text, keyStart);
  const before = text.slice(line.start, keyStart);
  if (!(listItem ? /^ *(?:- +)*$/ : /^ *$/).test(before)) {
    return /-/.test(before)
      ? 'it opens its list item (- …); pinback does not move the item marker'
      : 'it shares its line with another key';
  }
  const valueEnd = value?.range?.[1] ?? key.range![1];
  if (valueEnd > line.end) return 'its value spans several lines';
  const rest = text.slice(valueEnd, line.end);
  if (!(value ? /^[ \t]*(?:#.*)?$/ : /^[ \t]*:?[ \t]*(?:#.*)?$/).test(rest)) {
    return 'more follows it on its line';
  }
  return { line, column: keyStart - line.start, content: text.slice(keyStart, line.end) };
}

/** Remove the line of a field the stable did not have, line break included; or say why not. */
export function removeLine(text: string, map: YAMLMap, field: Field): Edit | string {
  if (map.flow) return 'the map is written inline ({…})';
  const at = pairLine(text, field.keyNode!, field.node, false);
  if (typeof at === 'string') return at;
  const { line } = at;
  if (line.eol !== '') return { start: line.start, end: line.end + line.eol.length, text: '' };
  // The last line without a break: take the break before it, so the file still ends as it did.
  const breakStart = text[line.start - 2] === '\r' ? line.start - 2 : line.start - 1;
  return { start: Math.max(breakStart, 0), end: line.end, text: '' };
}

/**
 * Put back the line of a field the candidate removed: the stable's own bytes for `key: value  # …`,
 * indented as the current map's keys, beside the key it stood after (or before) at the stable.
 */
export function addLine(
  text: string,
  map: YAMLMap,
  stableText: string,
  stableMap: YAMLMap,
  key: string,
): Edit | string {
  if (map.flow || stableMap.flow) return 'the map is written inline ({…})';
  const field = fieldIn(stableMap, key);
  const from = pairLine(stableText, field.keyNode!, field.node, false);
  if (typeof from === 'string') return `at the stable, ${from}`;
  const keys = stableMap.items.map((p) => String((p.key as Scalar | null)?.value));
  const index = keys.indexOf(key);
  for (const k of keys.slice(0, index).reverse()) {
    const anchor = fieldIn(map, k);
    if (!anchor.keyNode) continue;
    const at = pairLine(text, anchor.keyNode, anchor.node, true);
    if (typeof at === 'string') continue;
    const indent = ' '.repeat(at.column);
    if (at.line.eol === '') {
      return { start: at.line.end, end: at.line.end, text: fileEol(text) + indent + from.content };
    }
    const start = at.line.end + at.line.eol.length;
    return { start, end: start, text: indent + from.content + at.line.eol };
  }
  for (const k of keys.slice(index + 1)) {
    const anchor = fieldIn(map, k);
    if (!anchor.keyNode) continue;
    const at = pairLine(text, anchor.keyNode, anchor.node, false);
    if (typeof at === 'string') continue;
    const eol = at.line.eol || fileEol(text);
    return { start: at.line.start, end: at.line.start, text: ' '.repeat(at.column) + from.content + eol };
  }
  return 'no key it stood beside at the stable has a line of its own to place it by';
}
