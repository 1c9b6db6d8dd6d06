import { fail } from './errors.js';
import { lineOf, type Span } from './span.js';

/**
 * The flags pinback gives a regex locator: `m` so `^` and `$` stand at every line's start and end,
 * as a person reading a file expects (without it they are the file's start and end, and a
 * `^image: …$` matches nothing); `d` and `g` to find every match and the group's indices. No `i`, `s`
 * or `u`: the match is case-sensitive and `.` stops at a line break.
 */
const REGEX_FLAGS = 'dgm';

/** What a pattern that matches nothing was searched in, and how; then what to check. */
function matchesNothing(text: string): string {
  const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  return (
    `the regex matches nothing: searched all ${lines} line${lines === 1 ? '' : 's'} of the file as a JavaScript ` +
    'RegExp with flag m (^ and $ match at every line\'s start and end, "." does not cross a line break, ' +
    'case matters); check the anchors, and escape what is meant literally (. + * ? ( ) [ ] { } | \\ ^ $)'
  );
}

/**
 * The named group `version` of the one match of `pattern` in the whole text. Every match is counted:
 * a pattern that also fits a second place is ambiguous, and a rollback must not pick one.
 */
export function locateRegex(text: string, pattern: string): Span {
  let re: RegExp;
  try {
    re = new RegExp(pattern, REGEX_FLAGS);
  } catch (e) {
    fail(`not a valid regular expression: ${(e as Error).message}`);
  }
  if (!/\(\?<version>/.test(pattern)) fail('the regex needs a named group (?<version>...)');
  const matches = [...text.matchAll(re)];
  if (matches.length === 0) fail(matchesNothing(text));
  if (matches.length > 1) {
    const lines = [...new Set(matches.map((m) => lineOf(text, m.index ?? 0)))];
    fail(`the regex matches ${matches.length} times (lines ${lines.join(', ')}); it must match once`);
  }
  const range = matches[0]!.indices?.groups?.version;
  if (!range) fail('the group (?<version>...) took no part in the match');
  const [start, end] = range;
  return { version: text.slice(start, end), start, end };
}
