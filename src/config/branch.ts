/**
 * Git branch names, checked as `git check-ref-format --branch` does: a policy's `gitops.branch` and
 * the CLI's `--branch` are refused before any repository is opened, rather than by git half-way.
 */
import { shown } from './shown.js';

/** The characters git refuses anywhere in a ref name (besides control characters): `man git-check-ref-format`. */
const FORBIDDEN = [' ', '~', '^', ':', '?', '*', '[', '\\'];

function describeChar(c: string): string {
  if (c === ' ') return 'a space';
  const code = c.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).padStart(4, '0')})`;
  return `"${c}"`;
}

/**
 * Why `name` is not a git branch name, or undefined when it is one. The rules of
 * `git check-ref-format --branch`: no `..`, `@{`, space, control character or any of `~ ^ : ? * [ \`;
 * no leading `-` (git would read an option), no empty, leading or trailing `/`-separated part, no part
 * starting with `.` or ending in `.lock`, no trailing `.`, not `@` and not `HEAD`.
 */
export function branchProblem(name: string): string | undefined {
  const bad = (why: string) => `${shown(name)} is not a git branch name: ${why}`;
  if (name === '') return bad('it is empty');
  if (name.startsWith('-')) return bad('it starts with "-" (git would read it as an option)');
  for (const c of name) {
    const code = c.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || FORBIDDEN.includes(c)) {
      return bad(
        `it contains ${describeChar(c)} (a branch name cannot hold spaces, control characters or ~ ^ : ? * [ \\)`,
      );
    }
  }
  if (name.includes('..')) return bad('it contains ".."');
  if (name.includes('@{')) return bad('it contains "@{"');
  if (name === '@') return bad('"@" alone is a name for HEAD');
  if (name === 'HEAD') return bad('HEAD names the checked-out commit, not a branch');
  if (name.startsWith('/') || name.endsWith('/')) return bad('it starts or ends with "/"');
  if (name.includes('//')) return bad('it contains "//"');
  if (name.endsWith('.')) return bad('it ends with "."');
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return bad(`its part ${shown(part)} starts with "."`);
    if (part.endsWith('.lock')) return bad(`its part ${shown(part)} ends with ".lock"`);
  }
  return undefined;
}
