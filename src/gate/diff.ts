import type { ServicePolicy } from '../config/policy.js';
import { isValidVersion, PinError, readPin } from '../pins/index.js';
import type { PinChange } from './report.js';

/*
 * The pins a change sets to another version (pure): each pinned service's version read at the base
 * and at the head, with the locator the policy gives. A pin the head no longer holds in the form its
 * locator reads is the change's problem, said at its place; a pin file the base lacks is a new pin.
 */

function versionAt(text: string | null | undefined, s: ServicePolicy): string | null {
  if (text === null || text === undefined) return null;
  try {
    return readPin(text, s.pin!.locator, s.pin!.file).version;
  } catch (e) {
    // The base's shape of a file the change rewrites says nothing about what the change pins.
    if (e instanceof PinError) return null;
    throw e;
  }
}

export function changedPins(
  services: readonly ServicePolicy[],
  base: ReadonlyMap<string, string | null>,
  head: ReadonlyMap<string, string | null>,
): PinChange[] {
  const out: PinChange[] = [];
  for (const s of services) {
    if (!s.pin) continue;
    const text = head.get(s.pin.file);
    // A pin file the change deletes pins nothing: there is no version to promote.
    if (text === null || text === undefined) continue;
    const at = readPin(text, s.pin.locator, s.pin.file);
    const from = versionAt(base.get(s.pin.file), s);
    if (from === at.version) continue;
    if (!isValidVersion(at.version)) {
      throw new PinError(
        `${s.pin.file}:${at.line}:${at.column}: ${s.name} pins ${JSON.stringify(at.version.slice(0, 80))}, which is not a valid version (letters, digits and . _ - + @ : / only)`,
      );
    }
    out.push({
      service: s.name,
      stage: s.stage,
      file: s.pin.file,
      line: at.line,
      column: at.column,
      from,
      to: at.version,
    });
  }
  return out;
}
