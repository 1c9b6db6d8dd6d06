import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { policySchemaText } from '../src/config/json-schema.js';
import { ROOT } from './support/cli.js';

describe('committed artifacts', () => {
  it('dist/ matches a fresh build of src/', async () => {
    await expect(
      promisify(execFile)(process.execPath, ['scripts/build.mjs', '--check'], { cwd: ROOT }),
    ).resolves.toBeTruthy();
  });

  it('schema/pinback.schema.json matches the zod schema', () => {
    expect(readFileSync(resolve(ROOT, 'schema', 'pinback.schema.json'), 'utf8')).toBe(policySchemaText());
  });
});
