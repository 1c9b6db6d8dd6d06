/**
 * Locators that fit nothing say what they found and what to write instead (issue 11): a regex's
 * anchors are per line, a yaml_path ending on an alias names its anchor, a kustomize_image given a
 * newName names the entry's name.
 */
import { describe, expect, it } from 'vitest';
import { PinError, type PinLocator, readPin, writePin } from '../../src/pins/index.js';

const failure = (text: string, locator: PinLocator, file = 'f.yaml'): string => {
  try {
    readPin(text, locator, file);
  } catch (e) {
    if (e instanceof PinError) return e.message;
    throw e;
  }
  throw new Error('expected a PinError');
};

describe('regex: ^ and $ stand at line boundaries (flag m)', () => {
  const env = 'APP=api\nIMAGE_TAG=1.4.2\nDEBUG=0\n';
  const locator = { regex: '^IMAGE_TAG=(?<version>\\S+)$' };

  it('a ^…$ pattern matches its line in the middle of a file', () => {
    expect(readPin(env, locator, '.env')).toMatchObject({ version: '1.4.2', line: 2, column: 11 });
    expect(writePin(env, locator, '1.4.1', '.env')).toBe('APP=api\nIMAGE_TAG=1.4.1\nDEBUG=0\n');
  });

  it('and in a file whose lines end with \\r\\n, which stay', () => {
    const crlf = env.replaceAll('\n', '\r\n');
    expect(readPin(crlf, locator, '.env').version).toBe('1.4.2');
    expect(writePin(crlf, locator, '1.4.1', '.env')).toBe(crlf.replace('1.4.2', '1.4.1'));
  });

  it('a ^ that now fits two lines is ambiguous, not the first', () => {
    expect(failure('FROM node:20 AS build\nFROM node:20\n', { regex: '^FROM node:(?<version>\\S+)' })).toBe(
      'f.yaml: regex /^FROM node:(?<version>\\S+)/: the regex matches 2 times (lines 1, 2); it must match once',
    );
  });

  it('a pattern that matches nothing says what it searched, how, and what to check', () => {
    expect(failure(env, { regex: '^IMAGE_TAG: (?<version>\\S+)$' }, '.env')).toBe(
      '.env: regex /^IMAGE_TAG: (?<version>\\S+)$/: the regex matches nothing: searched all 3 lines of the ' +
        'file as a JavaScript RegExp with flag m (^ and $ match at every line\'s start and end, "." does not ' +
        'cross a line break, case matters); check the anchors, and escape what is meant literally ' +
        '(. + * ? ( ) [ ] { } | \\ ^ $)',
    );
  });
});

describe('yaml_path on an alias names the anchor and the path to write', () => {
  const text = 'base:\n  tag: &tag v1.2.0\nimage:\n  tag: *tag\n';

  it('a path that ends on an alias', () => {
    expect(failure(text, { yaml_path: 'image.tag' })).toBe(
      'f.yaml: yaml_path "image.tag": the path ends at the alias *tag, whose anchor &tag is at 2:8; ' +
        'point the path at the anchored value (yaml_path: base.tag): a rollback writes the anchored ' +
        'value, and every *tag follows it',
    );
    // What it suggests reads the same version.
    expect(readPin(text, { yaml_path: 'base.tag' }, 'f.yaml').version).toBe('v1.2.0');
  });

  it('a path that runs through an alias of a map', () => {
    const maps = 'defaults: &d\n  image:\n    tag: v1\napi: *d\n';
    expect(failure(maps, { yaml_path: 'api.image.tag' })).toBe(
      'f.yaml: yaml_path "api.image.tag": the path runs through the alias *d, whose anchor &d is at 1:11; ' +
        'point the path at the anchored value (yaml_path: defaults.image.tag): a rollback writes the ' +
        'anchored value, and every *d follows it',
    );
  });

  it('a [key=VALUE] item that is an alias, in a list', () => {
    const list = 'all:\n  - &api\n    name: api\n    tag: v1\nused:\n  - *api\n';
    expect(failure(list, { yaml_path: 'used[name=api].tag' })).toBe(
      'f.yaml: yaml_path "used[name=api].tag": [name=api] is the alias *api, whose anchor &api is at 2:5; ' +
        'point the path at the anchored value (yaml_path: all[0].tag): a rollback writes the anchored ' +
        'value, and every *api follows it',
    );
  });

  it('an anchor whose name starts another anchor name is told apart', () => {
    const similar = 'a: &tagx v0\nb: &tag v1\nc: *tag\n';
    expect(failure(similar, { yaml_path: 'c' })).toMatch(/whose anchor &tag is at 2:4; .*\(yaml_path: b\)/);
  });
});

describe('kustomize_image given a newName', () => {
  const text =
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n' +
    '  - name: api\n    newName: ghcr.io/acme/api\n    newTag: 2.4.0\n';

  it('names the entry whose newName it is, and the name to use', () => {
    expect(failure(text, { kustomize_image: 'ghcr.io/acme/api' }, 'kustomization.yaml')).toBe(
      'kustomization.yaml: kustomize_image "ghcr.io/acme/api": no images entry has that name; found it as ' +
        'the newName of the entry named "api" (5:14): kustomize_image takes an entry\'s name (the image ' +
        'the manifests use), not its newName: use kustomize_image: api',
    );
    expect(readPin(text, { kustomize_image: 'api' }, 'kustomization.yaml').version).toBe('2.4.0');
  });

  it("a name that is nobody's newName either keeps the short message", () => {
    expect(failure(text, { kustomize_image: 'ghcr.io/acme/web' }, 'kustomization.yaml')).toBe(
      'kustomization.yaml: kustomize_image "ghcr.io/acme/web": no images entry has that name',
    );
  });
});
