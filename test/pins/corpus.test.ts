import { describe, expect, it } from 'vitest';
import { isValidVersion, readPin, writePin } from '../../src/pins/index.js';
import { corpusPins, corpusPresent, corpusText, newValueLike } from '../support/corpus.js';

const present = corpusPresent();
const cases = corpusPins();

describe.skipIf(!present)('corpus manifest', () => {
  it('lists pins to test', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  describe.each(cases)('$name', (pin) => {
    const text = corpusText(pin.file);

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
