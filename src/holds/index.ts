import { ignoreTag, isTagIgnored } from './argocd.js';
import { holdPolicy, isAutomationSuspended, isPolicyHeld, suspendAutomation } from './flux.js';
import { LocateError, PinError } from '../pins/errors.js';
import { isValidVersion } from '../pins/version.js';

/**
 * Where an image automation bot could push a rolled-back version again, and how to stop it, in the
 * same commit as the rollback:
 *
 * - `flux_image_policy`: a Flux `ImagePolicy` (image.toolkit.fluxcd.io v1beta2 or v1) with a `semver`
 *   policy gets `!=VERSION` appended to `spec.policy.semver.range` (to every `||` group that could
 *   select it). `alphabetical` and `numerical` policies cannot exclude one tag; the error says to use
 *   `flux_image_update_automation` instead.
 * - `flux_image_update_automation`: a Flux `ImageUpdateAutomation` gets `spec.suspend: true`.
 * - `argocd_image_updater`: an Argo CD `Application` configured by `argocd-image-updater.argoproj.io/*`
 *   annotations gets the tag added to `<alias>.ignore-tags` (or the application-wide `ignore-tags` for
 *   an image without alias); an `ImageUpdater` resource (image updater v1.x) gets it added to the
 *   image's `commonUpdateSettings.ignoreTags`.
 *
 * `name` selects the document by `metadata.name` when the file holds several of the kind; `alias` the
 * image (Application image-list alias, or ImageUpdater `images[].alias`) when there are several.
 */
export type AutomationHold =
  | { type: 'flux_image_policy'; file: string; name?: string }
  | { type: 'flux_image_update_automation'; file: string; name?: string }
  | { type: 'argocd_image_updater'; file: string; name?: string; alias?: string };

export const AUTOMATION_HOLD_TYPES = [
  'flux_image_policy',
  'flux_image_update_automation',
  'argocd_image_updater',
] as const;

export function describeHold(hold: AutomationHold): string {
  const name = hold.name === undefined ? '' : ` ${JSON.stringify(hold.name)}`;
  const alias =
    hold.type === 'argocd_image_updater' && hold.alias !== undefined
      ? ` alias ${JSON.stringify(hold.alias)}`
      : '';
  return `${hold.type}${name}${alias}`;
}

function run<T>(hold: AutomationHold, version: string, action: () => T): T {
  const context = `${hold.file}: ${describeHold(hold)}`;
  if (!isValidVersion(version)) {
    throw new PinError(
      `${context}: refusing ${JSON.stringify(version)}: a version holds only letters, digits and . _ + - @ : / =`,
    );
  }
  try {
    return action();
  } catch (e) {
    if (e instanceof LocateError) throw new PinError(`${context}: ${e.message}`);
    throw e;
  }
}

function unknownType(hold: never): never {
  throw new PinError(
    `${(hold as { file?: string }).file ?? '?'}: unknown automation hold type ${JSON.stringify((hold as { type?: unknown }).type)}; expected one of ${AUTOMATION_HOLD_TYPES.join(', ')}`,
  );
}

/**
 * Whether the bot behind `hold` is already kept from selecting `version`: the semver range excludes
 * it, the automation is suspended, or an ignore pattern matches the tag. Throws PinError when the
 * file lacks the document or field the hold names, or when the hold cannot work (see holdVersion).
 */
export function isVersionHeld(text: string, hold: AutomationHold, version: string): boolean {
  return run(hold, version, () => {
    switch (hold.type) {
      case 'flux_image_policy':
        return isPolicyHeld(text, hold.name, version);
      case 'flux_image_update_automation':
        return isAutomationSuspended(text, hold.name);
      case 'argocd_image_updater':
        return isTagIgnored(text, hold.name, hold.alias, version);
      default:
        return unknownType(hold);
    }
  });
}

/**
 * The text with `version` held, changing only the bytes of the edited value (or adding one key or
 * list item, indented like its siblings, with the file's line endings). A version already held returns
 * the text unchanged. The result is read back and must hold the version and otherwise read exactly as
 * before, or PinError is thrown and nothing is returned.
 */
export function holdVersion(text: string, hold: AutomationHold, version: string): string {
  return run(hold, version, () => {
    switch (hold.type) {
      case 'flux_image_policy':
        return holdPolicy(text, hold.name, version);
      case 'flux_image_update_automation':
        return suspendAutomation(text, hold.name);
      case 'argocd_image_updater':
        return ignoreTag(text, hold.name, hold.alias, version);
      default:
        return unknownType(hold);
    }
  });
}
