const VERSION = /^[A-Za-z0-9_][A-Za-z0-9_.+\-@:/=]*$/;
const DIGEST = /^sha(?:256|384|512):[0-9A-Fa-f]+$/;

/**
 * Whether `v` may be written into a pin. The alphabet covers tags, digests (`sha256:…`), `tag@sha256:…`
 * and whole image references (`registry:5000/app:v1`, Argo CD's `name=ref`); it leaves out everything
 * that could change the meaning of the file the value lands in (quotes, braces, `$`, `#`, whitespace,
 * YAML indicators, shell metacharacters), so a version taken from metrics, a webhook or git history
 * cannot smuggle structure into a pin. The first character must be a word character so a version never
 * reads as a CLI option or a YAML indicator, and `..` is refused so it never walks a path.
 * Semver ranges (`>=1.0`, `*`) are refused on purpose: a rollback target is one exact version.
 */
export function isValidVersion(v: string): boolean {
  return v.length > 0 && v.length <= 512 && VERSION.test(v) && !v.includes('..');
}

/** A content digest (`sha256:…`), as opposed to a tag: it decides between `:` and `@` in an image ref. */
export function isDigest(v: string): boolean {
  return DIGEST.test(v);
}
