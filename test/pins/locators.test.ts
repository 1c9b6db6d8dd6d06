import { describe, expect, it } from 'vitest';
import { type PinLocator, readPin, writePin } from '../../src/pins/index.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const OTHER_DIGEST = `sha256:${'fedcba9876543210'.repeat(4)}`;

interface Case {
  name: string;
  text: string;
  locator: PinLocator;
  version: string;
  next: string;
  expected: string;
}

function check({ text, locator, version, next, expected }: Case): void {
  expect(readPin(text, locator, 'f.yaml').version).toBe(version);
  const written = writePin(text, locator, next, 'f.yaml');
  expect(written).toBe(expected);
  expect(readPin(written, locator, 'f.yaml').version).toBe(next);
}

const kustomize = (entry: string) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nimages:\n  - name: api\n${entry}`;

describe('kustomize_image', () => {
  it.each<Case>([
    {
      name: 'reads and writes newTag',
      text: kustomize('    newName: ghcr.io/acme/api\n    newTag: 2.4.0\n'),
      locator: { kustomize_image: 'api' },
      version: '2.4.0',
      next: '2.3.3',
      expected: kustomize('    newName: ghcr.io/acme/api\n    newTag: 2.3.3\n'),
    },
    {
      name: 'reads the digest when the entry has only a digest',
      text: kustomize(`    digest: ${DIGEST}\n`),
      locator: { kustomize_image: 'api' },
      version: DIGEST,
      next: OTHER_DIGEST,
      expected: kustomize(`    digest: ${OTHER_DIGEST}\n`),
    },
    {
      name: 'reads the field named by field: when both are set',
      text: kustomize(`    newTag: v2\n    digest: "${DIGEST}"\n`),
      locator: { kustomize_image: 'api', field: 'digest' },
      version: DIGEST,
      next: OTHER_DIGEST,
      expected: kustomize(`    newTag: v2\n    digest: "${OTHER_DIGEST}"\n`),
    },
    {
      name: 'reads a newTag holding tag@sha256 whole',
      text: kustomize(`    newTag: v2@${DIGEST}\n`),
      locator: { kustomize_image: 'api' },
      version: `v2@${DIGEST}`,
      next: `v1@${OTHER_DIGEST}`,
      expected: kustomize(`    newTag: v1@${OTHER_DIGEST}\n`),
    },
    {
      name: 'finds entries written at column 0 under images:',
      text: 'images:\n- name: api\n  newTag: v2 # {"$imagepolicy": "flux-system:api:tag"}\n',
      locator: { kustomize_image: 'api' },
      version: 'v2',
      next: 'v1',
      expected: 'images:\n- name: api\n  newTag: v1 # {"$imagepolicy": "flux-system:api:tag"}\n',
    },
  ])('$name', check);
});

const workload = (containers: string) =>
  `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n${containers}`;

describe('container', () => {
  it.each<Case>([
    {
      name: 'rewrites only the tag of the image reference',
      text: workload(
        '          containers:\n            - name: api\n              image: ghcr.io/acme/api:v2\n',
      ),
      locator: { container: 'api' },
      version: 'v2',
      next: 'v1',
      expected: workload(
        '          containers:\n            - name: api\n              image: ghcr.io/acme/api:v1\n',
      ),
    },
    {
      name: 'finds init containers',
      text: workload(
        '          initContainers:\n            - name: migrate\n              image: "ghcr.io/acme/migrate:v2"\n',
      ),
      locator: { container: 'migrate' },
      version: 'v2',
      next: 'v1',
      expected: workload(
        '          initContainers:\n            - name: migrate\n              image: "ghcr.io/acme/migrate:v1"\n',
      ),
    },
    {
      name: 'does not take a registry port for a tag',
      text: workload(
        '          containers:\n            - name: api\n              image: localhost:5000/acme/api:1.0.0\n',
      ),
      locator: { container: 'api' },
      version: '1.0.0',
      next: '0.9.0',
      expected: workload(
        '          containers:\n            - name: api\n              image: localhost:5000/acme/api:0.9.0\n',
      ),
    },
    {
      name: 'reads tag@sha256 as one version',
      text: workload(
        `          containers:\n            - name: api\n              image: ghcr.io/acme/api:v2@${DIGEST}\n`,
      ),
      locator: { container: 'api' },
      version: `v2@${DIGEST}`,
      next: `v1@${OTHER_DIGEST}`,
      expected: workload(
        `          containers:\n            - name: api\n              image: ghcr.io/acme/api:v1@${OTHER_DIGEST}\n`,
      ),
    },
    {
      name: 'reads a digest-only reference as its digest',
      text: workload(
        `          containers:\n            - name: api\n              image: ghcr.io/acme/api@${DIGEST}\n`,
      ),
      locator: { container: 'api' },
      version: DIGEST,
      next: OTHER_DIGEST,
      expected: workload(
        `          containers:\n            - name: api\n              image: ghcr.io/acme/api@${OTHER_DIGEST}\n`,
      ),
    },
    {
      name: 'switches the separator to @ when a digest replaces a tag',
      text: workload(
        '          containers:\n            - name: api\n              image: ghcr.io/acme/api:v2\n',
      ),
      locator: { container: 'api' },
      version: 'v2',
      next: DIGEST,
      expected: workload(
        `          containers:\n            - name: api\n              image: ghcr.io/acme/api@${DIGEST}\n`,
      ),
    },
    {
      name: 'narrows to one document with match',
      text: `kind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: x:1\n---\nkind: Rollout\nmetadata:\n  name: b\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: x:2\n`,
      locator: { container: 'app', match: { kind: 'Rollout' } },
      version: '2',
      next: '1',
      expected: `kind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: x:1\n---\nkind: Rollout\nmetadata:\n  name: b\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: x:1\n`,
    },
  ])('$name', check);
});

describe('setter', () => {
  it.each<Case>([
    {
      name: 'whole-ref form rewrites only the tag of the marked reference',
      text: '      image: ghcr.io/acme/api:5.0.3 # {"$imagepolicy": "flux-system:api"}\n',
      locator: { setter: 'flux-system:api' },
      version: '5.0.3',
      next: '5.0.2',
      expected: '      image: ghcr.io/acme/api:5.0.2 # {"$imagepolicy": "flux-system:api"}\n',
    },
    {
      name: 'whole-ref form reads tag@digest and may write a bare tag',
      text: `image: ghcr.io/acme/api:v2@${DIGEST} # {"$imagepolicy": "flux-system:api"}\n`,
      locator: { setter: 'flux-system:api' },
      version: `v2@${DIGEST}`,
      next: 'v1',
      expected: 'image: ghcr.io/acme/api:v1 # {"$imagepolicy": "flux-system:api"}\n',
    },
    {
      name: 'whole-ref form on an untagged image reads empty and gains a tag on write',
      text: 'image: ghcr.io/acme/api # {"$imagepolicy": "flux-system:api"}\n',
      locator: { setter: 'flux-system:api' },
      version: '',
      next: 'v1',
      expected: 'image: ghcr.io/acme/api:v1 # {"$imagepolicy": "flux-system:api"}\n',
    },
    {
      name: ':tag form reads the whole marked scalar',
      text: 'newTag: "v2" # {"$imagepolicy": "flux-system:api:tag"}\nnewName: x # {"$imagepolicy": "flux-system:api:name"}\n',
      locator: { setter: 'flux-system:api:tag' },
      version: 'v2',
      next: 'v1',
      expected:
        'newTag: "v1" # {"$imagepolicy": "flux-system:api:tag"}\nnewName: x # {"$imagepolicy": "flux-system:api:name"}\n',
    },
    {
      name: ':digest form reads the marked digest',
      text: `digest: ${DIGEST} # {"$imagepolicy": "flux-system:api:digest"}\r\n`,
      locator: { setter: 'flux-system:api:digest' },
      version: DIGEST,
      next: OTHER_DIGEST,
      expected: `digest: ${OTHER_DIGEST} # {"$imagepolicy": "flux-system:api:digest"}\r\n`,
    },
    {
      name: 'ignores a marker-like text inside a block scalar',
      text: 'patch: |\n  image: x:9 # {"$imagepolicy": "flux-system:api"}\nimage: x:2 # {"$imagepolicy": "flux-system:api"}\n',
      locator: { setter: 'flux-system:api' },
      version: '2',
      next: '1',
      expected:
        'patch: |\n  image: x:9 # {"$imagepolicy": "flux-system:api"}\nimage: x:1 # {"$imagepolicy": "flux-system:api"}\n',
    },
  ])('$name', check);
});

