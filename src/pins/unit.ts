import { isMap, isPair, isScalar, type Node, type Scalar, visit, type YAMLMap } from 'yaml';
import { containerImage } from './container.js';
import { fail } from './errors.js';
import { kustomizeEntry, kustomizeField } from './kustomize.js';
import type { PinLocator } from './locator.js';
import { locateRegex } from './regex.js';
import { markedScalar } from './setter.js';
import { mapGet, type YamlDoc } from './yaml-doc.js';
import { yamlPathNode } from './yaml-path.js';

/**
 * Everything a pin's value belongs to: what has to go back together for a rollback to restore what
 * was deployed, not only the version the locator reads.
 * - `fields`: sibling keys of one map (a kustomize `images:` entry, a Flux `spec.ref`, a Helm-style
 *   `image: {registry, repository, tag, digest}`); `located` is the key the locator reads.
 * - `scalar`: one YAML scalar holding a whole image reference (a container's `image:`, a setter's
 *   whole-reference form); the name, tag and digest in it go back as one value.
 * - `token`: the characters around a regex's version group up to the next separator: the part of the
 *   reference the locator cannot reach.
 * - `single`: a value with nothing beside it that belongs to it (a chart version, a targetRevision).
 */
export type Unit =
  | { kind: 'fields'; map: YAMLMap; fields: readonly string[]; located: string }
  | { kind: 'scalar'; node: Node | null }
  | { kind: 'token'; start: number; end: number; versionStart: number; versionEnd: number }
  | { kind: 'single' };

export const KUSTOMIZE_FIELDS = ['newName', 'newTag', 'digest'] as const;
/** Flux OCIRepository and GitRepository `spec.ref`, in Flux's order of precedence, strongest first. */
export const REF_FIELDS = ['digest', 'commit', 'name', 'semver', 'semverFilter', 'tag', 'branch'] as const;
/** A chart's `image:` map, as Bitnami, app-template and most charts spell it. */
export const IMAGE_FIELDS = ['registry', 'repository', 'tag', 'digest'] as const;

const includes = (list: readonly string[], key: string) => list.includes(key);

/** The map and key holding `node` as a value, and the key that map stands under. */
function fieldOf(
  doc: YamlDoc,
  node: Node,
): { map: YAMLMap; key: string; parentKey: string | undefined } | undefined {
  let found: { map: YAMLMap; key: string; parentKey: string | undefined } | undefined;
  visit(doc, {
    Pair(_, pair, path) {
      if (pair.value !== node || !isScalar(pair.key)) return undefined;
      const map = path[path.length - 1];
      const above = path[path.length - 2];
      if (!isMap(map)) return undefined;
      const parentKey = isPair(above) && isScalar(above.key) ? String(above.key.value) : undefined;
      found = { map, key: String(pair.key.value), parentKey };
      return visit.BREAK;
    },
  });
  return found;
}

/** Which siblings belong with the value under `key` in `map`; undefined when none do. */
function groupOf(map: YAMLMap, key: string, parentKey: string | undefined): readonly string[] | undefined {
  if (parentKey === 'ref' && includes(REF_FIELDS, key)) return REF_FIELDS;
  const kustomize = mapGet(map, 'newTag') !== undefined || mapGet(map, 'newName') !== undefined;
  if (kustomize && includes(KUSTOMIZE_FIELDS, key)) return KUSTOMIZE_FIELDS;
  if (includes(IMAGE_FIELDS, key)) return IMAGE_FIELDS;
  return undefined;
}

function unitOfNode(doc: YamlDoc, node: Node | null): Unit {
  const field = node === null ? undefined : fieldOf(doc, node);
  const group = field && groupOf(field.map, field.key, field.parentKey);
  if (!field || !group) return { kind: 'single' };
  return { kind: 'fields', map: field.map, fields: group, located: field.key };
}

// What ends an image reference (or a URL) in free text: whitespace, quotes, brackets, separators.
export const SEPARATOR = /[\s'"`,;|[\]{}()<>]/;

/** The unit the locator's value belongs to in `text`; throws LocateError as the locators do. */
export function unitOf(text: string, locator: PinLocator): Unit {
  if ('kustomize_image' in locator && locator.kustomize_image !== undefined) {
    const map = kustomizeEntry(text, locator.kustomize_image);
    return { kind: 'fields', map, fields: KUSTOMIZE_FIELDS, located: kustomizeField(map, locator.field) };
  }
  if ('yaml_path' in locator && locator.yaml_path !== undefined) {
    const { doc, node } = yamlPathNode(text, locator.yaml_path, locator.match);
    return unitOfNode(doc, node);
  }
  if ('container' in locator && locator.container !== undefined) {
    return { kind: 'scalar', node: containerImage(text, locator.container, locator.match) };
  }
  if ('setter' in locator && locator.setter !== undefined) {
    const { doc, node, suffix } = markedScalar(text, locator.setter);
    return suffix === undefined ? { kind: 'scalar', node } : unitOfNode(doc, node);
  }
  if ('regex' in locator && locator.regex !== undefined) {
    const span = locateRegex(text, locator.regex);
    let start = span.start;
    let end = span.end;
    while (start > 0 && !SEPARATOR.test(text[start - 1]!)) start--;
    while (end < text.length && !SEPARATOR.test(text[end]!)) end++;
    return { kind: 'token', start, end, versionStart: span.start, versionEnd: span.end };
  }
  fail('a pin takes exactly one locator');
}

/** A field of a `fields` unit: absent, a scalar (its value), or something else (its source). */
export interface Field {
  key: string;
  keyNode: Scalar | undefined;
  node: Node | null | undefined;
  value: string | undefined;
}

export function fieldIn(map: YAMLMap, key: string): Field {
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) {
      const node = pair.value as Node | null;
      const value = node === null ? '' : isScalar(node) ? String(node.value) : undefined;
      return { key, keyNode: pair.key, node, value };
    }
  }
  return { key, keyNode: undefined, node: undefined, value: undefined };
}

/** Set to something: an empty value (`digest: ""`, as Bitnami ships it) pins nothing. */
export function isSet(f: Field): boolean {
  return f.node !== undefined && f.value !== '';
}
