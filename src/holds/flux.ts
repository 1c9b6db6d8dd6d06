import { isMap, isScalar, type Node } from 'yaml';
import { firstConfirmed, insertPair, replaceScalar } from './edit.js';
import {
  excludeFromRange,
  goExpand,
  parseFluxSemver,
  rangeExcludes,
  re2ToRegExp,
  type SemVer,
} from './semver.js';
import { fail } from '../pins/errors.js';
import { mapGet, parseYaml, scalarString, type YamlDoc } from '../pins/yaml-doc.js';

export interface Selected {
  doc: YamlDoc;
  index: number;
}

function nameOf(doc: YamlDoc): string | undefined {
  return scalarString(mapGet(mapGet(doc.contents, 'metadata'), 'name'));
}

/** The one document of `kind` (named `name` when given); the error lists what the file holds instead. */
export function selectKind(text: string, kinds: readonly string[], name: string | undefined): Selected {
  const all = parseYaml(text).map((doc, index) => ({ doc, index }));
  const ofKind = all.filter(({ doc }) => kinds.includes(scalarString(mapGet(doc.contents, 'kind')) ?? ''));
  const kindText = kinds.join(' or ');
  if (ofKind.length === 0) fail(`the file has no ${kindText}`);
  const chosen = name === undefined ? ofKind : ofKind.filter(({ doc }) => nameOf(doc) === name);
  const names = ofKind.map(({ doc }) => JSON.stringify(nameOf(doc) ?? '(no metadata.name)')).join(', ');
  if (chosen.length === 0) fail(`no ${kindText} has metadata.name ${JSON.stringify(name)} (found ${names})`);
  if (chosen.length > 1) {
    fail(
      name === undefined
        ? `the file has ${chosen.length} documents of kind ${kindText} (${names}); set name`
        : `${chosen.length} documents of kind ${kindText} are named ${JSON.stringify(name)}`,
    );
  }
  return chosen[0]!;
}

function confirmOrFail(
  text: string,
  alternatives: ReturnType<typeof replaceScalar>,
  sel: Selected,
  path: (string | number)[],
  expected: unknown,
): string {
  const written = firstConfirmed(text, alternatives, sel.index, path, expected);
  if (written === undefined) {
    fail(
      `setting ${path.join('.')} to ${JSON.stringify(expected)} does not read back as intended; nothing written`,
    );
  }
  return written;
}

// ---------------------------------------------------------------------------------------------------
// ImagePolicy (image.toolkit.fluxcd.io/v1beta2 and v1)

const IMAGE_POLICY = ['ImagePolicy'] as const;

interface SemverPolicy {
  sel: Selected;
  range: Node;
  /** The value the policy compares: the tag, or what filterTags.extract makes of it. */
  compared: SemVer;
}

/** The tag part of a version (`2.4.0@sha256:…` is the tag 2.4.0); a bare digest has no tag to exclude. */
export function tagOf(version: string): string {
  const at = version.indexOf('@');
  const tag = at === -1 ? version : version.slice(0, at);
  if (tag === '' || /^sha(?:256|384|512):/.test(tag)) {
    fail(`${JSON.stringify(version)} is a digest; a tag-selecting automation cannot exclude it`);
  }
  return tag;
}

