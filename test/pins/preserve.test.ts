import { describe, expect, it } from 'vitest';
import { type PinLocator, readPin, writePin } from '../../src/pins/index.js';

interface Case {
  name: string;
  text: string;
  locator: PinLocator;
  version: string;
  next: string;
  expected: string;
}

const crlfHelmRelease = [
  '---',
  'apiVersion: source.toolkit.fluxcd.io/v1',
  'kind: HelmRepository',
  'metadata:',
  '  name: podinfo',
  'spec:',
  '  url: https://stefanprodan.github.io/podinfo',
  '---',
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: podinfo',
  'spec:',
  '  chart:',
  '    spec:',
  '      chart: podinfo',
  '      version: 6.5.0 # pinned',
  '',
].join('\r\n');

const cases: Case[] = [
  {
    name: 'keeps CRLF line endings and --- separators of a multi-document Flux HelmRelease',
    text: crlfHelmRelease,
    locator: { yaml_path: 'spec.chart.spec.version', match: { kind: 'HelmRelease', name: 'podinfo' } },
    version: '6.5.0',
    next: '6.4.1',
    expected: crlfHelmRelease.replace('6.5.0', '6.4.1'),
  },
  {
    name: 'keeps 4-space indentation of Helm values',
    text: 'image:\n    repository: ghcr.io/acme/api\n    tag: 2.4.0\nreplicaCount: 2\n',
    locator: { yaml_path: 'image.tag' },
    version: '2.4.0',
    next: '2.3.3',
    expected: 'image:\n    repository: ghcr.io/acme/api\n    tag: 2.3.3\nreplicaCount: 2\n',
  },
  {
    name: 'keeps a single-quoted tag single-quoted',
    text: "image:\n  tag: 'v1'\n",
    locator: { yaml_path: 'image.tag' },
    version: 'v1',
    next: 'v2',
    expected: "image:\n  tag: 'v2'\n",
  },
  {
    name: 'keeps a double-quoted tag double-quoted',
    text: 'image:\n  tag: "v1"\n',
    locator: { yaml_path: 'image.tag' },
    version: 'v1',
    next: 'v2',
    expected: 'image:\n  tag: "v2"\n',
  },
  {
    name: 'keeps a comment after the value',
    text: 'image:\n  tag: v1 # {"$imagepolicy": "flux-system:api:tag"} keep me\n',
    locator: { yaml_path: 'image.tag' },
    version: 'v1',
    next: 'v0.9',
    expected: 'image:\n  tag: v0.9 # {"$imagepolicy": "flux-system:api:tag"} keep me\n',
  },
  {
    name: 'keeps trailing whitespace after the value',
    text: 'image:\n  tag: v1   \t\n  pullPolicy: IfNotPresent  \n',
    locator: { yaml_path: 'image.tag' },
    version: 'v1',
    next: 'v2',
    expected: 'image:\n  tag: v2   \t\n  pullPolicy: IfNotPresent  \n',
  },
  {
    name: 'keeps a byte-order mark at the start of the file',
    text: '\uFEFFimage:\n  tag: v1\n',
    locator: { yaml_path: 'image.tag' },
    version: 'v1',
    next: 'v2',
    expected: '\uFEFFimage:\n  tag: v2\n',
  },
  {
    name: 'keeps a file without a trailing newline',
    text: 'image:\n  tag: v1',
    locator: { yaml_path: 'image.tag' },
    version: 'v1',
    next: 'v2',
    expected: 'image:\n  tag: v2',
  },
  {
    name: 'keeps flow style: a value inside { } is rewritten in place',
    text: 'image: {repository: ghcr.io/acme/api, tag: "1.0.0"}  # flow\n',
    locator: { yaml_path: 'image.tag' },
    version: '1.0.0',
    next: '0.9.0',
    expected: 'image: {repository: ghcr.io/acme/api, tag: "0.9.0"}  # flow\n',
  },
  {
    name: 'keeps non-ASCII comments before the value',
    text: '# 배포 설정 — ünïcode\nimage:\n  tag: v1 # 태그\n',
    locator: { yaml_path: 'image.tag' },
    version: 'v1',
    next: 'v2',
    expected: '# 배포 설정 — ünïcode\nimage:\n  tag: v2 # 태그\n',
  },
  {
    name: 'fills an empty quoted value between its quotes',
    text: 'image:\n  digest: ""\n',
    locator: { yaml_path: 'image.digest' },
    version: '',
    next: `sha256:${'ab'.repeat(32)}`,
    expected: `image:\n  digest: "sha256:${'ab'.repeat(32)}"\n`,
  },
  {
    name: 'fills an empty plain value with a space after the colon',
    text: 'image:\n  tag:\n  pullPolicy: Always\n',
    locator: { yaml_path: 'image.tag' },
    version: '',
    next: 'v1',
    expected: 'image:\n  tag: v1\n  pullPolicy: Always\n',
  },
];

describe('writePin preserves every byte but the version', () => {
  it.each(cases)('$name', ({ text, locator, version, next, expected }) => {
    expect(readPin(text, locator, 'f.yaml').version).toBe(version);
    const written = writePin(text, locator, next, 'f.yaml');
    expect(written).toBe(expected);
    expect(readPin(written, locator, 'f.yaml').version).toBe(next);
    if (version !== '') expect(writePin(written, locator, version, 'f.yaml')).toBe(text);
  });
});

describe('readPin reports where the version stands', () => {
  it('gives 1-based line and column and the string indices of the version', () => {
    const text = 'a: 1\r\nimage:\r\n  tag: "v1.2"\r\n';
    const loc = readPin(text, { yaml_path: 'image.tag' }, 'f.yaml');
    expect(loc).toEqual({
      version: 'v1.2',
      start: text.indexOf('v1.2'),
      end: text.indexOf('v1.2') + 4,
      line: 3,
      column: 9,
    });
  });
});
