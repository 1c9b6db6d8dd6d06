import { parsePolicy } from '../../src/config/load.js';
import type { Policy } from '../../src/config/policy.js';
import { createGit, type Git } from '../../src/gitops/git-command.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import type { RunOptions } from '../../src/reconcile/run.js';

/*
 * A fleet of services for the tests of runs over many of them (issue 13): one kustomization per
 * service, a policy rolling each back on an error rate, metrics where every candidate breaches,
 * and a git runner that counts the commands a store runs.
 */

export const STABLE = '1.0.0';
export const CANDIDATE = '1.1.0';

export const fleetNames = (count: number): string[] => Array.from({ length: count }, (_, i) => `svc${i}`);
export const pinOf = (s: string): string => `apps/${s}/kustomization.yaml`;
export const kustomization = (s: string, tag: string): string =>
  `images:\n  - name: ghcr.io/acme/${s}\n    newTag: ${tag}\n`;

/** Every service in mode auto on `error_rate`; `extra` lines go under each service. */
export function fleetPolicy(names: readonly string[], extra: readonly string[] = []): Policy {
  return parsePolicy(
    [
      'version: 1',
      'services:',
      ...names.flatMap((s) => [
        `  ${s}:`,
        '    mode: auto',
        `    pin: { file: ${pinOf(s)}, kustomize_image: ghcr.io/acme/${s} }`,
        '    triggers: { error_rate: { max: 0.05 } }',
        ...extra.map((l) => `    ${l}`),
      ]),
      '',
    ].join('\n'),
    'pinback.yml',
    {},
  );
}

/** Every candidate breaches: 20% errors against the stable's 1%. */
export const breaching: MetricsProvider = {
  query: async (q) => ({
    kind: 'samples',
    samples: [{ t: q.end.getTime() / 1000, v: q.version === CANDIDATE ? 0.2 : 0.01 }],
  }),
};

/** The real git runner, counting the commands run by subcommand (`log`, `push`, `update-ref`). */
export function countingGit(): Git & { counts: Map<string, number> } {
  const real = createGit();
  const counts = new Map<string, number>();
  return {
    counts,
    run(args, options) {
      // The subcommand: the first word that is no option and no option's value (`-c key=value`).
      const sub = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-c') ?? '';
      counts.set(sub, (counts.get(sub) ?? 0) + 1);
      return real.run(args, options);
    },
  };
}

/** What a test run of a fleet's policy is told about itself (`run`'s context). */
export function fleetRun(policy: Policy): RunOptions {
  return {
    policyFile: 'pinback.yml',
    policyDigest: policy.digest,
    actor: 'test',
    runUrl: undefined,
    author: { name: 'pinback', email: 'pinback@example.test' },
    mode: undefined,
  };
}
