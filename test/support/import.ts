/** Helpers for the `pinback import` tests: the documentation fixtures and the real policy loader. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '../../src/config/load.js';
import type { Policy } from '../../src/config/policy.js';
import type { ImportOptions, Note, Translation } from '../../src/import/model.js';
import { renderPolicy } from '../../src/import/render.js';
import { translate } from '../../src/import/translate.js';
import { ROOT } from './cli.js';

export const IMPORT_FIXTURES = 'test/fixtures/import';

/** The fixtures (paths under test/fixtures/import), translated as `pinback import` would. */
export function translateFixtures(
  files: readonly string[],
  options: Partial<ImportOptions> = {},
): { t: Translation; text: string | undefined } {
  const paths = files.map((f) => join(IMPORT_FIXTURES, f));
  const t = translate(
    paths.map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') })),
    { args: {}, ...options },
  );
  return { t, text: renderPolicy(t, paths) };
}

/** The policy text as pinback's own loader reads it, each variable it names set to an example. */
export function load(text: string, t: Translation): Policy {
  const env = Object.fromEntries(t.env.map((v) => [v.name, v.example]));
  return parsePolicy(text, 'imported.yml', env);
}

/** `FILE:LINE path: [kind] message`, short enough to compare. */
export const noteAt = (n: Note): string =>
  `${n.file.split('/').pop()}:${n.line} ${n.path}: [${n.kind}] ${n.message}`;
