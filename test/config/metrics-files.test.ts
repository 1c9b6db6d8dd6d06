import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicyError, UsageError } from '../../src/config/errors.js';
import { loadPolicy } from '../../src/config/load.js';

const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
  prom: { type: prometheus, url: "http://prom:9090" }
services:
  api:
    candidate: 1.0.0
    provider: m
    triggers:
      errors: { max: 0.05 }
`;

const SEED = `rollback:
  stable_version: support-agent@2.3.3
  candidate_version: support-agent@2.4.0
  triggers:
    error_rate_p95: 0.05
`;

let dir: string;
let policyFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pinback-metrics-files-'));
  policyFile = join(dir, 'pinback.yml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected loadPolicy to fail');
}

describe('loadPolicy with the run metrics source', () => {
  it('makes a file provider whose path does not exist a policy error at that path', async () => {
    writeFileSync(policyFile, POLICY);
    const e = await failure(loadPolicy(policyFile, {}, { metrics: { baseDir: dir } }));
    expect(e).toBeInstanceOf(PolicyError);
    expect(e.message).toBe(
      `${policyFile}:3:26: providers.m.path: no such file: ${join(dir, 'metrics.json')} ` +
        `(a relative path is read from ${dir}); without it every trigger reading it has no data and pinback ` +
        'judges nothing: write the file before pinback runs, or fix the path',
    );
  });

  it('reads a relative path from the base folder it is given (the Action: the workspace)', async () => {
    writeFileSync(policyFile, POLICY);
    const workspace = join(dir, 'ws');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'metrics.json'), '{}');
    const policy = await loadPolicy(policyFile, {}, { metrics: { baseDir: workspace } });
    expect(policy.services[0]!.name).toBe('api');
    const e = await failure(loadPolicy(policyFile, {}, { metrics: { baseDir: dir } }));
    expect(e.message).toContain(`no such file: ${join(dir, 'metrics.json')}`);
  });

  it('refuses a directory where the metrics file should be', async () => {
    writeFileSync(policyFile, POLICY);
    mkdirSync(join(dir, 'metrics.json'));
    const e = await failure(loadPolicy(policyFile, {}, { metrics: { baseDir: dir } }));
    expect(e.message).toContain(
      `providers.m.path: ${join(dir, 'metrics.json')} is a directory, not a metrics file`,
    );
  });

  it('leaves a declared file provider no trigger reads alone', async () => {
    writeFileSync(
      policyFile,
      POLICY.replace('    provider: m\n', '    provider: prom\n').replace(
        'errors: { max: 0.05 }',
        "errors: { query: 'up', max: 0.05 }",
      ),
    );
    await expect(loadPolicy(policyFile, {}, { metrics: { baseDir: dir } })).resolves.toBeDefined();
  });

  it('makes a missing --metrics-file a usage error naming the path, whatever the policy names', async () => {
    writeFileSync(policyFile, POLICY);
    const missing = join(dir, 'metrics.jsn');
    const e = await failure(loadPolicy(policyFile, {}, { metrics: { baseDir: dir, metricsFile: missing } }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe(
      `--metrics-file ${missing}: no such file: ${missing}; ` +
        'without it every trigger reading it has no data and pinback judges nothing',
    );
  });

  it('takes an existing --metrics-file in place of the policy path', async () => {
    writeFileSync(policyFile, POLICY);
    writeFileSync(join(dir, 'other.json'), '{}');
    const policy = await loadPolicy(
      policyFile,
      {},
      {
        metrics: { baseDir: dir, metricsFile: join(dir, 'other.json') },
      },
    );
    expect(policy.services).toHaveLength(1);
  });

  it('makes triggers with no metrics source at all an error at the first of them', async () => {
    writeFileSync(policyFile, SEED);
    const e = await failure(loadPolicy(policyFile, {}, { metrics: { baseDir: dir } }));
    expect(e).toBeInstanceOf(PolicyError);
    expect(e.message).toMatch(`${policyFile}:5:21: rollback.triggers.error_rate_p95: no metrics source: `);
    expect(e.message).toContain('pass --metrics-file FILE');
    writeFileSync(join(dir, 'm.json'), '{}');
    await expect(
      loadPolicy(policyFile, {}, { metrics: { baseDir: dir, metricsFile: join(dir, 'm.json') } }),
    ).resolves.toBeDefined();
  });

  it('checks nothing without a metrics source (check, audit, the gate read no metrics)', async () => {
    writeFileSync(policyFile, POLICY);
    await expect(loadPolicy(policyFile, {})).resolves.toBeDefined();
    writeFileSync(policyFile, SEED);
    await expect(loadPolicy(policyFile, {})).resolves.toBeDefined();
  });
});
