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
    return `kustomize_image ${JSON.stringify(l.kustomize_image)}${l.field ? ` field ${l.field}` : ''}`;
  }
  if (only('yaml_path') && 'yaml_path' in l)
    return `yaml_path ${JSON.stringify(l.yaml_path)}${describeMatch(l.match)}`;
  if (only('container') && 'container' in l)
    return `container ${JSON.stringify(l.container)}${describeMatch(l.match)}`;
  if (only('setter') && 'setter' in l) return `setter ${JSON.stringify(l.setter)}`;
  if (only('regex') && 'regex' in l) return `regex /${l.regex}/`;
  return 'locator';
}

function describeMatch(m: DocumentMatch | undefined): string {
  if (!m || (m.kind === undefined && m.name === undefined)) return '';
  return ` (in ${m.kind ?? '*'}/${m.name ?? '*'})`;
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
