/**
 * restorePin on the real-world corpus: every concrete pin rolled back to the original bytes, and the
 * files where a digest or an image name stands beside the version rolled back with them.
 */
import { describe, expect, it } from 'vitest';
import { isValidVersion, PinError, type PinLocator, restorePin, writePin } from '../../src/pins/index.js';
import { corpusPins, corpusPresent, corpusText, newValueLike } from '../support/corpus.js';
import { lineDiff } from '../support/line-diff.js';

const present = corpusPresent();
const pins = corpusPins().filter((p) => p.version !== '' && isValidVersion(p.version));
const D2 = `sha256:${'2'.repeat(64)}`;

describe.skipIf(!present)('restorePin on the corpus', () => {
  it.each(pins)('restores the original bytes after a version-only candidate: $name', (pin) => {
    const original = corpusText(pin.file);
    const candidate = writePin(original, pin.pinback, newValueLike(pin.version), pin.file);
    expect(restorePin(candidate, original, pin.pinback, pin.file, pin.version)).toBe(original);
  });

  const FLUX2 = 'fluxcd__flux2/tests/image-automation/kustomization.yaml';
  const podinfo = 'ghcr.io/stefanprodan/podinfo';
  const byTag: PinLocator = { kustomize_image: podinfo, field: 'newTag' };

  /** The image bot's commit: new name, new tag and new digest in one entry. */
  function botCommit(text: string): string {
    let t = writePin(text, byTag, '6.9.0', FLUX2);
    t = writePin(t, { kustomize_image: podinfo, field: 'digest' }, D2, FLUX2);
    return writePin(t, { setter: 'flux-system:podinfo:name' }, 'registry.example.com/podinfo', FLUX2);
  }

  it('flux2 image automation: newName, newTag and digest of one entry go back together', () => {
    const original = corpusText(FLUX2);
    const candidate = botCommit(original);
    expect(lineDiff(original, candidate).removed).toHaveLength(3);
    expect(restorePin(candidate, original, byTag, FLUX2, '6.8.0')).toBe(original);
    expect(restorePin(candidate, original, { setter: 'flux-system:podinfo:tag' }, FLUX2, '6.8.0')).toBe(
      original,
    );
    // What the issue saw: the tag back, the candidate's digest and registry kept.
    expect(writePin(candidate, byTag, '6.8.0', FLUX2)).not.toBe(original);
  });

  it('flux2 image automation: without the stable text, the digest beside newTag is refused', () => {
    const candidate = botCommit(corpusText(FLUX2));
    expect(() => restorePin(candidate, null, byTag, FLUX2, '6.8.0')).toThrow(PinError);
    expect(() => restorePin(candidate, null, byTag, FLUX2, '6.8.0')).toThrow(
      new RegExp(`^${FLUX2.replace(/[.]/g, '\\.')}:11:5: .*digest: sha256:2+ stands beside newTag`),
    );
  });

  it('Bitnami values: a digest set beside the tag goes back to the empty digest', () => {
    const file = 'bitnami__charts/bitnami/nginx/values.yaml';
    const original = corpusText(file);
    let candidate = writePin(original, { yaml_path: 'image.tag' }, '1.29.2-debian-12-r0', file);
    candidate = candidate.replace(
      '  tag: 1.29.2-debian-12-r0\n  digest: ""',
      `  tag: 1.29.2-debian-12-r0\n  digest: "${D2}"`,
    );
    expect(lineDiff(original, candidate).removed).toEqual(['  tag: 1.29.1-debian-12-r0', '  digest: ""']);
    expect(restorePin(candidate, original, { yaml_path: 'image.tag' }, file, '1.29.1-debian-12-r0')).toBe(
      original,
    );
  });

  it('an OCIRepository whose candidate added a digest to spec.ref', () => {
    const file = 'bjw-s-labs__home-ops/kubernetes/apps/downloads/radarr/app/ocirepository.yaml';
    const locator = { yaml_path: 'spec.ref.tag', match: { kind: 'OCIRepository', name: 'radarr' } };
    const original = corpusText(file);
    const candidate = original.replace('    tag: 5.1.0\n', `    tag: 5.2.0\n    digest: ${D2}\n`);
    expect(candidate).not.toBe(original);
    expect(restorePin(candidate, original, locator, file, '5.1.0')).toBe(original);
  });

  it('a container image tag@digest whose registry moved with the candidate', () => {
    const file = 'dependabot__dependabot-core/docker/spec/fixtures/kubernetes/yaml/digest_and_tag.yaml';
    const original = corpusText(file);
    const candidate = writePin(original, { container: 'ubuntu' }, `14.04@${D2}`, file).replace(
      'image: ubuntu:',
      'image: registry.example.com/ubuntu:',
    );
    const version = '12.04.5@sha256:18305429afa14ea462f810146ba44d4363ae76e4c8dfc38288cf73aa07485005';
    expect(restorePin(candidate, original, { container: 'ubuntu' }, file, version)).toBe(original);
  });
});
