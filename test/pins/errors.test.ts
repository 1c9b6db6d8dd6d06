import { describe, expect, it } from 'vitest';
import { PinError, type PinLocator, readPin, writePin } from '../../src/pins/index.js';

const twoDocs = (body: string) => `${body}---\n${body}`;
const deployment = (container: string, image: string) =>
  `kind: Deployment\nmetadata:\n  name: ${container}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${container}\n          image: ${image}\n`;

interface ErrorCase {
  name: string;
  text: string;
  locator: PinLocator;
  message: RegExp;
}

const ambiguous: ErrorCase[] = [
  {
    name: 'a yaml_path that exists in two documents without match',
    text: twoDocs('image:\n  tag: v1\n'),
    locator: { yaml_path: 'image.tag' },
    message: /exists in 2 YAML documents; add match/,
  },
  {
    name: 'a match that selects two documents',
    text: twoDocs('kind: HelmRelease\nmetadata:\n  name: api\nspec:\n  v: "1"\n'),
    locator: { yaml_path: 'spec.v', match: { kind: 'HelmRelease', name: 'api' } },
    message: /exists in 2 YAML documents/,
  },
  {
    name: 'a [key=VALUE] selector that fits two list items',
    text: 'images:\n  - name: a\n    newTag: v1\n  - name: a\n    newTag: v2\n',
    locator: { yaml_path: 'images[name=a].newTag' },
    message: /matches 2 list items \(lines 2, 4\)/,
  },
  {
    name: 'a container name used in two workloads',
    text: `${deployment('api', 'ghcr.io/acme/api:v1')}---\n${deployment('api', 'ghcr.io/acme/api:v2')}`,
    locator: { container: 'api' },
    message: /2 containers have that name \(lines 8, 18\)/,
  },
  {
    name: 'a kustomize image listed twice',
    text: 'images:\n  - name: api\n    newTag: v1\n  - name: api\n    newTag: v2\n',
    locator: { kustomize_image: 'api' },
    message: /2 images entries have that name/,
  },
  {
    name: 'a setter marker on two values',
    text: 'a: v1 # {"$imagepolicy": "ns:p:tag"}\nb: v1 # {"$imagepolicy": "ns:p:tag"}\n',
    locator: { setter: 'ns:p:tag' },
    message: /2 values carry the marker \(lines 1, 2\)/,
  },
  {
    name: 'a regex that matches twice',
    text: 'FROM node:20.1.0\nFROM node:20.1.0\n',
    locator: { regex: 'node:(?<version>\\S+)' },
    message: /matches 2 times \(lines 1, 2\)/,
  },
];

const missing: ErrorCase[] = [
  {
    name: 'a kustomize image that is not listed',
    text: 'images:\n  - name: ghcr.io/acme/web\n    newTag: v1\n',
    locator: { kustomize_image: 'ghcr.io/acme/api' },
    message:
      /^apps\/x\/kustomization\.yaml: kustomize_image "ghcr\.io\/acme\/api": no images entry has that name$/,
  },
  {
    name: 'a file with no images list for kustomize_image',
    text: 'resources:\n  - a.yaml\n',
    locator: { kustomize_image: 'api' },
    message: /no images: list/,
  },
  {
    name: 'a yaml_path that is not there',
    text: 'image:\n  repository: x\n',
    locator: { yaml_path: 'image.tag' },
    message: /yaml_path "image\.tag": the path does not exist/,
  },
  {
    name: 'a match that selects no document',
    text: 'kind: HelmRelease\nmetadata:\n  name: web\n',
    locator: { yaml_path: 'spec.x', match: { kind: 'HelmRelease', name: 'api' } },
    message: /\(in HelmRelease\/api\): no YAML document has that kind and metadata\.name/,
  },
  {
    name: 'an index past the end of a list',
    text: 'images: [a, b]\n',
    locator: { yaml_path: 'images[2]' },
    message: /the path does not exist/,
  },
  {
    name: 'a container that is not there',
    text: deployment('web', 'ghcr.io/acme/web:v1'),
    locator: { container: 'api' },
    message: /container "api": no container has that name/,
  },
  {
    name: 'a setter marker that is not there',
    text: 'tag: v1 # {"$imagepolicy": "ns:other:tag"}\n',
    locator: { setter: 'ns:p:tag' },
    message: /no value carries the marker/,
  },
  {
    name: 'a regex that matches nothing',
    text: 'FROM node:20\n',
    locator: { regex: 'python:(?<version>\\S+)' },
    message: /regex \/python:\(\?<version>\\S\+\)\/: the regex matches nothing/,
  },
];

