import { isAlias, isScalar, type Scalar } from 'yaml';
import { fail, quote } from './errors.js';
import type { Span } from './span.js';
import { readsAsString } from './yaml-doc.js';

/**
 * The version characters of a scalar node. Quotes stay outside the span so a quoted pin stays quoted.
 * A scalar whose source differs from its value (escapes, folded lines) has no single byte range for
 * its version, so it is refused rather than rewritten approximately.
 */
export function scalarSpan(text: string, node: unknown, what = 'the value'): Span {
  if (isAlias(node)) fail(`${what} is the alias *${node.source}; point the locator at the anchor`);
  if (!isScalar(node) || !node.range) {
    fail(`${what} is ${node === null || node === undefined ? 'empty' : 'a map or list'}, not a scalar`);
  }
  const scalar = node as Scalar;
  const [start, end] = scalar.range!;
  const value = String(scalar.value);
  if (scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') {
    fail(`${what} is a block scalar (| or >), which is not a pin`);
  }
  if (scalar.type === 'QUOTE_SINGLE' || scalar.type === 'QUOTE_DOUBLE') {
    const mark = scalar.type === 'QUOTE_SINGLE' ? "'" : '"';
    if (text.slice(start + 1, end - 1) !== value) {
      fail(`${what} is written with escapes or line breaks inside ${mark}…${mark}; write it literally`);
    }
    const forbidden = mark === "'" ? /['\r\n]/ : /["\\\r\n]/;
    return {
      version: value,
      start: start + 1,
      end: end - 1,
      refuse: (next) =>
        forbidden.test(next) ? `${quote(next)} would need escaping inside ${mark}…${mark}` : undefined,
    };
  }
  if (text.slice(start, end) !== value) fail(`${what} spans several lines`);
  // An explicit tag (`!!str 1.0`) fixes the type; otherwise a pin that reads as a string must stay one.
  const guardType = scalar.tag === undefined && (value === '' || readsAsString(value));
  // An empty plain value can sit right after the colon (`tag:`); a value needs a space before it.
  const pad = value === '' && !/[ \t]/.test(text[start - 1] ?? ' ') ? ' ' : '';
  return {
    version: value,
    start,
    end,
    edit: (next) => ({ start, end, text: pad + next }),
    refuse: (next) =>
      guardType && !readsAsString(next)
        ? `unquoted ${quote(next)} would not read as a string in YAML; quote the value in the file`
        : undefined,
  };
}
