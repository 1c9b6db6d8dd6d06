/**
 * A promotion for the gate's tests: `api` runs in two stages, canary then prod, each a kustomize
 * overlay pinning ghcr.io/acme/api. 1.0.0 ran in both for days; 1.1.0 was pinned in canary
 * DEPLOYED_S_AGO ago; the change under test pins 1.1.0 in prod. The canary's metrics decide.
 */

export const CANARY_PIN = 'envs/canary/api/kustomization.yaml';
export const PROD_PIN = 'envs/prod/api/kustomization.yaml';
export const OLD = '1.0.0';
export const NEW = '1.1.0';
/** 1.1.0 reached canary this long ago: inside its 2h guard window. */
export const DEPLOYED_S_AGO = 1800;

export const overlay = (tag: string): string =>
  `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base/api
images:
  - name: ghcr.io/acme/api
    newTag: ${tag}
`;

/** Both stages in the order the gate reads them; `gitops` is gitops.repo (owner/name or a path). */
export const promotionPolicy = (gitops?: string): string =>
  `version: 1
${gitops ? `gitops: { repo: ${gitops}, branch: main }\n` : ''}stages: [canary, prod]
providers:
  metrics: { type: file, path: metrics.json }
defaults: { provider: metrics, step: 1m, guard_window: 2h }
services:
  canary-api:
    stage: canary
    pin: { file: ${CANARY_PIN}, kustomize_image: ghcr.io/acme/api }
    triggers:
      errors: { ratio: {}, max_increase: 20%, reason: error_spike }
  prod-api:
    stage: prod
    pin: { file: ${PROD_PIN}, kustomize_image: ghcr.io/acme/api }
    triggers:
      errors: { ratio: {}, max_increase: 20%, reason: error_spike }
`;

/** Bad and total requests a minute, for the canary's candidate (1.1.0) and its stable (1.0.0). */
export interface Traffic {
  candidate: { bad: number; total: number };
  stable: { bad: number; total: number };
}

/** 1% errors on both, 500 requests a minute on the canary: within limits, plenty of evidence. */
export const HEALTHY: Traffic = { candidate: { bad: 5, total: 500 }, stable: { bad: 45, total: 4500 } };
/** 12% errors on the canary against the stable's 1%. */
export const BREACHING: Traffic = { candidate: { bad: 60, total: 500 }, stable: { bad: 45, total: 4500 } };
/** Two requests a minute on the canary: 60 in 30 minutes, short of min_count (100). */
export const SPARSE: Traffic = { candidate: { bad: 0, total: 2 }, stable: { bad: 45, total: 4500 } };

/** The file provider's metrics: a count a minute since 1.1.0's deploy in canary, up to `nowS`. */
export function promotionMetrics(t: Traffic, nowS = Math.floor(Date.now() / 1000)): string {
  const steps = Math.floor(DEPLOYED_S_AGO / 60);
  const at = (i: number) => nowS - DEPLOYED_S_AGO + (i + 1) * 60;
  const series = (n: number) => Array.from({ length: steps }, (_, i) => [at(i), n]);
  const parts = (c: { bad: number; total: number }) => ({
    errors: { bad: series(c.bad), total: series(c.total) },
  });
  return JSON.stringify({ 'canary-api': { [NEW]: parts(t.candidate), [OLD]: parts(t.stable) } });
}