describe('yaml_path', () => {
  it.each<Case>([
    {
      name: 'selects a list item by [key=VALUE] where VALUE holds dots, slashes and colons',
      text: 'helm:\n  parameters:\n    - name: image.tag\n      value: "0.2"\n    - name: ghcr.io/a:b\n      value: x1\n',
      locator: { yaml_path: 'helm.parameters[name=ghcr.io/a:b].value' },
      version: 'x1',
      next: 'x0',
      expected:
        'helm:\n  parameters:\n    - name: image.tag\n      value: "0.2"\n    - name: ghcr.io/a:b\n      value: x0\n',
    },
    {
      name: 'selects a list item by index inside a flow sequence',
      text: 'kustomize:\n  images: [a:1, "b:2"]\n',
      locator: { yaml_path: 'kustomize.images[1]' },
      version: 'b:2',
      next: 'b:1',
      expected: 'kustomize:\n  images: [a:1, "b:1"]\n',
    },
    {
      name: 'reads a key holding dots when quoted in brackets',
      text: 'metadata:\n  annotations:\n    app.acme.io/version: v3\n',
      locator: { yaml_path: 'metadata.annotations["app.acme.io/version"]' },
      version: 'v3',
      next: 'v2',
      expected: 'metadata:\n  annotations:\n    app.acme.io/version: v2\n',
    },
    {
      name: 'reads path segments holding dashes',
      text: 'controllers:\n  gatus-sidecar:\n    image:\n      tag: 0.4.1\n',
      locator: { yaml_path: 'controllers.gatus-sidecar.image.tag' },
      version: '0.4.1',
      next: '0.4.0',
      expected: 'controllers:\n  gatus-sidecar:\n    image:\n      tag: 0.4.0\n',
    },
    {
      name: 'keeps a whole image reference whole',
      text: `spec:\n  image: ghcr.io/acme/api:v2@${DIGEST}\n`,
      locator: { yaml_path: 'spec.image' },
      version: `ghcr.io/acme/api:v2@${DIGEST}`,
      next: 'ghcr.io/acme/api:v1',
      expected: 'spec:\n  image: ghcr.io/acme/api:v1\n',
    },
    {
      name: 'picks the one document of a stream where the path exists',
      text: 'kind: Namespace\n---\nkind: Application\nspec:\n  source:\n    targetRevision: 1.2.0\n',
      locator: { yaml_path: 'spec.source.targetRevision' },
      version: '1.2.0',
      next: '1.1.0',
      expected: 'kind: Namespace\n---\nkind: Application\nspec:\n  source:\n    targetRevision: 1.1.0\n',
    },
    {
      name: 'writes through an anchored value (every alias follows it)',
      text: 'tag: &tag v2\nother: *tag\n',
      locator: { yaml_path: 'tag' },
      version: 'v2',
      next: 'v1',
      expected: 'tag: &tag v1\nother: *tag\n',
    },
  ])('$name', check);
});

describe('regex', () => {
  it.each<Case>([
    {
      name: 'rewrites the named group of the one match in any text file',
      text: 'FROM node:20.11.1-alpine AS build\nRUN npm ci\n',
      locator: { regex: '^FROM node:(?<version>\\S+)' },
      version: '20.11.1-alpine',
      next: '20.10.0-alpine',
      expected: 'FROM node:20.10.0-alpine AS build\nRUN npm ci\n',
    },
  ])('$name', check);
});
