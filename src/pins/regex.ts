import { fail } from './errors.js';
import { lineOf, type Span } from './span.js';

/**
 * The named group `version` of the one match of `pattern` in the whole text. Every match is counted:
 * a pattern that also fits a second place is ambiguous, and a rollback must not pick one.
 */
export function locateRegex(text: string, pattern: string): Span {
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'dg');
  } catch (e) {
    fail(`not a valid regular expression: ${(e as Error).message}`);
  }
  if (!/\(\?<version>/.test(pattern)) fail('the regex needs a named group (?<version>...)');
  const matches = [...text.matchAll(re)];
  if (matches.length === 0) fail('the regex matches nothing');
  if (matches.length > 1) {
    const lines = [...new Set(matches.map((m) => lineOf(text, m.index ?? 0)))];
    fail(`the regex matches ${matches.length} times (lines ${lines.join(', ')}); it must match once`);
  }
  const range = matches[0]!.indices?.groups?.version;
  if (!range) fail('the group (?<version>...) took no part in the match');
  const [start, end] = range;
  return { version: text.slice(start, end), start, end };
}
