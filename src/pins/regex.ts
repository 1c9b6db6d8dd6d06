import { fail, LocateError } from './errors.js';
import { compile, type Program, searchAll } from './regex-vm.js';
import { lineOf, type Span } from './span.js';

/**
 * The flags a regex locator is read with: `m` so `^` and `$` stand at every line's start and end,
 * as a person reading a file expects (without it they are the file's start and end, and a
 * `^image: …$` matches nothing). No `i`, `s` or `u`: the match is case-sensitive and `.` stops at a
 * line break. RegExp only checks the syntax; the match runs in regex-vm.ts, in linear time, with
 * these semantics (RegExp's own backtracking can take exponential time on hostile text).
 */
const REGEX_FLAGS = 'm';

/** What a pattern that matches nothing was searched in, and how; then what to check. */
function matchesNothing(text: string): string {
  const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  return (
    `the regex matches nothing: searched all ${lines} line${lines === 1 ? '' : 's'} of the file as a JavaScript ` +
    'RegExp with flag m (^ and $ match at every line\'s start and end, "." does not cross a line break, ' +
    'case matters); check the anchors, and escape what is meant literally (. + * ? ( ) [ ] { } | \\ ^ $)'
  );
}

/** Matches listed in a message at most; past them the count is all a message needs. */
const MATCH_LIMIT = 100;
/**
 * Steps of the matcher (one thread at one instruction) for one locator on one text. It runs some 50
 * million steps a second, and a plain locator needs a few per character: a 1 MB file is some 5
 * million. Past the budget the match stops with an error, whatever the pattern and the text.
 */
export const STEP_BUDGET = 20_000_000;

/**
 * Why `pattern` cannot be a regex locator (not a RegExp, no `version` group, or a construct the
 * linear-time matcher does not run: see regex-vm.ts), or undefined. For checking a policy at load.
 */
export function regexProblem(pattern: string): string | undefined {
  try {
    compileLocator(pattern);
    return undefined;
  } catch (e) {
    if (e instanceof LocateError) return e.message;
    throw e;
  }
}

function compileLocator(pattern: string): Program {
  try {
    new RegExp(pattern, REGEX_FLAGS);
  } catch (e) {
    fail(`not a valid regular expression: ${(e as Error).message}`);
  }
  if (!/\(\?<version>/.test(pattern)) fail('the regex needs a named group (?<version>...)');
  return compile(pattern);
}

/**
 * The named group `version` of the one match of `pattern` in the whole text. Every match is counted:
 * a pattern that also fits a second place is ambiguous, and a rollback must not pick one.
 */
export function locateRegex(text: string, pattern: string): Span {
  const program = compileLocator(pattern);
  const { matches, complete } = searchAll(program, text, MATCH_LIMIT, STEP_BUDGET);
  if (!complete && matches.length < 2) {
    fail(
      `the regex takes more than ${STEP_BUDGET} steps on this file (${text.length} characters) and was stopped; make it shorter or more specific`,
    );
  }
  if (matches.length === 0) fail(matchesNothing(text));
  if (matches.length > 1) {
    const lines = [...new Set(matches.map((m) => lineOf(text, m.caps[0]!)))];
    const times =
      complete && matches.length < MATCH_LIMIT
        ? `${matches.length} times`
        : `at least ${matches.length} times`;
    fail(`the regex matches ${times} (lines ${lines.join(', ')}); it must match once`);
  }
  const group = program.names.get('version');
  if (group === undefined) fail('the regex needs a named group (?<version>...)');
  const [start, end] = [matches[0]!.caps[2 * group]!, matches[0]!.caps[2 * group + 1]!];
  if (start < 0 || end < 0) fail('the group (?<version>...) took no part in the match');
  return { version: text.slice(start, end), start, end };
}
