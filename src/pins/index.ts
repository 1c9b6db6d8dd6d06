export { describeLocator, PinError } from './errors.js';
export type { DocumentMatch, PinLocator } from './locator.js';
export { type PinLocation, readPin, writePin } from './pin.js';
export { restorePin, stableTextIn } from './restore.js';
export { isDigest, isValidVersion } from './version.js';