const unreadable: ErrorCase[] = [
  {
    name: 'a block scalar',
    text: 'image:\n  tag: |\n    v1\n',
    locator: { yaml_path: 'image.tag' },
    message: /block scalar/,
  },
  {
    name: 'a double-quoted value written with escapes',
    text: 'image:\n  tag: "v\\x31"\n',
    locator: { yaml_path: 'image.tag' },
    message: /escapes/,
  },
  {
    name: 'a plain value folded over two lines',
    text: 'image:\n  tag: v1\n    more\n',
    locator: { yaml_path: 'image.tag' },
    message: /spans several lines/,
  },
  {
    name: 'a path that ends at a map',
    text: 'image:\n  tag: v1\n',
    locator: { yaml_path: 'image' },
    message: /a map or list, not a scalar/,
  },
  {
    name: 'a path through an alias',
    text: 'base: &b\n  tag: v1\nimage: *b\n',
    locator: { yaml_path: 'image.tag' },
    message: /runs through the alias \*b/,
  },
  {
    name: 'a path that does not parse',
    text: 'a: 1\n',
    locator: { yaml_path: 'a..b' },
    message: /cannot parse the path at character 2/,
  },
  {
    name: 'a file that is not valid YAML',
    text: 'image:\n  tag: [v1\n',
    locator: { yaml_path: 'image.tag' },
    message: /not valid YAML at line/,
  },
  {
    name: 'a container image without tag or digest',
    text: deployment('api', 'localhost:5000/acme/api'),
    locator: { container: 'api' },
    message: /has no tag or digest: nothing to roll back/,
  },
  {
    name: 'a kustomize entry with both newTag and digest and no field',
    text: `images:\n  - name: api\n    newTag: v1\n    digest: sha256:${'a'.repeat(64)}\n`,
    locator: { kustomize_image: 'api' },
    message: /sets both newTag and digest; set field: newTag or digest/,
  },
  {
    name: 'a regex without a version group',
    text: 'FROM node:20\n',
    locator: { regex: 'node:(\\S+)' },
    message: /needs a named group \(\?<version>/,
  },
  {
    name: 'a regex that does not compile',
    text: 'x',
    locator: { regex: '(?<version>[' },
    message: /not a valid regular expression/,
  },
  {
    name: 'a setter that is not NAMESPACE:POLICY',
    text: 'x: y\n',
    locator: { setter: 'just-a-policy' },
    message: /a setter is NAMESPACE:POLICY/,
  },
  {
    name: 'a locator with two keys',
    text: 'x: y\n',
    locator: { yaml_path: 'x', regex: '(?<version>y)' } as unknown as PinLocator,
    message: /a pin takes exactly one of/,
  },
];

describe('readPin refuses to guess when the locator fits more than one place', () => {
  it.each(ambiguous)('$name', ({ text, locator, message }) => {
    expect(() => readPin(text, locator, 'f.yaml')).toThrow(PinError);
    expect(() => readPin(text, locator, 'f.yaml')).toThrow(message);
  });
});

describe('readPin fails when the locator fits nothing', () => {
  it.each(missing)('$name', ({ text, locator, message }) => {
    expect(() => readPin(text, locator, 'apps/x/kustomization.yaml')).toThrow(PinError);
    expect(() => readPin(text, locator, 'apps/x/kustomization.yaml')).toThrow(message);
  });
});

describe('readPin fails on values that are not a single-range pin', () => {
  it.each(unreadable)('$name', ({ text, locator, message }) => {
    expect(() => readPin(text, locator, 'f.yaml')).toThrow(PinError);
    expect(() => readPin(text, locator, 'f.yaml')).toThrow(message);
  });
});

describe('writePin refuses a value that cannot stand in the pin as written', () => {
  const refusals: { name: string; text: string; locator: PinLocator; next: string; message: RegExp }[] = [
    {
      name: 'a plain string pin that would turn into a number',
      text: 'chart:\n  version: v1.9\n',
      locator: { yaml_path: 'chart.version' },
      next: '1.10',
      message: /would not read as a string in YAML; quote the value/,
    },
    {
      name: 'a plain string pin that YAML 1.1 tooling would read as a timestamp',
      text: 'image:\n  tag: v2024-02-01\n',
      locator: { yaml_path: 'image.tag' },
      next: '2024-01-01',
      message: /would not read as a string/,
    },
    {
      name: 'a tag in a kustomize digest field',
      text: `images:\n  - name: api\n    digest: sha256:${'a'.repeat(64)}\n`,
      locator: { kustomize_image: 'api' },
      next: 'v1',
      message: /is not a digest/,
    },
    {
      name: 'a bare digest in a kustomize newTag field',
      text: 'images:\n  - name: api\n    newTag: v1\n',
      locator: { kustomize_image: 'api' },
      next: `sha256:${'a'.repeat(64)}`,
      message: /kustomize reads it from digest:/,
    },
    {
      name: 'a value the regex no longer matches after the write',
      text: 'FROM node:20.1.0\n',
      locator: { regex: 'node:(?<version>\\d+\\.\\d+\\.\\d+)' },
      next: 'latest',
      message: /would break the pin: .*matches nothing/,
    },
    {
      name: 'a value that is not a version',
      text: 'tag: v1\n',
      locator: { yaml_path: 'tag' },
      next: '${IMAGE_TAG}',
      message: /^f\.yaml: yaml_path "tag": refusing to write "\$\{IMAGE_TAG\}"/,
    },
  ];
  it.each(refusals)('$name', ({ text, locator, next, message }) => {
    expect(() => writePin(text, locator, next, 'f.yaml')).toThrow(PinError);
    expect(() => writePin(text, locator, next, 'f.yaml')).toThrow(message);
  });

  it('still writes a string that reads as a string into a plain pin', () => {
    expect(writePin('chart:\n  version: v1.9\n', { yaml_path: 'chart.version' }, '1.10.0', 'f.yaml')).toBe(
      'chart:\n  version: 1.10.0\n',
    );
  });

  it('writes a number-like value into a quoted pin', () => {
    expect(writePin('chart:\n  version: "1.9"\n', { yaml_path: 'chart.version' }, '1.10', 'f.yaml')).toBe(
      'chart:\n  version: "1.10"\n',
    );
  });
});

describe('readPin takes locators built from optional config fields', () => {
  it('ignores locator keys whose value is undefined', () => {
    const locator = {
      kustomize_image: undefined,
      yaml_path: 'tag',
      match: undefined,
    } as unknown as PinLocator;
    expect(readPin('tag: v1\n', locator, 'f.yaml').version).toBe('v1');
  });

  it('rejects a locator with no key at all', () => {
    expect(() => readPin('tag: v1\n', {} as PinLocator, 'f.yaml')).toThrow(/a pin takes exactly one of/);
  });
});
