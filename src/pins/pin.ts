import { locateContainer } from './container.js';
import { describeLocator, LOCATOR_KEYS, LocateError, locatorKeys, PinError, quote } from './errors.js';
import { locateKustomizeImage } from './kustomize.js';
import type { PinLocator } from './locator.js';
import { locateRegex } from './regex.js';
import { locateSetter } from './setter.js';
import { lineColumn, type Span } from './span.js';
import { refuseReplaced } from './utf8.js';
import { isValidVersion } from './version.js';
import { locateYamlPath } from './yaml-path.js';

/** [start, end) are string indices of the version's characters in the text; line and column are 1-based. */
export interface PinLocation {
  version: string;
  start: number;
  end: number;
  line: number;
  column: number;
}

export function locate(text: string, locator: PinLocator, file: string): Span {
  const context = `${file}: ${describeLocator(locator)}`;
  const [key, ...more] = locatorKeys(locator);
  if (!key || more.length > 0) {
    throw new PinError(`${file}: a pin takes exactly one of ${LOCATOR_KEYS.join(', ')}`);
  }
  try {
    if ('kustomize_image' in locator && key === 'kustomize_image') {
      return locateKustomizeImage(text, locator.kustomize_image, locator.field);
    }
    if ('yaml_path' in locator && key === 'yaml_path')
      return locateYamlPath(text, locator.yaml_path, locator.match);
    if ('container' in locator && key === 'container')
      return locateContainer(text, locator.container, locator.match);
    if ('setter' in locator && key === 'setter') return locateSetter(text, locator.setter);
    if ('regex' in locator && key === 'regex') return locateRegex(text, locator.regex);
    throw new PinError(`${file}: unknown locator ${key}`);
  } catch (e) {
    if (e instanceof LocateError) throw new PinError(`${context}: ${e.message}`);
    throw e;
  }
}

export function readPin(text: string, locator: PinLocator, file: string): PinLocation {
  const { version, start, end } = locate(text, locator, file);
  return { version, start, end, ...lineColumn(text, start) };
}

/**
 * Put `newVersion` where the pin stands, changing only the version's bytes (and, for an image reference
 * switching between tag and digest, the `:`/`@` before it). The result is read back with the same
 * locator and must yield `newVersion` at the same place, or nothing is returned.
 */
export function writePin(text: string, locator: PinLocator, newVersion: string, file: string): string {
  const context = `${file}: ${describeLocator(locator)}`;
  if (!isValidVersion(newVersion)) {
    throw new PinError(
      `${context}: refusing to write ${quote(newVersion)}: a version holds only letters, digits and . _ + - @ : / =`,
    );
  }
  refuseReplaced(text, file);
  const span = locate(text, locator, file);
  const refusal = span.refuse?.(newVersion);
  if (refusal) throw new PinError(`${context}: cannot write here: ${refusal}`);
  const edit = span.edit?.(newVersion) ?? { start: span.start, end: span.end, text: newVersion };
  const written = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  let back: Span;
  try {
    back = locate(written, locator, file);
  } catch (e) {
    throw new PinError(
      `${context}: writing ${quote(newVersion)} would break the pin: ${(e as Error).message}`,
    );
  }
  const expectedStart = edit.start + edit.text.length - newVersion.length;
  if (back.version !== newVersion || back.start !== expectedStart) {
    throw new PinError(
      `${context}: writing ${quote(newVersion)} reads back as ${quote(back.version)}; nothing written`,
    );
  }
  return written;
}
