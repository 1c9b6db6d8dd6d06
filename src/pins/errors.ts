import type { DocumentMatch, PinLocator } from './locator.js';

/** A pin that cannot be read or written exactly; the message names the file and the locator. */
export class PinError extends Error {
  override name = 'PinError';
}

/**
 * Raised inside the locators, which know neither the file nor how the user spelled the locator;
 * readPin and writePin turn it into a PinError carrying both.
 */
export class LocateError extends Error {}

export function fail(reason: string): never {
  throw new LocateError(reason);
}

export const LOCATOR_KEYS = ['kustomize_image', 'yaml_path', 'container', 'setter', 'regex'] as const;

/** The locator keys given a value; an object built from optional config fields may carry undefined ones. */
export function locatorKeys(l: PinLocator): (typeof LOCATOR_KEYS)[number][] {
  return LOCATOR_KEYS.filter((k) => (l as Partial<Record<string, unknown>>)[k] !== undefined);
}

export function describeLocator(l: PinLocator): string {
  const keys = locatorKeys(l);
  if (keys.length !== 1) return `locator with ${keys.length === 0 ? 'no key' : keys.join(' and ')}`;
  const only = (k: (typeof LOCATOR_KEYS)[number]) => keys[0] === k;
  if (only('kustomize_image') && 'kustomize_image' in l) {
    return `kustomize_image ${quote(l.kustomize_image)}${l.field ? ` field ${l.field}` : ''}`;
  }
  if (only('yaml_path') && 'yaml_path' in l)
    return `yaml_path ${quote(l.yaml_path)}${describeMatch(l.match)}`;
  if (only('container') && 'container' in l)
    return `container ${quote(l.container)}${describeMatch(l.match)}`;
  if (only('setter') && 'setter' in l) return `setter ${quote(l.setter)}`;
  if (only('regex') && 'regex' in l) return `regex /${clip(l.regex)}/`;
  return 'locator';
}

function describeMatch(m: DocumentMatch | undefined): string {
  if (!m || (m.kind === undefined && m.name === undefined)) return '';
  return ` (in ${clip(m.kind ?? '*')}/${clip(m.name ?? '*')})`;
}

/** Run a locator step; a LocateError becomes a PinError prefixed with `context` (file and locator). */
export function inContext<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LocateError) throw new PinError(`${context}: ${e.message}`);
    throw e;
  }
}

/** How much of a value a message quotes: a 100 KB pin value must not make a 100 KB error. */
export const ECHO_MAX = 200;

function cut(value: string, max: number): string {
  // Never split a surrogate pair: half of one is not a character.
  const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return value.slice(0, end);
}

/** `value` as a message shows it: whole up to ECHO_MAX characters, else its start, `…` and its length. */
export function clip(value: string, max = ECHO_MAX): string {
  return value.length <= max ? value : `${cut(value, max)}… (${value.length} characters)`;
}

/** `value` JSON-quoted for a message, capped as clip caps it: `"abc…" (100000 characters)`. */
export function quote(value: string, max = ECHO_MAX): string {
  return value.length <= max
    ? JSON.stringify(value)
    : `${JSON.stringify(cut(value, max))}… (${value.length} characters)`;
}
