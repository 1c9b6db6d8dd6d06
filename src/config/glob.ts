/**
 * Service-name globs: `*` (any run of characters, none included), `?` (one character) and
 * `{a,b}` (either alternative; nested, and empty alternatives allowed: `api{,-canary}`). Every other
 * character stands for itself, case included, as service names do. Names have no separators (they
 * hold only letters, digits, `_`, `.` and `-`), so `*` has nothing to stop at.
 *
 * Pure, and linear in the name per expanded pattern: braces are expanded first (to a bounded number
 * of patterns), then each is matched with the two-pointer wildcard walk, which never backtracks more
 * than to the last `*`. A regular expression would do, but `*a*a*a*a*b` can make a backtracking
 * engine take exponential time, and the terms come from command lines and workflow inputs.
 */

/** A term is a glob when it holds one of these; anything else is a service name, matched exactly. */
const GLOB_CHARACTERS = /[*?{}]/;

/** Braces that expand to more patterns than this are refused (`{a,b}{c,d}…` grows as a product). */
export const MAX_EXPANSIONS = 1024;

export type Glob = { ok: true; match: (name: string) => boolean } | { ok: false; problem: string };

export function isGlob(term: string): boolean {
  return GLOB_CHARACTERS.test(term);
}

/** The index of the `}` closing the `{` at `open`, or -1. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** The alternatives between two braces, split at the commas of their own level. */
function alternatives(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '{') depth++;
    else if (inner[i] === '}') depth--;
    else if (inner[i] === ',' && depth === 0) {
      out.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  out.push(inner.slice(start));
  return out;
}

/** `web-{eu,us}-*` to `web-eu-*` and `web-us-*`; a problem for unbalanced braces or too many. */
export function expandBraces(glob: string): string[] | { problem: string } {
  const open = glob.indexOf('{');
  const stray = glob.indexOf('}');
  if (stray !== -1 && (open === -1 || stray < open)) return { problem: 'a } without its {' };
  if (open === -1) return [glob];
  const close = closing(glob, open);
  if (close === -1) return { problem: 'a { without its }' };
  const head = glob.slice(0, open);
  const tail = glob.slice(close + 1);
  const out: string[] = [];
  for (const alt of alternatives(glob.slice(open + 1, close))) {
    // The alternative's own braces and the tail's are expanded together: `{a,{b,c}}-{x,y}`.
    const rest = expandBraces(alt + tail);
    if (!Array.isArray(rest)) return rest;
    for (const r of rest) out.push(head + r);
    if (out.length > MAX_EXPANSIONS)
      return { problem: `its braces expand to more than ${MAX_EXPANSIONS} patterns` };
  }
  return out;
}

/** `*` and `?` against the whole name: the classic walk that backs up only to the last `*`. */
export function wildcardMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** A glob ready to match names, or why it cannot be one. */
export function compileGlob(glob: string): Glob {
  const patterns = expandBraces(glob);
  if (!Array.isArray(patterns)) return { ok: false, problem: patterns.problem };
  return { ok: true, match: (name) => patterns.some((p) => wildcardMatch(p, name)) };
}

/**
 * A list of services as a workflow input or a dispatch writes it: separated by commas, spaces or
 * newlines, except the commas inside a glob's braces (`web-{eu,us}` is one term).
 */
export function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let term = '';
  for (const c of text) {
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    if (depth === 0 && /[\s,]/.test(c)) {
      if (term) out.push(term);
      term = '';
    } else term += c;
  }
  if (term) out.push(term);
  return out;
}
