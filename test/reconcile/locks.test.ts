/**
 * The reconciler's locks (issue 11): it reads a service's own lock file and the legacy one at the
 * same head as the pin, a lock in either counts, and a rollback adds its lock to the service's own
 * file only, so that rollbacks of different services never change the same file.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load.js';
import { addLock, LEGACY_LOCK_FILE, lockFileOf, parseLocks } from '../../src/history/locks.js';
import { filesOf, rollbackChanges } from '../../src/reconcile/changes.js';
import { stateOf } from '../../src/reconcile/service.js';

const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

const policy = (extra = '') =>
  parsePolicy(
    `version: 1\nservices:\n  api:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { errors: { max: 0.5 } }\n${extra}`,
    'policy.yml',
    {},
  ).services[0]!;

const lock = (version: string, rollback_id = 'aaaaaaaaaaaaaaaa') => ({
  version,
  reason: 'errors',
  locked_at: '2026-01-01T00:00:00Z',
  rollback_id,
});
const rollback = { from: '1.1.0', to: '1.0.0', reason: 'errors', id: '0123456789abcdef' };

describe('filesOf', () => {
  it("reads the service's own lock file and the legacy one, by name", () => {
    expect(filesOf(policy())).toEqual([PIN, '.pinback/locks/api.yaml', LEGACY_LOCK_FILE]);
  });
});

describe('the lock of a rollback', () => {
  it("goes to the service's own file, created with its header where it is missing", () => {
    const changes = rollbackChanges(policy(), new Map([[PIN, k('1.1.0')]]), rollback, NOW);
    expect(changes.map((c) => c.path)).toEqual([PIN, lockFileOf('api')]);
    const text = changes.find((c) => c.path === lockFileOf('api'))!.content;
    expect(text.startsWith('# Versions pinback rolled back.')).toBe(true);
    expect(parseLocks(text).get('api')).toEqual([
      { version: '1.1.0', reason: 'errors', locked_at: '2026-01-02T03:04:05Z', rollback_id: rollback.id },
    ]);
  });

  it('leaves the legacy file alone, whatever it holds', () => {
    const legacy = addLock(null, 'web', lock('9.0.0'));
    const own = addLock(null, 'api', lock('0.9.0'));
    const files = new Map([
      [PIN, k('1.1.0')],
      [LEGACY_LOCK_FILE, legacy],
      [lockFileOf('api'), own],
    ]);
    const changes = rollbackChanges(policy(), files, rollback, NOW);
    expect(changes.map((c) => c.path)).toEqual([PIN, lockFileOf('api')]);
    const text = changes.find((c) => c.path === lockFileOf('api'))!.content;
    // Appended: the existing entry and header stay byte for byte.
    expect(text.startsWith(own)).toBe(true);
    expect(
      parseLocks(text)
        .get('api')!
        .map((l) => l.version),
    ).toEqual(['0.9.0', '1.1.0']);
  });

  it('is not added again where the legacy file locks the version already', () => {
    const files = new Map([
      [PIN, k('1.1.0')],
      [LEGACY_LOCK_FILE, addLock(null, 'api', lock('1.1.0'))],
    ]);
    expect(rollbackChanges(policy(), files, rollback, NOW).map((c) => c.path)).toEqual([PIN]);
  });

  it('is not written with lock_candidate: false', () => {
    const service = policy('    on_rollback: { lock_candidate: false }\n');
    expect(rollbackChanges(service, new Map([[PIN, k('1.1.0')]]), rollback, NOW).map((c) => c.path)).toEqual([
      PIN,
    ]);
  });
});

describe('stateOf', () => {
  const snap = (files: [string, string | null][]) => ({
    head: 'h',
    files: new Map<string, string | null>([[PIN, k('1.1.0')], ...files]),
    history: [],
  });

  it.each([
    ['its own file', lockFileOf('api')],
    ['the legacy file', LEGACY_LOCK_FILE],
  ])('sees the candidate locked in %s', (_, file) => {
    const state = stateOf(policy(), snap([[file, addLock(null, 'api', lock('1.1.0'))]]), 50, 'memory');
    expect(state.locked).toEqual(lock('1.1.0'));
  });

  it("does not count another service's locks", () => {
    const state = stateOf(policy(), snap([[LEGACY_LOCK_FILE, addLock(null, 'web', lock('1.1.0'))]]), 50, 'm');
    expect(state.locked).toBeUndefined();
  });
});
