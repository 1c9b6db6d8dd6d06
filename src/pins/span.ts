/** Where a version stands: [start, end) are string indices of exactly the version's characters. */
export interface Span {
  version: string;
  start: number;
  end: number;
  /**
   * The splice that puts `next` in place. Defaults to replacing [start, end). An image reference
   * overrides it: going from a tag to a digest (or to an empty version) must also change the `:`/`@`
   * before it, which is the only byte outside the version that may ever change.
   */
  edit?: (next: string) => { start: number; end: number; text: string };
  /** Why `next` cannot stand here (it would need escaping, change type, or the field wants a digest). */
  refuse?: (next: string) => string | undefined;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export function lineOf(text: string, offset: number): number {
  return lineColumn(text, offset).line;
}

/** Both checks must pass; the first refusal wins. */
export function refuseEither(
  a: Span['refuse'],
  b: ((next: string) => string | undefined) | undefined,
): Span['refuse'] {
  if (!a) return b;
  if (!b) return a;
  return (next) => a(next) ?? b(next);
}
