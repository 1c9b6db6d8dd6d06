import { isMap, isScalar, isSeq, type Node } from 'yaml';
import {
  appendItem,
  firstConfirmed,
  insertPair,
  type Path,
  replaceScalar,
  type Splice,
  scalarText,
  styleOf,
} from './edit.js';
import { type Selected, tagOf } from './flux.js';
import { fail } from '../pins/errors.js';
import { mapGet, parseYaml, scalarString } from '../pins/yaml-doc.js';

export const ANNOTATION_PREFIX = 'argocd-image-updater.argoproj.io';
const IMAGE_LIST = `${ANNOTATION_PREFIX}/image-list`;
/** Read for an image only when its own `<alias>.ignore-tags` is absent (GetParameterIgnoreTags). */
const APP_WIDE_IGNORE = `${ANNOTATION_PREFIX}/ignore-tags`;
const YAML11_TRUE = /^(?:true|True|TRUE|yes|Yes|YES|on|On|ON|y|Y)$/;

/**
 * Go's `path/filepath.Match` on Linux, which Argo CD Image Updater applies to each ignore-tags pattern:
 * `*` any run of non-`/` characters, `?` one, `[...]` a class (`[^...]` negated, `a-z` ranges, `\`
 * escapes). A malformed pattern matches nothing.
 */
