import { isScalar, type Scalar, visit } from 'yaml';
import { fail, quote } from './errors.js';
import { imageRefVersion } from './image-ref.js';
import { scalarSpan } from './scalar.js';
import { lineOf, refuseEither, type Span } from './span.js';
import { isDigest } from './version.js';
import { parseYaml, type YamlDoc } from './yaml-doc.js';

const SETTER = /^[^:\s]+:[^:\s]+(?::(tag|name|digest))?$/;
// A line comment right after a scalar on its line: what Flux image automation reads as a setter.
const TRAILING_COMMENT = /^[ \t]+#[ \t]*(\{[^\r\n]*\})[ \t]*(?:\r?\n|$)/;

function markerOf(text: string, scalar: Scalar): string | undefined {
  const rest = TRAILING_COMMENT.exec(text.slice(scalar.range![1], scalar.range![1] + 512));
  if (!rest) return undefined;
  try {
    const parsed: unknown = JSON.parse(rest[1]!);
    if (typeof parsed === 'object' && parsed !== null && '$imagepolicy' in parsed) {
      const policy = (parsed as Record<string, unknown>).$imagepolicy;
      return typeof policy === 'string' ? policy : undefined;
    }
  } catch {
    // A comment that only looks like JSON is an ordinary comment.
  }
  return undefined;
}

/** The one scalar the setter marks, its document, and the setter's form (undefined: the whole reference). */
export function markedScalar(
  text: string,
  setter: string,
): { doc: YamlDoc; node: Scalar; suffix: string | undefined } {
  const form = SETTER.exec(setter);
  if (!form) fail('a setter is NAMESPACE:POLICY, optionally followed by :tag, :name or :digest');
  const marked: { doc: YamlDoc; node: Scalar }[] = [];
  for (const doc of parseYaml(text)) {
    visit(doc, {
      Scalar(_, node) {
        if (isScalar(node) && node.range && markerOf(text, node) === setter) marked.push({ doc, node });
      },
    });
  }
  if (marked.length === 0) fail(`no value carries the marker # {"$imagepolicy": ${quote(setter)}}`);
  if (marked.length > 1) {
    fail(
      `${marked.length} values carry the marker (lines ${marked.map((m) => lineOf(text, m.node.range![0])).join(', ')})`,
    );
  }
  return { ...marked[0]!, suffix: form[1] };
}

/**
 * A Flux image-automation setter: `NAMESPACE:POLICY` marks a whole image reference (the version is
 * its tag, digest or tag@digest), `:tag` and `:digest` mark a scalar that is just that, `:name` the
 * image name. The marker string must equal the locator exactly, since each form marks a different field.
 */
export function locateSetter(text: string, setter: string): Span {
  const { node, suffix } = markedScalar(text, setter);
  const span = scalarSpan(text, node, 'the marked value');
  if (suffix === undefined) return imageRefVersion(span, { requireVersion: false });
  if (suffix !== 'digest') return span;
  return {
    ...span,
    refuse: refuseEither(span.refuse, (next) =>
      isDigest(next) ? undefined : `${quote(next)} is not a digest (sha256:…)`,
    ),
  };
}
