import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isValidVersion, type PinLocator, readPin, writePin } from '../../src/pins/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');

interface ManifestPin {
  locator: string;
  pinback: PinLocator;
  version: string;
  line: number;
}
interface ManifestFile {
  file: string;
  pins: ManifestPin[];
}

const manifest = JSON.parse(readFileSync(path.join(corpus, 'MANIFEST.json'), 'utf8')) as ManifestFile[];
const FAKE_DIGEST = `sha256:${'5eed'.repeat(16)}`;

/** A different value of the same form, so a pattern or a field that expects that form still accepts it. */
function newValueLike(old: string): string {
  if (/^sha256:[0-9a-f]+$/.test(old)) return FAKE_DIGEST;
  const at = old.indexOf('@sha256:');
  const head = at === -1 ? old : old.slice(0, at);
  const colon = head.lastIndexOf(':');
  const newHead = colon > head.lastIndexOf('/') ? `${head.slice(0, colon)}:9.9.9-pinback` : '9.9.9-pinback';
  return at === -1 ? newHead : `${newHead}@${FAKE_DIGEST}`;
}

const cases = manifest.flatMap((f) =>
  f.pins.map((pin) => ({ ...pin, file: f.file, name: `${f.file} ${JSON.stringify(pin.pinback)}` })),
);

describe('corpus manifest', () => {
  it('lists pins to test', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  describe.each(cases)('$name', (pin) => {
    const text = readFileSync(path.join(corpus, pin.file), 'utf8');

    it('reads the listed version on the listed line', () => {
      const loc = readPin(text, pin.pinback, pin.file);
      expect(loc.version).toBe(pin.version);
      expect(loc.line).toBe(pin.line);
      expect(text.slice(loc.start, loc.end)).toBe(pin.version);
    });

    if (pin.version === '') return;

    it('writes a new version by changing only the version bytes', () => {
      const loc = readPin(text, pin.pinback, pin.file);
      const next = newValueLike(pin.version);
      const written = writePin(text, pin.pinback, next, pin.file);
      expect(written.slice(0, loc.start)).toBe(text.slice(0, loc.start));
      expect(written.slice(loc.start + next.length)).toBe(text.slice(loc.end));
      expect(readPin(written, pin.pinback, pin.file).version).toBe(next);
    });

    if (isValidVersion(pin.version)) {
      it('writes the old version back to the identical bytes', () => {
        const written = writePin(text, pin.pinback, newValueLike(pin.version), pin.file);
        expect(writePin(written, pin.pinback, pin.version, pin.file)).toBe(text);
      });
    } else {
      it('refuses to write back a value that is no version (a template or a range)', () => {
        expect(() => writePin(text, pin.pinback, pin.version, pin.file)).toThrow(/refusing to write/);
      });
    }
  });
});
