import { fail } from '../pins/errors.js';

/**
 * What Flux's semver ImagePolicy accepts as a tag: `fluxcd/pkg/version.ParseVersion`, i.e. Masterminds
 * `StrictNewVersion` after one optional leading `v` (MAJOR.MINOR.PATCH, no leading zeros, optional
 * -prerelease and +metadata). Tags that fail it are never selected by a semver policy.
 */
const STRICT_SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export interface SemVer {
  /** The tag without its leading `v`: what the `!=` constraint is written with. */
  text: string;
  major: number;
  minor: number;
  patch: number;
  prerelease: string;
}

export function parseFluxSemver(tag: string): SemVer | undefined {
  const text = tag.startsWith('v') ? tag.slice(1) : tag;
  const m = STRICT_SEMVER.exec(text);
  if (!m) return undefined;
  return { text, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ?? '' };
}

// A constraint's version as Masterminds reads it (cvRegex), after a `!=`.
const NOT_EQUAL =
  /!=\s*v?([0-9xX*]+)(?:\.([0-9xX*]+))?(?:\.([0-9xX*]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?/g;
// A version carrying a prerelease: a `-` glued to the version (a hyphen range has spaces around its `-`).
const PRERELEASE_IN_GROUP = /(?:^|[^0-9A-Za-z.+-])v?[0-9xX*]+(?:\.[0-9xX*]+){0,2}-[0-9A-Za-z]/;

/** Whether an AND group already holds `!=v` for exactly this version (build metadata aside, as Equal does). */
function groupExcludes(group: string, v: SemVer): boolean {
  for (const m of group.matchAll(NOT_EQUAL)) {
    const [, major, minor, patch, pre] = m;
    if (minor === undefined || patch === undefined || /[xX*]/.test(`${major}${minor}${patch}`)) continue;
    if (Number(major) === v.major && Number(minor) === v.minor && Number(patch) === v.patch) {
      if ((pre ?? '') === v.prerelease) return true;
    }
  }
  return false;
}

/**
 * Whether an AND group can select `v` at all as far as prereleases go. Masterminds excludes prerelease
 * versions from a group that names no prerelease, so such a group needs no `!=` for a prerelease; and
 * adding one would itself name a prerelease, which (in Masterminds v3.3+) opens the group to all of them.
 */
function groupNeedsExclusion(group: string, v: SemVer): boolean {
  return v.prerelease === '' || PRERELEASE_IN_GROUP.test(group);
}

interface Group {
  start: number;
  end: number;
  text: string;
}

function groupsOf(range: string): Group[] {
  const groups: Group[] = [];
  let start = 0;
  for (;;) {
    const bar = range.indexOf('||', start);
    const end = bar === -1 ? range.length : bar;
    groups.push({ start, end, text: range.slice(start, end) });
    if (bar === -1) return groups;
    start = bar + 2;
  }
}

/** Whether every OR group of a Masterminds range that could select `v` holds `!=v`. */
export function rangeExcludes(range: string, v: SemVer): boolean {
  return groupsOf(range).every((g) => !groupNeedsExclusion(g.text, v) || groupExcludes(g.text, v));
}

/**
 * Append `, !=v` to every OR group that could select `v` and does not already exclude it. In Masterminds
 * constraints `,` (or whitespace) is AND and `||` is OR, so `>=1.0.0 || ^3.0` becomes
 * `>=1.0.0, !=2.4.0 || ^3.0, !=2.4.0`: the result selects exactly what it did, minus `v`.
 */
export function excludeFromRange(range: string, v: SemVer): string {
  let out = '';
  let at = 0;
  for (const g of groupsOf(range)) {
    if (!groupNeedsExclusion(g.text, v) || groupExcludes(g.text, v)) continue;
    const trimmed = g.text.trimEnd();
    const insertAt = g.start + trimmed.length;
    out += range.slice(at, insertAt) + (trimmed.trim() === '' ? `!=${v.text}` : `, !=${v.text}`);
    at = insertAt;
  }
  return out + range.slice(at);
}

/**
 * A Go RE2 pattern as a JavaScript RegExp, for the features both engines read the same way. RE2 has
 * no lookaround or backreferences, so a valid RE2 pattern is close to a JS one; what differs is spelled
 * differently (`(?P<name>`, leading `(?i)`, `\A`, `\z`) or has no JS counterpart, and is refused.
 */
export function re2ToRegExp(pattern: string): RegExp {
  let flags = '';
  let i = 0;
  const leading = /^\(\?([imsU]+)\)/.exec(pattern);
  if (leading) {
    if (leading[1]!.includes('U')) fail('filterTags.pattern uses the (?U) flag, which JavaScript lacks');
    flags = leading[1]!;
    i = leading[0].length;
  }
  let source = '';
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if ('pPQC'.includes(next) && next !== '')
        fail(`filterTags.pattern uses \\${next}, which this check cannot read`);
      source += next === 'A' ? '(?<![\\s\\S])' : next === 'z' ? '(?![\\s\\S])' : c + next;
      i += 2;
    } else if (pattern.startsWith('(?P<', i)) {
      source += '(?<';
      i += 4;
    } else if (/^\(\?[imsU-]+[:)]/.test(pattern.slice(i))) {
      fail('filterTags.pattern sets flags inside the pattern, which this check cannot read');
    } else if (pattern.startsWith('[[:', i) || pattern.startsWith('[^[:', i)) {
      fail('filterTags.pattern uses a POSIX class ([[:alpha:]]), which this check cannot read');
    } else {
      source += c;
      i += 1;
    }
  }
  try {
    return new RegExp(source, flags);
  } catch (e) {
    fail(`filterTags.pattern does not compile here: ${(e as Error).message}`);
  }
}

/**
 * Go's `Regexp.ExpandString` for the first match of `re` in `src`: what Flux's filterTags.extract turns a
 * tag into before the policy compares it. `$name`, `${name}`, `$1`; `$$` is a `$`; an unknown or
 * unmatched group expands to nothing; a `$` that starts no reference stays a `$`.
 */
export function goExpand(re: RegExp, template: string, src: string): string | undefined {
  const m = re.exec(src);
  if (!m) return undefined;
  const names = m.groups ?? {};
  let out = '';
  for (let i = 0; i < template.length;) {
    const dollar = template.indexOf('$', i);
    if (dollar === -1) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const rest = template.slice(dollar);
    if (rest.startsWith('$$')) {
      out += '$';
      i = dollar + 2;
      continue;
    }
    const ref = /^\$(?:\{([\p{L}\p{N}_]+)\}|([\p{L}\p{N}_]+))/u.exec(rest);
    if (!ref) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const name = (ref[1] ?? ref[2])!;
    const isNumber = /^\d+$/.test(name) && !(name.length > 1 && name.startsWith('0')) && name.length <= 8;
    out += (isNumber ? m[Number(name)] : names[name]) ?? '';
    i = dollar + ref[0].length;
  }
  return out;
}
