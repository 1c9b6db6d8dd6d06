import { isMap, isSeq, type YAMLMap } from 'yaml';
import { fail, quote } from './errors.js';
import { scalarSpan } from './scalar.js';
import { lineColumn, lineOf, refuseEither, type Span } from './span.js';
import { isDigest } from './version.js';
import { mapGet, parseYaml, scalarString, selectDocs } from './yaml-doc.js';

/** The one `images:` entry named `name`, across every document of the file. */
export function kustomizeEntry(text: string, name: string): YAMLMap {
  const lists = selectDocs(parseYaml(text), undefined)
    .map((doc) => mapGet(doc.contents, 'images'))
    .filter((node) => isSeq(node));
  if (lists.length === 0) fail('the file has no images: list');
  const entries = lists.flatMap((list) =>
    list.items.filter((item): item is YAMLMap => isMap(item) && scalarString(mapGet(item, 'name')) === name),
  );
  if (entries.length === 0) {
    const renamed = lists.flatMap((list) =>
      list.items.filter(
        (item): item is YAMLMap => isMap(item) && scalarString(mapGet(item, 'newName')) === name,
      ),
    );
    if (renamed.length > 0) fail(newNameGiven(text, renamed));
    fail('no images entry has that name');
  }
  if (entries.length > 1) {
    const lines = entries.map((e) => (e.range ? lineOf(text, e.range[0]) : '?'));
    fail(`${entries.length} images entries have that name (lines ${lines.join(', ')})`);
  }
  return entries[0]!;
}

/**
 * The locator names an entry by the image it becomes (its `newName`) rather than the image it
 * replaces (its `name`, which kustomize matches in the manifests): say which name to use.
 */
function newNameGiven(text: string, entries: YAMLMap[]): string {
  const found = entries.map((entry) => {
    const value = mapGet(entry, 'newName');
    const at = value?.range ? lineColumn(text, value.range[0]) : undefined;
    return { name: scalarString(mapGet(entry, 'name')), where: at ? ` (${at.line}:${at.column})` : '' };
  });
  const which = found
    .map(
      (f) =>
        `${f.name === undefined ? 'an entry with no name' : `the entry named ${quote(f.name)}`}${f.where}`,
    )
    .join(' and ');
  const use = found.flatMap((f) => (f.name === undefined ? [] : [`kustomize_image: ${f.name}`]));
  return (
    `no images entry has that name; found it as the newName of ${which}: kustomize_image takes an entry's ` +
    `name (the image the manifests use), not its newName${use.length > 0 ? `: use ${use.join(' or ')}` : ''}`
  );
}

/** The field a kustomize_image locator reads: `field`, or the one of newTag and digest the entry sets. */
export function kustomizeField(entry: YAMLMap, field: 'newTag' | 'digest' | undefined): 'newTag' | 'digest' {
  const has = (key: string) => mapGet(entry, key) !== undefined;
  let chosen = field;
  if (!chosen) {
    if (has('newTag') && has('digest'))
      fail('the entry sets both newTag and digest; set field: newTag or digest');
    if (!has('newTag') && !has('digest')) fail('the entry sets neither newTag nor digest');
    chosen = has('newTag') ? 'newTag' : 'digest';
  }
  if (!has(chosen)) fail(`the entry has no ${chosen}`);
  return chosen;
}

export function locateKustomizeImage(
  text: string,
  name: string,
  field: 'newTag' | 'digest' | undefined,
): Span {
  const entry = kustomizeEntry(text, name);
  const chosen = kustomizeField(entry, field);
  const span = scalarSpan(text, mapGet(entry, chosen), chosen);
  const wantsDigest = chosen === 'digest';
  return {
    ...span,
    refuse: refuseEither(span.refuse, (next) =>
      isDigest(next) === wantsDigest
        ? undefined
        : wantsDigest
          ? `${quote(next)} is not a digest (sha256:…), which digest: must hold`
          : `${quote(next)} is a digest; kustomize reads it from digest:, not newTag:`,
    ),
  };
}
