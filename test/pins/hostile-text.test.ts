import { describe, expect, it } from 'vitest';
import { PinError, readPin, restorePin, writePin } from '../../src/pins/index.js';
import { assertUtf8, decodeUtf8 } from '../../src/pins/utf8.js';

const KUSTOMIZATION = `# Propriétaire : équipe café
images:
  - name: ghcr.io/acme/api
    newTag: v2
`;
const LOCATOR = { kustomize_image: 'ghcr.io/acme/api' };

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PinError);
    return (e as Error).message;
  }
  throw new Error('expected a PinError');
}

describe('a pin file that is not UTF-8', () => {
  const latin1 = Buffer.from(KUSTOMIZATION, 'latin1');
  // What a store that decodes without `fatal` reads: every Latin-1 byte above 0x7F becomes U+FFFD.
  const damaged = new TextDecoder('utf-8').decode(latin1);

  it('would come back with \\xef\\xbf\\xbd where \\xe9 stood', () => {
    expect(damaged).toContain('\uFFFD');
    expect(Buffer.from(damaged, 'utf8').includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(true);
  });

  it('is read: the version is there to compare', () => {
    expect(readPin(damaged, LOCATOR, 'k.yaml').version).toBe('v2');
  });

  it('is never written (writePin)', () => {
    expect(refusal(() => writePin(damaged, LOCATOR, 'v1', 'k.yaml'))).toBe(
      'k.yaml:1:9: the file holds U+FFFD (the replacement character), which stands where bytes were not UTF-8: pinback edits only UTF-8 files (re-encode the file, e.g. `iconv -f latin1 -t utf-8`, or move the pin to a UTF-8 file)',
    );
  });

  it('is never written (restorePin), whether the damage is in the current text or the stable one', () => {
    expect(refusal(() => restorePin(damaged, null, LOCATOR, 'k.yaml', 'v1'))).toMatch(
      /^k\.yaml:1:9: the file holds U\+FFFD/,
    );
    const stable =
      'images:\n  - name: ghcr.io/acme/api\n    newTag: v1\n    newName: ghcr.io/acme/caf\uFFFD\n';
    const current = 'images:\n  - name: ghcr.io/acme/api\n    newTag: v2\n';
    expect(refusal(() => restorePin(current, stable, LOCATOR, 'k.yaml', 'v1'))).toMatch(
      /^k\.yaml:4:\d+: the text restored from the pin file at the stable's commit holds U\+FFFD/,
    );
  });

  it('is told from its bytes, with the line and the byte', () => {
    expect(() => assertUtf8(latin1, 'k.yaml')).toThrow(PinError);
    expect(refusal(() => decodeUtf8(latin1, 'k.yaml'))).toBe(
      'k.yaml:1:9: byte 0xE9 (offset 8) is not UTF-8: pinback edits only UTF-8 files (re-encode the file, e.g. `iconv -f latin1 -t utf-8`, or move the pin to a UTF-8 file)',
    );
    expect(decodeUtf8(Buffer.from(KUSTOMIZATION, 'utf8'), 'k.yaml')).toBe(KUSTOMIZATION);
    expect(decodeUtf8(Buffer.from(`\uFEFF${KUSTOMIZATION}`, 'utf8'), 'k.yaml')).toBe(
      `\uFEFF${KUSTOMIZATION}`,
    );
  });

  it.each([
    ['a truncated sequence', [0x61, 0xc3]],
    ['an overlong form', [0xc0, 0xaf]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
  ])('refuses %s', (_, bytes) => {
    expect(() => decodeUtf8(Uint8Array.from(bytes), 'f')).toThrow(/not UTF-8/);
  });
});

describe('a long value in a message', () => {
  const long = `v${'9'.repeat(100_000)}`;

  it('is capped at 200 characters and its length', () => {
    // The version refused is quoted in part: its first 200 characters, `…` and its length.
    const text = `images:\n  - name: ghcr.io/acme/api\n    newTag: ${long}\n`;
    const other = refusal(() => writePin(text, LOCATOR, `${long}!`, 'k.yaml'));
    expect(other).toContain(`"${long.slice(0, 200)}"… (100002 characters)`);
    expect(other.length).toBeLessThan(600);
  });

  it('in an image reference', () => {
    const text = `spec:\n  containers:\n    - name: api\n      image: "ghcr.io/acme/api:${long}@sha256:zz"\n`;
    const message = refusal(() => readPin(text, { container: 'api' }, 'd.yaml'));
    expect(message).toContain('… (1000');
    expect(message.length).toBeLessThan(600);
  });

  it('in the locator', () => {
    const message = refusal(() => readPin('a: 1\n', { yaml_path: `a.${'b'.repeat(50_000)}` }, 'v.yaml'));
    expect(message).toBe(
      `v.yaml: yaml_path "a.${'b'.repeat(198)}"… (50002 characters): the path does not exist`,
    );
  });
});

describe('aliases in a pin file', () => {
  it('are resolved in one pass, not one walk of the file per alias', { timeout: 5000 }, () => {
    const many = Array.from({ length: 30_000 }, () => '  - *other').join('\n');
    const text = `defaults: &other { name: other, tag: v0 }\nitems:\n  - { name: api, tag: v2 }\n${many}\n`;
    expect(readPin(text, { yaml_path: 'items[name=api].tag' }, 'v.yaml').version).toBe('v2');
  });
});
