import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeWhenDone } from './git.js';
import { GitOpsRepo, metricsJson } from './gitops.js';

/** svc-01 … svc-40: the services a 4-shard matrix splits in the shard tests. */
export const FORTY = Array.from({ length: 40 }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`);

/** The one service whose candidate breaches, so that a merged decision has something to say. */
export const BREACHING = 'svc-07';

export interface ShardedWorkspace {
  /** Holds pinback.yml and metrics.json (the file provider). */
  dir: string;
  /** The GitOps repository, where the services are pinned. */
  repo: GitOpsRepo | undefined;
}

const kustomization = (name: string, tag: string) =>
  `images:\n  - name: ghcr.io/acme/${name}\n    newTag: ${tag}\n`;

/**
 * A policy of `names` with one trigger each, read from a metrics file: every candidate (v2) healthy
 * but BREACHING's. `pinned`: each service pinned in a GitOps repository (v1 a day ago, then v2 five
 * minutes ago, inside the guard window), as `run` and the Action need; else fixed versions, as
 * `evaluate` without --gitops reads them.
 */
export function shardedWorkspace(names: readonly string[], o: { pinned: boolean }): ShardedWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'pinback-shards-'));
  removeWhenDone(dir);
  const service = (n: string) =>
    [
      `  ${n}:`,
      o.pinned
        ? `    pin: { file: apps/${n}/kustomization.yaml, kustomize_image: ghcr.io/acme/${n} }`
        : '    candidate: v2\n    stable: v1',
      '    triggers:',
      '      error_rate: { max: 0.05, reason: error_spike }',
    ].join('\n');
  writeFileSync(
    join(dir, 'pinback.yml'),
    [
      'version: 1',
      'providers:',
      '  m: { type: file, path: metrics.json }',
      'services:',
      ...names.map(service),
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'metrics.json'),
    metricsJson(
      Object.fromEntries(
        names.map((n) => [
          n,
          {
            v2: { error_rate: n === BREACHING ? [0.2, 0.3] : [0.01, 0.01] },
            v1: { error_rate: [0.01, 0.01] },
          },
        ]),
      ),
    ),
  );
  if (!o.pinned) return { dir, repo: undefined };
  const repo = new GitOpsRepo();
  for (const n of names) repo.write(`apps/${n}/kustomization.yaml`, kustomization(n, 'v1'));
  repo.commit('deploy v1', 86_400);
  for (const n of names) repo.write(`apps/${n}/kustomization.yaml`, kustomization(n, 'v2'));
  repo.commit('deploy v2', 300);
  return { dir, repo };
}
