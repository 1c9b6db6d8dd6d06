/** Pure: is there a stable to return to, and is it unlocked? From what the GitOps repository says. */
import type { ServicePolicy } from '../config/policy.js';
import { type Locks, lockFor } from '../history/locks.js';
import type { PinState } from '../history/pin-state.js';
import { type CheckResult, missing, notChecked, pass } from './checks.js';
import type { PolicyShape } from './settings-checks.js';

/** What was read of the repository for one service, or why nothing was. */
export type RepositoryView =
  | { kind: 'unread'; reason: string }
  /** The pin could not be read as `run` reads it (no pin file, a value that is no version). */
  | { kind: 'broken'; problem: string }
  | { kind: 'pinned'; state: PinState; where: string }
  /** A service without a pin (the seed form): only its locks are read. */
  | { kind: 'locks'; locks: Locks; where: string };

export function stableCheck(s: ServicePolicy, shape: PolicyShape, repo: RepositoryView): CheckResult {
  const key = shape.seed ? 'rollback.stable_version' : `services.${s.name}.stable`;
  switch (repo.kind) {
    case 'unread':
      return notChecked(
        'stable',
        s.stable === 'auto'
          ? `stable: auto is chosen from the pin's git history, which was not read: ${repo.reason}`
          : `whether the fixed stable ${s.stable} is locked was not read: ${repo.reason}`,
        'pass --gitops PATH|URL (the Action: gitops-repo) to read the pins and locks',
      );
    case 'broken':
      return missing('stable', repo.problem, `fix services.${s.name}.pin or the pin file it names`);
    case 'locks': {
      if (s.stable === 'auto')
        return missing(
          'stable',
          'no pin: nothing to read a stable from, and nothing to roll back',
          `set services.${s.name}.pin: { file: …, kustomize_image: … }`,
        );
      const lock = lockFor(repo.locks, s.name, s.stable);
      return lock
        ? missing(
            'stable',
            `the fixed stable ${s.stable} is locked (rollback ${lock.rollback_id}, ${lock.reason}) in ${repo.where}`,
            `set ${key} to a version that is not locked`,
          )
        : pass('stable', `${s.stable} (fixed in the policy), not locked in ${repo.where}`);
    }
    case 'pinned': {
      const { state } = repo;
      if (state.stable !== undefined)
        return pass('stable', `${state.stable}, unlocked${state.stableWhy ? ` (${state.stableWhy})` : ''}`);
      return missing(
        'stable',
        `no stable to return to from ${state.candidate}: ${state.noStable ?? 'none found in the history read'}`,
        s.stable === 'auto'
          ? `pin a version that stays longer than min_stable_age, or set ${key}: VERSION (an unlocked one)`
          : `set ${key} to a version that is not locked and not the candidate, or stable: auto`,
      );
    }
  }
}
