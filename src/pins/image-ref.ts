import { fail, quote } from './errors.js';
import type { Span } from './span.js';
import { isDigest } from './version.js';

/**
 * Split `[host[:port]/]path[:tag][@digest]`. The tag separator is the last `:` after the last `/`, so
 * a registry port (`localhost:5000/app`) is never taken for a tag.
 */
export function parseImageRef(ref: string): { nameEnd: number; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  const nameTag = at === -1 ? ref : ref.slice(0, at);
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  const colon = nameTag.lastIndexOf(':');
  const hasTag = colon > nameTag.lastIndexOf('/');
  const nameEnd = hasTag ? colon : nameTag.length;
  const tag = hasTag ? nameTag.slice(colon + 1) : undefined;
  if (nameEnd === 0 || /\s/.test(ref) || tag === '' || (digest !== undefined && !isDigest(digest))) {
    fail(`${quote(ref)} is not an image reference`);
  }
  return { nameEnd, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/**
 * The version inside a whole image reference held by `scalar` (a span over the reference's characters):
 * its tag, its digest, or `tag@digest`. With neither, the version is empty and sits where one would go.
 * Writing rewrites the separator too, so a tag can replace a digest and the other way round.
 */
export function imageRefVersion(scalar: Span, options: { requireVersion: boolean }): Span {
  const ref = scalar.version;
  const { nameEnd, tag, digest } = parseImageRef(ref);
  if (options.requireVersion && tag === undefined && digest === undefined) {
    fail(`image ${quote(ref)} has no tag or digest: nothing to roll back`);
  }
  const versionStart = (tag ?? digest) !== undefined ? nameEnd + 1 : nameEnd;
  const sepStart = scalar.start + nameEnd;
  const suffix = (next: string) => (isDigest(next) ? '@' : ':') + next;
  const refuseRef = scalar.refuse;
  return {
    version: ref.slice(versionStart),
    start: scalar.start + versionStart,
    end: scalar.end,
    edit: (next) => ({ start: sepStart, end: scalar.end, text: suffix(next) }),
    // The quoting and typing rules apply to the whole reference the scalar will hold, not to the tag.
    ...(refuseRef && { refuse: (next: string) => refuseRef(ref.slice(0, nameEnd) + suffix(next)) }),
  };
}
