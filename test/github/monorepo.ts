import type { ReadRequest } from '../../src/gitops/store.js';
import { createGeneratedRepo, type GeneratedCommit } from '../support/fake-github/fixture.js';

/*
 * A generated GitOps monorepo for the GitHub store's batched reads: one pin file per service, a
 * history of deploys spread over the last hours, some of them merged with merge commits.
 */

export const LEGACY_LOCKS = '.pinback/locks.yaml';
export const pinOf = (i: number) => `apps/svc-${i}/kustomization.yaml`;
export const lockOf = (i: number) => `.pinback/locks/svc-${i}.yaml`;
export const kustomization = (tag: string) => `images:\n  - name: ghcr.io/acme/app\n    newTag: ${tag}\n`;

export const RENOVATE = { name: 'Renovate Bot', email: 'bot@renovateapp.com' };
export const DEVELOPER = { name: 'Dana Developer', email: 'dana@example.test' };
export const MAINTAINER = { name: 'Mo Maintainer', email: 'mo@example.test' };

export interface Monorepo {
  bare: string;
  oids: string[];
  /** The merge commits on the branch, newest last. */
  merges: string[];
}

/**
 * `services` pins created at `now - 3 days`, then `deploys` deploys, one a minute up to `now`, to
 * the services in turn (service k*7 % services); every `mergeEvery`-th deploy is a pull request's
 * commit (an hour older) merged with a merge commit. Deploys by the developer, merges by the
 * maintainer.
 */
export async function createMonorepo(o: {
  services: number;
  deploys: number;
  now: number;
  mergeEvery?: number;
}): Promise<Monorepo> {
  const files: Record<string, string> = { 'README.md': 'gitops\n' };
  for (let i = 0; i < o.services; i++) files[pinOf(i)] = kustomization('1.0.0');
  const commits: GeneratedCommit[] = [
    { files, message: 'bootstrap', time: o.now - 3 * 86_400, author: MAINTAINER },
  ];
  const merges: number[] = [];
  let main = 0;
  for (let k = 0; k < o.deploys; k++) {
    const time = o.now - (o.deploys - k) * 60;
    const change = { [pinOf((k * 7) % o.services)]: kustomization(`1.${k + 1}.0`) };
    const message = `deploy svc-${(k * 7) % o.services} 1.${k + 1}.0`;
    if (o.mergeEvery !== undefined && k % o.mergeEvery === 0) {
      commits.push({ files: change, message, time: time - 3600, parents: [main], author: DEVELOPER });
      commits.push({
        files: change,
        message: `Merge pull request #${k + 1} from acme/deploy-${k + 1}`,
        time,
        parents: [main, commits.length - 1],
        author: MAINTAINER,
      });
      merges.push(commits.length - 1);
    } else {
      commits.push({ files: change, message, time, parents: [main], author: DEVELOPER });
    }
    main = commits.length - 1;
  }
  const { bare, oids } = await createGeneratedRepo(commits, main);
  return { bare, oids, merges: merges.map((i) => oids[i]!) };
}

/** The read `run` makes for service `i`: its pin, its lock files, the pin's history back to `since`. */
export function serviceRead(i: number, since: Date, limit = 50): ReadRequest {
  return { files: [pinOf(i), lockOf(i), LEGACY_LOCKS], historyOf: pinOf(i), limit, since };
}
