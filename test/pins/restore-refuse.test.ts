/**
 * Issue 11, the other side: where restorePin cannot restore the whole reference byte-exactly, or
 * cannot tell what it was, PinError names the file, line, column and field, and nothing is written.
 */
import { describe, expect, it } from 'vitest';
import { type PinLocator, PinError, restorePin, stableTextIn, writePin } from '../../src/pins/index.js';
import { lines } from '../support/line-diff.js';
import {
  D1,
  D2,
  deployment,
  FILE,
  frontendTag,
  helmValues,
  kustomization,
  ociRepository,
} from './restore-fixtures.js';

describe('restorePin refuses what it cannot restore byte-exactly, naming the place', () => {
  it.each<{
    name: string;
    stable: string | null;
    current: string;
    locator: PinLocator;
    version: string;
    error: RegExp;
  }>([
    {
      name: 'a digest the candidate added inside an inline map',
      stable: lines('images:', '  - {name: frontend, newTag: v0.10.5}'),
      current: lines('images:', `  - {name: frontend, newTag: v0.10.6, digest: ${D2}}`),
      locator: frontendTag,
      version: 'v0.10.5',
      error:
        /^apps\/frontend\/pin\.yaml:2:39: .*digest changed with the candidate .*the candidate added digest: .*inline/,
    },
    {
      name: 'a digest the candidate added as the first key of its list item',
      stable: lines('images:', '  - name: frontend', '    newTag: v0.10.5'),
      current: lines('images:', `  - digest: ${D2}`, '    name: frontend', '    newTag: v0.10.6'),
      locator: frontendTag,
      version: 'v0.10.5',
      error: /pin\.yaml:2:5: .*the candidate added digest: .*opens its list item/,
    },
    {
      name: 'a regex that reaches only the tag of a reference whose registry changed too',
      stable: lines('image: ghcr.io/acme/frontend:v0.10.5'),
      current: lines('image: new-registry.example.com/frontend:v0.10.6'),
      locator: { regex: 'frontend:(?<version>v[0-9.]+)' },
      version: 'v0.10.5',
      error:
        /pin\.yaml:1:8: .*changed with the candidate .*"new-registry\.example\.com\/frontend:v0\.10\.5", which was never deployed/,
    },
    {
      name: 'a regex that reaches only the tag of a reference whose digest changed too',
      stable: lines(`image: ghcr.io/acme/frontend:v0.10.5@${D1}`),
      current: lines(`image: ghcr.io/acme/frontend:v0.10.6@${D2}`),
      locator: { regex: 'frontend:(?<version>v[0-9.]+)' },
      version: 'v0.10.5',
      error: /pin\.yaml:1:37: .*regex reaches only the version/,
    },
    {
      name: 'without the stable text: a digest beside the kustomize newTag',
      stable: null,
      current: kustomization('    newTag: v0.10.6', `    digest: ${D2}`),
      locator: frontendTag,
      version: 'v0.10.5',
      error: /pin\.yaml:9:5: .*digest: sha256:2+ stands beside newTag and takes precedence/,
    },
    {
      name: 'without the stable text: a tag beside the kustomize digest pinned',
      stable: null,
      current: kustomization('    newTag: v0.10.6', `    digest: ${D2}`),
      locator: { kustomize_image: 'frontend', field: 'digest' },
      version: D1,
      error: /pin\.yaml:8:5: .*newTag: v0\.10\.6 stands beside the digest: .*a pair never pinned/,
    },
    {
      name: 'without the stable text: a digest in an OCIRepository spec.ref',
      stable: null,
      current: ociRepository('    tag: 6.6.0', `    digest: ${D2}`),
      locator: { yaml_path: 'spec.ref.tag' },
      version: '6.5.0',
      error: /pin\.yaml:11:5: .*digest: .* stands beside tag and takes precedence/,
    },
    {
      name: 'without the stable text: a digest after a regex group',
      stable: null,
      current: lines(`image: ghcr.io/acme/frontend:v0.10.6@${D2}`),
      locator: { regex: 'frontend:(?<version>v[0-9.]+)' },
      version: 'v0.10.5',
      error: /pin\.yaml:1:8: .*a digest outside the regex group/,
    },
    {
      name: 'a reshaped file: the stable has no such node, and a digest stands beside the tag now',
      stable: lines('app:', '  image:', '    tag: 1.29.1'),
      current: helmValues('  repository: acme/frontend', '  tag: 1.29.2', `  digest: ${D2}`),
      locator: { yaml_path: 'image.tag' },
      version: '1.29.1',
      error:
        /pin\.yaml:3:3: .*does not read the pin file at the stable's pin commit the same way \(the path does not exist\), so pinback cannot tell whether repository, digest changed/,
    },
    {
      name: 'a text for the stable that holds another version',
      stable: kustomization('    newTag: v0.10.4'),
      current: kustomization('    newTag: v0.10.6'),
      locator: frontendTag,
      version: 'v0.10.5',
      error:
        /reads "v0\.10\.4" \(line 8\), not "v0\.10\.5": pass the pin file's text at the commit that pinned v0\.10\.5/,
    },
  ])('$name', ({ stable, current, locator, version, error }) => {
    expect(() => restorePin(current, stable, locator, FILE, version)).toThrow(PinError);
    expect(() => restorePin(current, stable, locator, FILE, version)).toThrow(error);
  });
});

