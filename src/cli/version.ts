// esbuild bundles the JSON import, so dist/cli.js carries the version it was built from.
import pkg from '../../package.json' with { type: 'json' };

/** The version of this build, from package.json. */
export const VERSION: string = pkg.version;
