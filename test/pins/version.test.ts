import { describe, expect, it } from 'vitest';
import { describeLocator, isDigest, isValidVersion, type PinLocator } from '../../src/pins/index.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('isValidVersion accepts what a tag, digest or image reference holds', () => {
  it.each([
    ['a semver tag', '2.4.0'],
    ['a prerelease with build metadata', 'v1.0.0-rc.1+build.5'],
    ['an underscore tag', 'ubuntu_24.04'],
    ['a digest', DIGEST],
    ['a tag@digest', `v5.36.0@${DIGEST}`],
    ['an image reference with a registry port', 'localhost:5000/acme/api:v1'],
    ['an Argo CD name=reference override', 'my-app=gcr.io/my-repo/my-app:0.1'],
  ])('%s', (_, v) => {
    expect(isValidVersion(v)).toBe(true);
  });
});

describe('isValidVersion rejects values that could inject structure', () => {
  it.each([
    ['an empty string', ''],
    ['a double quote', 'v1"'],
    ['a single quote', "v1'"],
    ['a brace', 'v1}'],
    ['a Go template', '{{ .head_sha }}'],
    ['a space', 'v1 v2'],
    ['a newline', 'v1\nkind: Secret'],
    ['a CR', 'v1\r'],
    ['a tab', 'v1\t'],
    ['an env reference', '${TAG}'],
    ['a command substitution', '$(id)'],
    ['a comment marker', 'v1#x'],
    ['a leading dash (CLI option)', '-rf'],
    ['a leading dot', '.hidden'],
    ['a path walk', 'v1/../../etc'],
    ['a semver range', '>=1.0.0'],
    ['a wildcard', '*'],
    ['a semicolon', 'v1;rm'],
    ['a backtick', 'v1`x`'],
    ['a non-ASCII letter', 'vé1'],
    ['more than 512 characters', 'a'.repeat(513)],
  ])('%s', (_, v) => {
    expect(isValidVersion(v)).toBe(false);
  });
});

describe('isDigest', () => {
  it.each([
    [DIGEST, true],
    ['sha256:25a0d4', true],
    ['v1', false],
    ['nginx:latest', false],
    [`v1@${DIGEST}`, false],
  ])('%s -> %s', (v, expected) => {
    expect(isDigest(v)).toBe(expected);
  });
});

describe('describeLocator names the locator as the policy file spells it', () => {
  it.each<[PinLocator, string]>([
    [{ kustomize_image: 'ghcr.io/acme/api' }, 'kustomize_image "ghcr.io/acme/api"'],
    [{ kustomize_image: 'api', field: 'digest' }, 'kustomize_image "api" field digest'],
    [{ yaml_path: 'spec.chart.spec.version' }, 'yaml_path "spec.chart.spec.version"'],
    [
      { yaml_path: 'spec.v', match: { kind: 'HelmRelease', name: 'api' } },
      'yaml_path "spec.v" (in HelmRelease/api)',
    ],
    [{ container: 'api', match: { kind: 'Rollout' } }, 'container "api" (in Rollout/*)'],
    [{ setter: 'flux-system:api:tag' }, 'setter "flux-system:api:tag"'],
    [{ regex: 'v(?<version>\\d+)' }, 'regex /v(?<version>\\d+)/'],
  ])('%j', (locator, expected) => {
    expect(describeLocator(locator)).toBe(expected);
  });
});