describe('restorePin without the stable text or with a reshaped one writes the version alone where that is true', () => {
  it('a kustomize entry with newName and newTag only', () => {
    const current = kustomization('    newName: ghcr.io/acme/frontend', '    newTag: v0.10.6');
    expect(restorePin(current, null, frontendTag, FILE, 'v0.10.5')).toBe(
      writePin(current, frontendTag, 'v0.10.5', FILE),
    );
  });

  it('a container image with tag@digest: the version carries the digest', () => {
    const current = deployment(`ghcr.io/acme/frontend:v0.10.6@${D2}`);
    expect(restorePin(current, null, { container: 'frontend' }, FILE, `v0.10.5@${D1}`)).toBe(
      deployment(`ghcr.io/acme/frontend:v0.10.5@${D1}`),
    );
  });

  it('a reshaped file where the reference written stands in the stable text', () => {
    const stable = lines('containers:', '  - image: ghcr.io/acme/frontend:v0.10.5', '    name: web');
    const current = deployment('ghcr.io/acme/frontend:v0.10.6');
    expect(restorePin(current, stable, { container: 'frontend' }, FILE, 'v0.10.5')).toBe(
      deployment('ghcr.io/acme/frontend:v0.10.5'),
    );
  });

  it('a reshaped file with nothing beside the tag', () => {
    const stable = lines('app:', '  image:', '    tag: 1.29.1');
    const current = helmValues('  tag: 1.29.2');
    expect(restorePin(current, stable, { yaml_path: 'image.tag' }, FILE, '1.29.1')).toBe(
      helmValues('  tag: 1.29.1'),
    );
  });
});

describe('stableTextIn', () => {
  const at = (tag: string, digest: string) => kustomization(`    newTag: ${tag}`, `    digest: ${digest}`);
  const D3 = `sha256:${'3'.repeat(64)}`;
  // Newest first: the candidate, then the stable's run (its digest moved once), a reshaped file, older.
  const history = [
    { text: at('v0.10.6', D2) },
    { text: at('v0.10.5', D3) },
    { text: at('v0.10.5', D1) },
    { text: null },
    { text: lines('images: []') },
    { text: at('v0.10.4', D1) },
  ];

  it('is the newest text that pins the version: the file as last deployed with it', () => {
    expect(stableTextIn(history, frontendTag, FILE, 'v0.10.5')).toBe(at('v0.10.5', D3));
    expect(stableTextIn(history, frontendTag, FILE, 'v0.10.4')).toBe(at('v0.10.4', D1));
  });

  it('is null where the history read holds no such version', () => {
    expect(stableTextIn(history, frontendTag, FILE, 'v0.9.0')).toBeNull();
  });
});
