import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../src/records/decision.js';
import { runCli } from '../support/cli.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

const PIN = 'apps/api/kustomization.yaml';
const kustomization = (v: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${v}\n`;
const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m, window: 10m }
services:
  api:
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }
    triggers: { error_rate: { max: 0.05, reason: error_spike } }
`;

function setup() {
  const repo = new GitOpsRepo();
  repo.write(PIN, kustomization('1.0.0'));
  repo.commit('deploy api 1.0.0', 3 * 86_400);
  repo.write(PIN, kustomization('1.1.0'));
  const candidate = repo.commit('deploy api 1.1.0', 600);
  const dir = mkdtempSync(join(tmpdir(), 'pinback-policy-'));
  writeFileSync(join(dir, 'pinback.yml'), POLICY);
  const metrics = (errors: number[]) =>
    writeFileSync(
      join(dir, 'metrics.json'),
      metricsJson({ api: { '1.1.0': { error_rate: errors }, '1.0.0': { error_rate: [0.01, 0.01] } } }),
    );
  const log = join(dir, 'decisions.jsonl');
  const run = () =>
    runCli(['run', '-c', join(dir, 'pinback.yml'), '--gitops', repo.dir, '--decision-log', log]);
  const records = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as DecisionRecord);
  return { repo, candidate, metrics, run, records };
}

describe('pinback run --decision-log', () => {
  it('records each verdict on the pin commit once: pending while guarding, failure on the rollback, then the rollback standing', async () => {
    const s = setup();
    s.metrics([0.01, 0.01]);
    expect((await s.run()).code).toBe(0);
    expect((await s.run()).code).toBe(0);
    expect(s.records().map((r) => [r.version, r.state])).toEqual([['1.1.0', 'pending']]);

    s.metrics([0.09, 0.1]);
    expect((await s.run()).code).toBe(0);
    const rollback = s.repo.git('rev-parse', 'HEAD').trim();
    expect(rollback).not.toBe(s.candidate);
    await s.run();

    const records = s.records();
    expect(records.map((r) => [r.version, r.pin_commit, r.state, r.description])).toEqual([
      ['1.1.0', s.candidate, 'pending', 'guarding: within limits so far'],
      ['1.1.0', s.candidate, 'failure', 'stop (error_spike): rolled back to 1.0.0'],
      ['1.0.0', rollback, 'success', 'the rollback from 1.1.0 (error_spike) stands'],
    ]);
    expect(records[1]).toMatchObject({ action: 'rolled_back', commit: rollback });
  });
});
