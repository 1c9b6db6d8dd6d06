/** The pin files of the restorePin tests: the same shapes at the stable and with the candidate. */
import type { PinLocator } from '../../src/pins/index.js';
import { lines } from '../support/line-diff.js';

export const D1 = `sha256:${'1'.repeat(64)}`;
export const D2 = `sha256:${'2'.repeat(64)}`;
export const FILE = 'apps/frontend/pin.yaml';
export const kustomization = (...entry: string[]) =>
  lines(
    '# Frontend: images pinned by the image bot',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - deployment.yaml # base',
    'images:',
    '  - name: frontend',
    ...entry,
    '  - name: sidecar',
    '    newTag: "1.0"',
  );

export const ociRepository = (...ref: string[]) =>
  lines(
    '---',
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: OCIRepository',
    'metadata:',
    '  name: frontend',
    'spec:',
    '  interval: 5m',
    '  url: oci://ghcr.io/acme/manifests/frontend',
    '  ref:',
    ...ref,
  );

export const deployment = (image: string) =>
  lines(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: frontend',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: frontend',
    `          image: ${image} # pinned`,
    '        - name: proxy',
    '          image: envoyproxy/envoy:v1.30.0',
  );

export const helmValues = (...image: string[]) =>
  lines('replicaCount: 2', 'image:', ...image, '  pullPolicy: IfNotPresent', 'service:', '  port: 80');

export const frontendTag: PinLocator = { kustomize_image: 'frontend', field: 'newTag' };
