import type { Policy } from '../config/policy.js';
import type { Octokit } from '../github/octokit.js';
import { type CommitStatusRecorder, commitStatuses } from '../github/statuses.js';
import type { Target } from '../gitops/target.js';
import type { Settings } from './settings.js';

/**
 * The Action's decision records: commit statuses on the GitOps repository when it is on GitHub
 * and `record-statuses` is on. A dry run writes nothing, so neither the Action's `mode: dry-run`
 * nor a service's own records anything there.
 */
export function statusRecorder(
  settings: Settings,
  policy: Policy,
  where: Target,
  github: () => Octokit,
  env: NodeJS.ProcessEnv,
): CommitStatusRecorder | undefined {
  if (where.kind !== 'github' || !settings.recordStatuses || settings.mode === 'dry-run') return undefined;
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const inner = commitStatuses({
    octokit: github(),
    repo: where.repo,
    graphqlUrl: env.GITHUB_GRAPHQL_URL,
    commitUrl: (sha) => `${server}/${where.repo}/commit/${sha}`,
  });
  const dryRun = new Set(policy.services.filter((s) => s.mode === 'dry-run').map((s) => s.name));
  return {
    usage: inner.usage,
    record: (records) => inner.record(records.filter((r) => !dryRun.has(r.service))),
  };
}
