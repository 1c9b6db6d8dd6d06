/**
 * rollbackChanges with the pin file's text at the stable's pin (issue 11): the rollback commit
 * restores what was deployed, the digest and the image name with the tag.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { lockFileOf } from '../../src/history/locks.js';
import { PinError, stableTextIn } from '../../src/pins/index.js';
import { rollbackChanges } from '../../src/reconcile/changes.js';
import { lineDiff, lines } from '../support/line-diff.js';

const PIN = 'apps/frontend/kustomization.yaml';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

const service = parsePolicy(
  lines(
    'version: 1',
    'services:',
    '  frontend:',
    `    pin: { file: ${PIN}, kustomize_image: frontend, field: newTag }`,
    '    triggers: { errors: { max: 0.5 } }',
  ),
  'policy.yml',
  {},
).services[0]!;

const kustomization = (...entry: string[]) =>
  lines('images:', '  - name: frontend # the web app', ...entry, '  - name: proxy', '    newTag: v1.30.0');

const stable = kustomization(
  '    newName: ghcr.io/acme/frontend',
  '    newTag: v0.10.5 # {"$imagepolicy": "flux-system:frontend:tag"}',
  `    digest: "${D1}"`,
);
const candidate = kustomization(
  '    newName: new-registry.example.com/frontend',
  '    newTag: v0.10.6 # {"$imagepolicy": "flux-system:frontend:tag"}',
  `    digest: "${D2}"`,
);
const rollback = { from: 'v0.10.6', to: 'v0.10.5', reason: 'errors', id: '0123456789abcdef' };

function pinChange(files: Map<string, string | null>, stableText?: string | null): string | undefined {
  return rollbackChanges(service, files, rollback, NOW, stableText).find((c) => c.path === PIN)?.content;
}

describe('rollbackChanges', () => {
  it('with the stable text, puts the tag, the digest and the image name back in one commit', () => {
    const files = new Map([[PIN, candidate]]);
    const changes = rollbackChanges(service, files, rollback, NOW, stable);
    expect(changes.find((c) => c.path === PIN)?.content).toBe(stable);
    expect(lineDiff(candidate, stable).removed).toHaveLength(3);
    // The lock still names the candidate's version.
    expect(changes.find((c) => c.path === lockFileOf('frontend'))?.content).toContain('v0.10.6');
  });

  it('takes the stable text from the history as the reconciler reads it (newest first)', () => {
    const history = [{ text: candidate }, { text: stable }, { text: kustomization('    newTag: v0.10.4') }];
    const pinSpec = service.pin!;
    const stableText = stableTextIn(history, pinSpec.locator, pinSpec.file, rollback.to);
    expect(pinChange(new Map([[PIN, candidate]]), stableText)).toBe(stable);
  });

  it('with the stable text, keeps what the candidate changed outside the reference', () => {
    const current = `# edited since\n${candidate}`;
    expect(pinChange(new Map([[PIN, current]]), stable)).toBe(`# edited since\n${stable}`);
  });

  it.each([undefined, null])('without the stable text (%s), refuses a tag beside a digest', (none) => {
    const files = new Map([[PIN, candidate]]);
    expect(() => pinChange(files, none)).toThrow(PinError);
    expect(() => pinChange(files, none)).toThrow(
      /^apps\/frontend\/kustomization\.yaml:5:5: .*digest: sha256:2+ stands beside newTag/,
    );
  });

  it('without the stable text, writes the tag alone where nothing stands beside it', () => {
    const current = kustomization('    newName: ghcr.io/acme/frontend', '    newTag: v0.10.6');
    expect(pinChange(new Map([[PIN, current]]), null)).toBe(
      kustomization('    newName: ghcr.io/acme/frontend', '    newTag: v0.10.5'),
    );
  });

  it('refuses a stable text that does not hold the version rolled back to', () => {
    const other = stable.replace('v0.10.5', 'v0.10.4');
    expect(() => pinChange(new Map([[PIN, candidate]]), other)).toThrow(
      /reads "v0\.10\.4" .*not "v0\.10\.5"/,
    );
  });
});
