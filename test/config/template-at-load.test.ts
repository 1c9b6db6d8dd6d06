import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/load.js';

const POLICY = `version: 1
services:
  api:
    pin: { file: apps/api/kustomization.yaml, kustomize_image: ghcr.io/acme/api }
    triggers: { error_rate: { max: 0.05 } }
    on_rollback:
      incident: { template: rca/missing.md }
`;

describe('an incident template the run would read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinback-template-'));
  const file = join(dir, 'pinback.yml');
  writeFileSync(file, POLICY);

  it('is a policy error at its line when it does not exist, before anything is committed', async () => {
    await expect(loadPolicy(file, {}, { files: { baseDir: dir } })).rejects.toThrow(
      /pinback\.yml:7:\d+: .*no such file: .*rca\/missing\.md/,
    );
  });

  it('is not checked where no incident is written', async () => {
    await expect(loadPolicy(file, {})).resolves.toMatchObject({ services: [{ name: 'api' }] });
  });
});
