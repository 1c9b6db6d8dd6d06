/**
 * The policy's values that would otherwise be found wrong only at run time, when a rollback is due:
 * repository paths, locators, versions, URLs. Each check is the one the run applies (src/pins,
 * src/gitops/paths.ts), made at load so a bad value is a policy error at its line.
 */
import { safeRepoPath } from '../gitops/paths.js';
import { LocateError } from '../pins/errors.js';
import { regexProblem as locatorRegexProblem } from '../pins/regex.js';
import { isValidVersion } from '../pins/version.js';
import { parsePath } from '../pins/yaml-path.js';
import { shown } from './shown.js';

/** Why `path` cannot be a file of the GitOps repository (outside it, or in `.git/`), or undefined. */
export function repoPathProblem(path: string): string | undefined {
  try {
    safeRepoPath(path);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Why `path` is not a yaml_path of src/pins/yaml-path.ts (`a.b[0]["dotted.key"][name=api]`), or undefined. */
export function yamlPathProblem(path: string): string | undefined {
  try {
    parsePath(path);
    return undefined;
  } catch (e) {
    if (!(e instanceof LocateError)) throw e;
    return (
      `not a yaml_path: ${e.message}; write keys as a.b, list items as [0] or [name=api], ` +
      'and a key holding dots or brackets as ["dotted.key"]'
    );
  }
}

/** A Flux image-automation setter, as src/pins/setter.ts reads it: `NAMESPACE:POLICY[:tag|:name|:digest]`. */
export const SETTER_PATTERN = /^[^:\s]+:[^:\s]+(?::(tag|name|digest))?$/;
export const SETTER_MESSAGE =
  'a setter is NAMESPACE:POLICY (the marker Flux writes, # {"$imagepolicy": "flux-system:api"}), ' +
  'optionally followed by :tag, :name or :digest';

/** The flags src/pins/regex.ts reads a regex locator with. */
const REGEX_FLAGS = 'm';

/**
 * Why `pattern` cannot be a regex locator, or undefined: it must compile with the locator's flags,
 * have a named group `version` (not one that only reads like it: escaped, inside a character class,
 * or misspelled), and be one the locator's linear-time matcher runs (src/pins/regex.ts says which).
 */
export function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, REGEX_FLAGS);
  } catch (e) {
    // V8 says `Invalid regular expression: /PATTERN/dgm: REASON`; the pattern is in the file already.
    const message = (e as Error).message;
    const at = message.lastIndexOf(`/${REGEX_FLAGS}: `);
    return `not a valid regular expression: ${at === -1 ? message : message.slice(at + REGEX_FLAGS.length + 3)}`;
  }
  // With an empty alternative the pattern matches "", and a match lists every named group.
  const groups = new RegExp(`${pattern}|`, REGEX_FLAGS).exec('')?.groups ?? {};
  if (Object.hasOwn(groups, 'version')) return locatorRegexProblem(pattern);
  const names = Object.keys(groups);
  return (
    'the regex needs a named group (?<version>...) around the version' +
    (names.length ? ` (it has ${names.map((n) => `(?<${n}>...)`).join(', ')})` : '') +
    '; a group escaped as \\( or written inside [...] is no group'
  );
}

/** Why `v` cannot be written into a pin (src/pins/version.ts), or undefined. */
export function versionProblem(v: string): string | undefined {
  if (isValidVersion(v)) return undefined;
  return (
    `${shown(v)} is not a version: use letters, digits and . _ + - @ : / = only, ` +
    'starting with a letter, a digit or _, without ".."'
  );
}

/**
 * Why `url` is not an absolute http(s) URL, or undefined. `{{placeholder}}`s (an HTTP provider's
 * template) stand for a value inserted at each query and are read as one.
 */
export function httpUrlProblem(url: string, example: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\{\{[^{}]*\}\}/g, '0'));
  } catch {
    return `expected an http(s) URL such as ${example}`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `expected an http(s) URL such as ${example} (not ${parsed.protocol})`;
  }
  return undefined;
}
