/**
 * The bundled CLI, as a user runs it: `pinback import` on the documentation examples of Argo
 * Rollouts and Flagger writes a policy that the bundled `pinback check` and pinback's loader read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/load.js';
import { runCli } from '../support/cli.js';
import { IMPORT_FIXTURES } from '../support/import.js';

const dir = mkdtempSync(join(tmpdir(), 'pinback-import-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each([
  ['Argo Rollouts', ['argo-rollouts/analysis.yaml', 'argo-rollouts/prometheus.yaml'], 'guestbook'],
  ['Flagger', ['flagger/metrics.yaml', 'flagger/canary.yaml'], 'podinfo'],
])(
  'pinback import translates the %s documentation into a policy that loads',
  async (_tool, files, service) => {
    const out = join(dir, `${service}.yml`);
    const r = await runCli(['import', ...files.map((f) => join(IMPORT_FIXTURES, f)), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`^pinback import: \\d+ trigger\\(s\\) for ${service} written to`, 'm'),
    );
    const env = { BASIC_AUTH_USERNAME: 'u', BASIC_AUTH_SECRET: 'p' };
    const policy = await loadPolicy(out, env);
    expect(policy.services.map((s) => s.name)).toEqual([service]);
    // And pinback itself reads it: `check` loads the policy before it opens any repository.
    const check = await runCli(['check', '-c', out, '--gitops', join(dir, 'no-such-repo')], { env });
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('is not a git repository');
  },
);

it('exits 1 when nothing could be translated, and 2 for a file that does not exist', async () => {
  const none = await runCli(['import', join(IMPORT_FIXTURES, 'argo-rollouts/web.yaml')]);
  expect(none.code).toBe(1);
  expect(none.stdout).toBe('');
  const missing = await runCli(['import', join(dir, 'missing.yaml')]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('missing.yaml: no such file');
});