function semverPolicy(text: string, name: string | undefined, version: string): SemverPolicy {
  const sel = selectKind(text, IMAGE_POLICY, name);
  const spec = mapGet(sel.doc.contents, 'spec');
  const policy = mapGet(spec, 'policy');
  if (!isMap(policy)) fail('the ImagePolicy has no spec.policy');
  const semver = mapGet(policy, 'semver');
  if (semver === undefined) {
    const kind = ['alphabetical', 'numerical'].find((k) => mapGet(policy, k) !== undefined) ?? 'non-semver';
    fail(
      `the ImagePolicy uses a${kind === 'alphabetical' ? 'n' : ''} ${kind} policy, which cannot exclude one ` +
        'tag: Flux has no exclude field, and filterTags.pattern is Go RE2, which has no lookahead. ' +
        'Hold it with flux_image_update_automation (spec.suspend: true) instead',
    );
  }
  const range = mapGet(semver, 'range');
  if (!isScalar(range)) fail('the ImagePolicy has no spec.policy.semver.range');
  const tag = tagOf(version);
  const filter = mapGet(spec, 'filterTags');
  const extract = scalarString(mapGet(filter, 'extract')) ?? '';
  const pattern = scalarString(mapGet(filter, 'pattern'));
  let compared = tag;
  if (extract !== '' && pattern !== undefined) {
    const extracted = goExpand(re2ToRegExp(pattern), extract, tag);
    if (extracted === undefined) {
      fail(`filterTags.pattern does not match ${JSON.stringify(tag)}: this policy never selects it`);
    }
    compared = extracted;
  }
  const parsed = parseFluxSemver(compared);
  if (!parsed) {
    fail(
      `${JSON.stringify(compared)}${compared === tag ? '' : ` (extracted from ${JSON.stringify(tag)})`} is not ` +
        'MAJOR.MINOR.PATCH semver: a semver policy never selects it',
    );
  }
  return { sel, range, compared: parsed };
}

export function isPolicyHeld(text: string, name: string | undefined, version: string): boolean {
  const { range, compared } = semverPolicy(text, name, version);
  return rangeExcludes(String((range as { value: unknown }).value), compared);
}

export function holdPolicy(text: string, name: string | undefined, version: string): string {
  const { sel, range, compared } = semverPolicy(text, name, version);
  const current = String((range as { value: unknown }).value);
  if (rangeExcludes(current, compared)) return text;
  const next = excludeFromRange(current, compared);
  const written = confirmOrFail(
    text,
    replaceScalar(text, range, next, 'spec.policy.semver.range'),
    sel,
    ['spec', 'policy', 'semver', 'range'],
    next,
  );
  if (!isPolicyHeld(written, name, version)) fail('the written range does not exclude the version');
  return written;
}

// ---------------------------------------------------------------------------------------------------
// ImageUpdateAutomation (image.toolkit.fluxcd.io/v1beta1, v1beta2, v1)

const IMAGE_UPDATE_AUTOMATION = ['ImageUpdateAutomation'] as const;
// Kubernetes reads manifests with YAML 1.1 booleans (sigs.k8s.io/yaml over go-yaml).
const YAML11_TRUE = /^(?:true|True|TRUE|yes|Yes|YES|on|On|ON|y|Y)$/;

function automationSpec(text: string, name: string | undefined): { sel: Selected; spec: Node } {
  const sel = selectKind(text, IMAGE_UPDATE_AUTOMATION, name);
  const spec = mapGet(sel.doc.contents, 'spec');
  if (!isMap(spec)) fail('the ImageUpdateAutomation has no spec map');
  return { sel, spec };
}

function suspendValue(spec: Node): { node: Node | null | undefined; on: boolean } {
  const node = mapGet(spec, 'suspend');
  if (node !== undefined && node !== null && !isScalar(node)) fail('spec.suspend is not a scalar');
  if (isScalar(node) && node.type !== 'PLAIN') {
    fail('spec.suspend is quoted or a block scalar: a string is not a boolean; write it unquoted');
  }
  return { node, on: isScalar(node) && YAML11_TRUE.test(String(node.value)) };
}

export function isAutomationSuspended(text: string, name: string | undefined): boolean {
  return suspendValue(automationSpec(text, name).spec).on;
}

export function suspendAutomation(text: string, name: string | undefined): string {
  const { sel, spec } = automationSpec(text, name);
  const { node, on } = suspendValue(spec);
  if (on) return text;
  const alternatives =
    node === undefined || node === null
      ? [insertPair(text, spec, 'suspend', { scalar: 'true' }, sel.doc.contents)]
      : replaceScalar(text, node, 'true', 'spec.suspend', 'token');
  const written = confirmOrFail(text, alternatives, sel, ['spec', 'suspend'], 'true');
  if (!isAutomationSuspended(written, name)) fail('the written spec.suspend does not read as true');
  return written;
}