export function globMatch(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= pattern.length) return false;
      re += escapeRe(pattern[++i]!);
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^') {
        cls = '^';
        j++;
      }
      let ranges = 0;
      for (;;) {
        if (j >= pattern.length) return false;
        if (pattern[j] === ']' && ranges > 0) break;
        let lo = pattern[j]!;
        if (lo === '\\') lo = pattern[++j] ?? '';
        else if (lo === '-' || lo === ']') return false;
        if (lo === '') return false;
        j++;
        let hi = lo;
        if (pattern[j] === '-') {
          hi = pattern[++j] ?? '';
          if (hi === '\\') hi = pattern[++j] ?? '';
          else if (hi === ']' || hi === '-') return false;
          if (hi === '') return false;
          j++;
        }
        cls += lo === hi ? escapeRe(lo) : `${escapeRe(lo)}-${escapeRe(hi)}`;
        ranges++;
      }
      re += `[${cls}]`;
      i = j;
    } else re += escapeRe(c);
  }
  try {
    return new RegExp(`^${re}$`, 's').test(name);
  } catch {
    return false;
  }
}

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** An annotation's comma-separated patterns, as GetParameterIgnoreTags splits and trims them. */
export function splitPatterns(value: string): string[] {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export interface ImageListEntry {
  /** '' when the entry names no alias. */
  alias: string;
  image: string;
}

/** `[<alias>=]<image_path>[:<version_constraint>]`, comma-separated. */
export function parseImageList(value: string): ImageListEntry[] {
  return splitPatterns(value).map((entry) => {
    const eq = entry.indexOf('=');
    const alias = eq > 0 ? entry.slice(0, eq) : '';
    // `nginx:>=1.2` has a `=` in its constraint, not an alias.
    return alias !== '' && !alias.includes(':')
      ? { alias, image: entry.slice(eq + 1) }
      : { alias: '', image: entry };
  });
}

function kindOf(contents: unknown): string | undefined {
  return scalarString(mapGet(contents, 'kind'));
}

function nameOf(contents: unknown): string | undefined {
  return scalarString(mapGet(mapGet(contents, 'metadata'), 'name'));
}

type Target = Selected & { kind: 'Application' | 'ImageUpdater' };

/**
 * The Application carrying image-updater annotations, or the ImageUpdater resource, named `name` when
 * given. An Application without an image-list annotation is not managed through annotations.
 */
function selectTarget(text: string, name: string | undefined): Target {
  const docs = parseYaml(text).map((doc, index) => ({ doc, index }));
  const targets: Target[] = [];
  const bareApps: string[] = [];
  for (const { doc, index } of docs) {
    const kind = kindOf(doc.contents);
    if (kind === 'Application') {
      if (mapGet(mapGet(mapGet(doc.contents, 'metadata'), 'annotations'), IMAGE_LIST) !== undefined) {
        targets.push({ doc, index, kind });
      } else bareApps.push(nameOf(doc.contents) ?? '');
    } else if (kind === 'ImageUpdater') targets.push({ doc, index, kind });
  }
  const chosen = name === undefined ? targets : targets.filter((t) => nameOf(t.doc.contents) === name);
  const found = targets.map((t) => `${t.kind} ${JSON.stringify(nameOf(t.doc.contents) ?? '')}`).join(', ');
  if (chosen.length === 0) {
    const bare = name === undefined ? bareApps.length > 0 : bareApps.includes(name);
    fail(
      [
        name === undefined
          ? 'the file has no ImageUpdater and no Application with an image-list annotation'
          : `no ImageUpdater and no Application with an image-list annotation is named ${JSON.stringify(name)}`,
        bare ? ` (an Application without ${IMAGE_LIST} is not configured through annotations)` : '',
        found ? ` (found ${found})` : '',
      ].join(''),
    );
  }
  if (chosen.length > 1) fail(`${chosen.length} documents match (${found}); set name`);
  return chosen[0]!;
}

interface HoldEdit {
  sel: Selected;
  /** The patterns in force for the image now. */
  patterns: string[];
  /** The edit that adds `tag`, and the value it leaves at `path`. */
  alternatives: (tag: string) => { alternatives: Splice[]; path: Path; expected: unknown };
}

function applicationEdit(text: string, sel: Selected, aliasWanted: string | undefined): HoldEdit {
  const annotations = mapGet(mapGet(sel.doc.contents, 'metadata'), 'annotations');
  if (!isMap(annotations)) fail('metadata.annotations is not a map');
  const list = scalarString(mapGet(annotations, IMAGE_LIST));
  if (list === undefined) fail(`${IMAGE_LIST} is not a string`);
  const entries = parseImageList(list);
  let alias = aliasWanted;
  if (alias === undefined) {
    if (entries.length !== 1) {
      const aliases = entries.map((e) => JSON.stringify(e.alias || e.image)).join(', ');
      fail(`image-list names ${entries.length} images (${aliases}); set alias`);
    }
    alias = entries[0]!.alias;
  } else if (!entries.some((e) => e.alias === alias)) {
    const aliases = entries
      .map((e) => (e.alias ? JSON.stringify(e.alias) : `no alias (${e.image})`))
      .join(', ');
    fail(`image-list has no image with alias ${JSON.stringify(alias)} (found ${aliases})`);
  }
  // The image's own annotation uses the alias with `/` written as `_` (normalizedSymbolicName); an
  // image without an alias reads only the application-wide annotation.
  const ownKey = alias === '' ? undefined : `${ANNOTATION_PREFIX}/${alias.replaceAll('/', '_')}.ignore-tags`;
  const own = ownKey === undefined ? undefined : mapGet(annotations, ownKey);
  const wide = mapGet(annotations, APP_WIDE_IGNORE);
  const inForce =
    own !== undefined
      ? { key: ownKey!, node: own }
      : wide !== undefined
        ? { key: APP_WIDE_IGNORE, node: wide }
        : undefined;
  const value = inForce === undefined ? '' : scalarString(inForce.node);
  if (value === undefined) fail(`${inForce!.key} is not a string`);
  const patterns = splitPatterns(value);
  return {
    sel,
    patterns,
    alternatives: (tag) => {
      if (inForce !== undefined && (inForce.key === ownKey || ownKey === undefined)) {
        const base = value.replace(/[\s,]+$/, '');
        const next = base.trim() === '' ? tag : `${base}, ${tag}`;
        return {
          alternatives: replaceScalar(text, inForce.node, next, inForce.key),
          path: ['metadata', 'annotations', inForce.key],
          expected: next,
        };
      }
      // The image's own annotation replaces the application-wide one, so a new one starts with the
      // patterns it inherited: the image keeps ignoring what it ignored, and only this image changes.
      const key = ownKey ?? APP_WIDE_IGNORE;
      const next = [...patterns, tag].join(', ');
      return {
        alternatives: [insertPair(text, annotations, key, { scalar: scalarText(next) }, sel.doc.contents)],
        path: ['metadata', 'annotations', key],
        expected: next,
      };
    },
  };
}

function seqStrings(node: unknown, what: string): string[] {
  if (!isSeq(node)) fail(`${what} is not a list`);
  return node.items.map((item) => {
    const s = scalarString(item);
    if (s === undefined) fail(`${what} holds an item that is not a string`);
    return s;
  });
}

/** `ignoreTags` of a commonUpdateSettings map; undefined when unset (Go's nil slice: absent or null). */
function ignoreTagsAt(owner: unknown, what: string): { node: Node; tags: string[] } | undefined {
  const node = mapGet(mapGet(owner, 'commonUpdateSettings'), 'ignoreTags');
  if (node === undefined || node === null) return undefined;
  if (
    isScalar(node) &&
    node.type === 'PLAIN' &&
    (node.value === '' || node.value === 'null' || node.value === '~')
  ) {
    return undefined;
  }
  return { node, tags: seqStrings(node, what) };
}

function imageUpdaterEdit(text: string, sel: Selected, aliasWanted: string | undefined): HoldEdit {
  const spec = mapGet(sel.doc.contents, 'spec');
  const refs = mapGet(spec, 'applicationRefs');
  if (!isSeq(refs)) fail('the ImageUpdater has no spec.applicationRefs list');
  const images: { ref: Node; refIndex: number; image: Node; imageIndex: number; alias: string }[] = [];
  let byAnnotations = 0;
  refs.items.forEach((ref, refIndex) => {
    if (YAML11_TRUE.test(scalarString(mapGet(ref, 'useAnnotations')) ?? '')) {
      byAnnotations++;
      return;
    }
    const list = mapGet(ref, 'images');
    if (!isSeq(list)) return;
    list.items.forEach((image, imageIndex) => {
      if (!isMap(image)) return;
      const alias = scalarString(mapGet(image, 'alias')) ?? '';
      if (aliasWanted === undefined || alias === aliasWanted) {
        images.push({ ref: ref as Node, refIndex, image, imageIndex, alias });
      }
    });
  });
  if (images.length === 0) {
    fail(
      byAnnotations > 0
        ? `the ImageUpdater has ${aliasWanted === undefined ? 'no images' : `no image with alias ${JSON.stringify(aliasWanted)}`} of its own; ${byAnnotations} applicationRefs set useAnnotations: true, which reads the Application's ${ANNOTATION_PREFIX}/* annotations: hold the Application instead`
        : `the ImageUpdater has no image${aliasWanted === undefined ? 's' : ` with alias ${JSON.stringify(aliasWanted)}`}`,
    );
  }
  if (images.length > 1) {
    const where = images.map(
      (i) => `applicationRefs[${i.refIndex}].images[${i.imageIndex}] ${JSON.stringify(i.alias)}`,
    );
    fail(`${images.length} images match (${where.join(', ')}); set alias`);
  }
  const { ref, refIndex, image, imageIndex } = images[0]!;
  const base = `spec.applicationRefs[${refIndex}].images[${imageIndex}]`;
  const own = ignoreTagsAt(image, `${base}.commonUpdateSettings.ignoreTags`);
  // The most specific level that sets ignoreTags wins and replaces the others (mergeCommonUpdateSettings).
  const inherited =
    ignoreTagsAt(ref, `spec.applicationRefs[${refIndex}].commonUpdateSettings.ignoreTags`) ??
    ignoreTagsAt(spec, 'spec.commonUpdateSettings.ignoreTags');
  const patterns = own?.tags ?? inherited?.tags ?? [];
  const path: Path = [
    'spec',
    'applicationRefs',
    refIndex,
    'images',
    imageIndex,
    'commonUpdateSettings',
    'ignoreTags',
  ];
  return {
    sel,
    patterns,
    alternatives: (tag) => {
      const expected = [...patterns, tag];
      if (own !== undefined) {
        const last = isSeq(own.node) ? own.node.items.at(-1) : undefined;
        const item = scalarText(tag, last === undefined ? 'double' : styleOf(last));
        return { alternatives: [appendItem(text, own.node, item)], path, expected };
      }
      const list = { list: expected.map((t) => scalarText(t, 'double')) };
      const settings = mapGet(image, 'commonUpdateSettings');
      const splice =
        settings === undefined
          ? insertPair(text, image, 'commonUpdateSettings', { map: [['ignoreTags', list]] }, sel.doc.contents)
          : isMap(settings)
            ? insertPair(text, settings, 'ignoreTags', list, sel.doc.contents)
            : fail(`${base}.commonUpdateSettings is not a map`);
      return { alternatives: [splice], path, expected };
    },
  };
}

function holdEdit(text: string, name: string | undefined, alias: string | undefined): HoldEdit {
  const target = selectTarget(text, name);
  return target.kind === 'Application'
    ? applicationEdit(text, target, alias)
    : imageUpdaterEdit(text, target, alias);
}

export function isTagIgnored(
  text: string,
  name: string | undefined,
  alias: string | undefined,
  version: string,
): boolean {
  const tag = tagOf(version);
  return holdEdit(text, name, alias).patterns.some((p) => globMatch(p, tag));
}

export function ignoreTag(
  text: string,
  name: string | undefined,
  alias: string | undefined,
  version: string,
): string {
  const tag = tagOf(version);
  const p = holdEdit(text, name, alias);
  if (p.patterns.some((pattern) => globMatch(pattern, tag))) return text;
  const { alternatives, path, expected } = p.alternatives(tag);
  const written = firstConfirmed(text, alternatives, p.sel.index, path, expected);
  if (written === undefined) {
    fail(
      `adding ${JSON.stringify(tag)} at ${path.join('.')} does not read back as intended; nothing written`,
    );
  }
  if (!isTagIgnored(written, name, alias, version)) fail('the written ignore list does not ignore the tag');
  return written;
}
