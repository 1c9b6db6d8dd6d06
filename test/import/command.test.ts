/**
 * `pinback import FILE...` as a command: the documentation examples of Argo Rollouts and Flagger in,
 * a policy file out that `loadPolicy` (what every pinback command reads a policy with) loads; what
 * could not be translated on stderr; the exit status.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { importCommand, type ImportRequest } from '../../src/commands/import.js';
import { UsageError } from '../../src/config/errors.js';
import { loadPolicy } from '../../src/config/load.js';
import { IMPORT_FIXTURES } from '../support/import.js';

const dir = mkdtempSync(join(tmpdir(), 'pinback-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (f: string) => join(IMPORT_FIXTURES, f);

async function run(request: Partial<ImportRequest>, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await importCommand(
    { files: [], args: [], ...request },
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env },
  );
  return { code, stdout, stderr };
}

describe('pinback import', () => {
  it("translates Argo Rollouts' documentation examples into a policy that loads", async () => {
    const out = join(dir, 'argo.yml');
    const r = await run({
      files: ['analysis.yaml', 'prometheus.yaml', 'datadog.yaml', 'web.yaml'].map((f) =>
        fixture(`argo-rollouts/${f}`),
      ),
      args: ['canary-hash={{version}}'],
      out,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const policy = await loadPolicy(out, {
      DD_API_KEY: 'k',
      DD_APP_KEY: 'a',
      BASIC_AUTH_USERNAME: 'u',
      BASIC_AUTH_SECRET: 'p',
    });
    expect(policy.services.map((s) => [s.name, s.queries.length])).toEqual([['guestbook', 19]]);
    expect(r.stderr).toMatch(
      /^pinback import: 19 trigger\(s\) for guestbook written to .*argo.yml; \d+ not translated, \d+ translated with a difference; it reads BASIC_AUTH_USERNAME, BASIC_AUTH_SECRET, DD_API_KEY, DD_APP_KEY from the environment$/m,
    );
    // Each finding is a line a person can open: FILE:LINE:COL: key.path: [what] why.
    expect(r.stderr).toContain(
      `${fixture('argo-rollouts/web.yaml')}:20:23: spec.metrics[0].successCondition: [not translated] metric webmetric not translated:`,
    );
  });

  it("translates Flagger's documentation examples into a policy that loads", async () => {
    const out = join(dir, 'flagger.yml');
    const r = await run({ files: [fixture('flagger/metrics.yaml'), fixture('flagger/canary.yaml')], out });
    expect(r.code).toBe(0);
    const policy = await loadPolicy(out, {});
    expect(policy.services[0]!.queries.map((q) => q.name)).toEqual(['my-metric', '404s-percentage']);
    const datadog = await run({ files: [fixture('flagger/datadog.yaml')] });
    expect(datadog.code).toBe(0);
    writeFileSync(join(dir, 'dd.yml'), datadog.stdout);
    await expect(
      loadPolicy(join(dir, 'dd.yml'), { DD_API_KEY: 'k', DD_APP_KEY: 'a' }),
    ).resolves.toBeDefined();
  });

  it('writes to stdout without --out, with the source of every trigger in a comment', async () => {
    const r = await run({ files: [fixture('flagger/datadog.yaml')], service: 'web' });
    expect(r.stdout).toMatch(
      /^# Translated by pinback import from test\/fixtures\/import\/flagger\/datadog.yaml\./,
    );
    expect(r.stdout).toContain('#   DD_API_KEY: the Datadog API key');
    expect(r.stdout).toMatch(/# from .*datadog.yaml:51 Canary podinfo, metric 404s percentage/);
    expect(r.stdout).toMatch(/^services:\n {2}web:\n/m);
  });

  it('exits 1 and writes nothing when nothing could be translated', async () => {
    const out = join(dir, 'none.yml');
    const r = await run({ files: [fixture('argo-rollouts/web.yaml')], args: ['service-name=api'], out });
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(r.stderr).toContain(
      'pinback: nothing translated from test/fixtures/import/argo-rollouts/web.yaml: see why above',
    );
  });

  it.each([
    [{ files: [] }, 'pinback import needs the files to translate'],
    [{ files: ['missing.yaml'] }, 'missing.yaml: no such file'],
    [{ files: [fixture('flagger/datadog.yaml')], args: ['canary-hash'] }, '--arg takes NAME=VALUE'],
    [{ files: [fixture('flagger/datadog.yaml')], service: 'my service' }, 'a service name holds letters'],
  ] as const)('refuses %j as a usage error (exit 2)', async (request, message) => {
    await expect(run(request)).rejects.toThrow(UsageError);
    await expect(run(request)).rejects.toThrow(message);
  });

  it('refuses a file that is not YAML, at its line, and writes nothing', async () => {
    const bad = join(dir, 'bad.yaml');
    const out = join(dir, 'bad-out.yml');
    writeFileSync(bad, 'kind: AnalysisTemplate\nspec: [metrics\n');
    await expect(run({ files: [fixture('flagger/datadog.yaml'), bad], out })).rejects.toThrow(
      new RegExp(`^${bad}:\\d+:\\d+: not readable as YAML`),
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('the command line of pinback import', () => {
  it('takes files as operands, with --arg, --service and -o', () => {
    const line = parseCommandLine([
      'import',
      'a.yaml',
      '--arg',
      'x=1',
      'b.yaml',
      '--service',
      'api',
      '-o',
      'p.yml',
    ]);
    expect(line).toMatchObject({
      kind: 'command',
      command: 'import',
      operands: ['a.yaml', 'b.yaml'],
      values: { arg: ['x=1'], service: ['api'], out: 'p.yml' },
    });
  });

  it('still refuses a stray argument for a command that takes none', () => {
    expect(() => parseCommandLine(['check', 'a.yaml'])).toThrow(
      'unexpected argument "a.yaml" for pinback check',
    );
  });

  it('refuses an option of another command', () => {
    expect(() => parseCommandLine(['import', 'a.yaml', '--gitops', 'x'])).toThrow(
      '--gitops does not apply to pinback import',
    );
  });
});

it('the fixtures name the documentation they come from', () => {
  for (const f of ['argo-rollouts/analysis.yaml', 'argo-rollouts/datadog.yaml', 'flagger/metrics.yaml']) {
    expect(readFileSync(fixture(f), 'utf8')).toMatch(/^# (From|The Canary of) the .* documentation/);
  }
});
