/**
 * The Action's `mode: doctor`: the readiness checklist of every selected service in the job
 * summary, whatever the event. The GitOps repository is read through the same stores as a run;
 * the token's access is asked of GitHub for each repository a service writes to. The step fails
 * when a service falls short of the policy's `doctor:` minimum.
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:fs';
import { access as fsAccess } from 'node:fs/promises';
import { resolve } from 'node:path';
import { doctor } from '../commands/doctor.js';
import { UsageError } from '../config/errors.js';
import type { ServicePolicy } from '../config/policy.js';
import { nothingToDo, type Selection, selectServices } from '../config/select.js';
import { doctorMarkdown, serviceText, verdictLine } from '../doctor/render.js';
import type { Access, AccessNeed, Permission } from '../doctor/token-check.js';
import { createOctokit, type Octokit } from '../github/octokit.js';
import { repoAccess } from '../github/repo-access.js';
import { openGitHubStore } from '../github/store.js';
import { openGitStore } from '../gitops/git.js';
import type { GitOpsStore } from '../gitops/store.js';
import { classifyTarget, type Target } from '../gitops/target.js';
import { text } from '../incident/markdown.js';
import { providersFor } from '../metrics/registry.js';
import { maskPolicySecrets } from './secrets.js';
import type { Settings } from './settings.js';
import type { ActionContext } from './context.js';
import { loadActionPolicy } from './load-policy.js';

/** What the doctor touches of the runner. */
export type DoctorContext = Pick<ActionContext, 'env' | 'workspace' | 'log' | 'setOutput' | 'summary'>;

/** What pinback writes in the GitOps repository: the rollback commit, proposals and unlocks, decision statuses. */
const GITOPS_NEEDS: readonly Permission[] = ['contents', 'pull-requests', 'statuses'];

// No metrics source is required at load: one that cannot be read is "could not check" here.
const load = (ctx: DoctorContext, settings: Settings) => loadActionPolicy(ctx, settings);

async function openStore(
  ctx: DoctorContext,
  where: Target,
  branch: string | undefined,
  github: () => Octokit,
): Promise<GitOpsStore> {
  switch (where.kind) {
    case 'github':
      return openGitHubStore({
        octokit: github(),
        repo: where.repo,
        branch,
        graphqlUrl: ctx.env.GITHUB_GRAPHQL_URL,
      });
    case 'remote':
      return openGitStore({ target: where.url, branch, onWarning: ctx.log.warning });
    case 'local':
      return openGitStore({ target: resolve(ctx.workspace, where.path), branch, onWarning: ctx.log.warning });
  }
}

/** Runs `mode: doctor`; the failure message, or undefined when every service meets the minimum. */
export async function runDoctor(ctx: DoctorContext, settings: Settings): Promise<string | undefined> {
  ctx.setOutput('decision', 'none');
  ctx.setOutput('rolled-back', 'false');
  const policy = await load(ctx, settings);
  if (typeof policy === 'string') return policy;
  maskPolicySecrets(policy, ctx.log.secret);
  const selection: Selection = { terms: settings.services, shard: settings.shard };
  try {
    selectServices(policy, selection);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  const idle = nothingToDo(policy, selection);
  if (idle !== undefined) {
    ctx.log.info(idle);
    await ctx.summary(`## pinback doctor\n\n${text(idle)}\n`);
    return undefined;
  }

  const workflowRepo = ctx.env.GITHUB_REPOSITORY;
  const target = settings.gitopsRepo ?? policy.gitops?.repo ?? workflowRepo;
  let octokit: Octokit | undefined;
  const github = () => {
    if (!settings.token)
      throw new UsageError('input token is empty: pinback needs a token for the GitHub API');
    octokit ??= createOctokit({
      token: settings.token,
      apiUrl: ctx.env.GITHUB_API_URL ?? 'https://api.github.com',
      warn: ctx.log.warning,
    });
    return octokit;
  };
  let store: GitOpsStore | undefined;
  let unread = 'no GitOps repository: set input gitops-repo or gitops.repo in the policy';
  let where: Target | undefined;
  if (target) {
    try {
      where = classifyTarget(target, (p) => existsSync(resolve(ctx.workspace, p)));
      store = await openStore(ctx, where, settings.gitopsBranch ?? policy.gitops?.branch, github);
    } catch (e) {
      unread = (e as Error).message;
      ctx.log.warning(`the GitOps repository was not read: ${unread}`);
    }
  }

  // One question to GitHub per repository, whichever services write there.
  const asked = new Map<string, Promise<Access>>();
  const onGitHub = (repo: string): Promise<Access> => {
    let a = asked.get(repo);
    if (!a) {
      a = settings.token
        ? repoAccess(github(), repo, settings.token)
        : Promise.resolve({
            kind: 'unknown',
            reason: 'input token is empty',
            advice: 'set input token',
          } as const);
      asked.set(repo, a);
    }
    return a;
  };
  const gitopsAccess = async (): Promise<Access> => {
    if (!where) return { kind: 'unknown', reason: unread };
    if (where.kind === 'github') return onGitHub(where.repo);
    if (where.kind === 'remote')
      return {
        kind: 'unknown',
        reason: `${where.url} is written with git's credentials, which doctor does not try`,
      };
    const path = resolve(ctx.workspace, where.path);
    const writable = await fsAccess(path, constants.W_OK).then(
      () => true,
      () => false,
    );
    return { kind: 'local', path, writable };
  };
  const accessOf = async (s: ServicePolicy): Promise<AccessNeed[]> => {
    const gitops = where?.kind === 'github' ? where.repo : undefined;
    const incidents = s.onRollback.incident.repo ?? workflowRepo;
    const needs: AccessNeed[] = [
      {
        access: await gitopsAccess(),
        needs: incidents === gitops ? [...GITOPS_NEEDS, 'issues'] : GITOPS_NEEDS,
      },
    ];
    if (incidents && incidents !== gitops)
      needs.push({ access: await onGitHub(incidents), needs: ['issues'] });
    return needs;
  };

  try {
    const report = await doctor(policy, {
      store,
      unread,
      providers: providersFor(policy, ctx.workspace),
      now: new Date(),
      access: accessOf,
      selection,
      signal: AbortSignal.timeout(60_000),
    });
    for (const s of report.services) {
      ctx.log.info(serviceText(s));
      for (const c of s.checks)
        if (c.check === 'min_evidence' && c.status === 'not_checked')
          ctx.log.warning(`${s.service}: ${c.detail}`);
    }
    ctx.log.info(verdictLine(report));
    ctx.setOutput('doctor', JSON.stringify(report));
    await ctx.summary(doctorMarkdown(report));
    return report.ok ? undefined : verdictLine(report);
  } finally {
    await store?.close();
  }
}
