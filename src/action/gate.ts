import { resolve } from 'node:path';
import { check, lockedMessage } from '../commands/check.js';
import { gate, type GateSides } from '../commands/gate.js';
import type { Policy } from '../config/policy.js';
import { gateMarkdown } from '../gate/render.js';
import type { GateReport } from '../gate/report.js';
import { openCommitStore } from '../gitops/at-commit.js';
import type { GitOpsStore } from '../gitops/store.js';
import type { Target } from '../gitops/target.js';
import { GATE_CONTEXT, type GateGitHub, gateGitHub, type PullRequestRef } from '../github/gate.js';
import type { Octokit } from '../github/octokit.js';
import { openGitHubStore } from '../github/store.js';
import { providersFor } from '../metrics/registry.js';
import type { EventPlan } from './event.js';
import { RECHECK_LABEL } from './gate-event.js';
import type { ActionContext } from './context.js';

/*
 * The Action's gate (`mode: gate`, and every pull request): the lock check, and the promotion gate
 * of a pull request whose repository is the GitOps repository, reported as the commit status
 * `pinback/gate` on the pull request's head (docs/DESIGN.md, "Promotion gate").
 */

/** What the gate uses of the Action's context. */
export interface GateContext extends Pick<ActionContext, 'env' | 'workspace' | 'setOutput' | 'summary'> {
  log: Pick<ActionContext['log'], 'info' | 'warning' | 'error'>;
}

export interface GateRun {
  ctx: GateContext;
  policy: Policy;
  plan: Extract<EventPlan, { kind: 'gate' }>;
  /** The GitOps target as classified, and the store run.ts opened on it (the lock check's). */
  where: Target;
  store: GitOpsStore;
  /** The token's client; throws a message when the token is empty. */
  github: (() => Octokit) | undefined;
}

/** The lock check alone, on the store's branch or work tree: the gate as it was before promotions. */
async function lockCheck(g: GateRun): Promise<string | undefined> {
  const locked = await check(g.policy, g.store);
  annotateLocks(
    g.ctx,
    locked.map((l) => ({ ...l, message: lockedMessage(l) })),
  );
  g.ctx.setOutput('decision', locked.length ? 'stop' : 'allow');
  return locked.length ? `${locked.length} pin(s) name a locked version` : undefined;
}

function annotateLocks(
  ctx: GateContext,
  locked: readonly { file: string; line: number; column: number; message: string }[],
): void {
  for (const l of locked)
    ctx.log.error(l.message, {
      file: l.file,
      startLine: l.line,
      startColumn: l.column,
      title: 'pinback: locked version',
    });
}

const DECISION = { success: 'allow', failure: 'stop', pending: 'inconclusive' } as const;

export async function runGate(g: GateRun): Promise<string | undefined> {
  const { ctx, plan } = g;
  const env = ctx.env;
  const prRepo = plan.pull?.repo ?? env.GITHUB_REPOSITORY;
  // Promotions are a pull request's changes to the GitOps repository: judged where it is the
  // pull request's own (a local checkout is the workflow's repository, read as it was checked out).
  const own =
    prRepo !== undefined &&
    (g.where.kind === 'local' ||
      (g.where.kind === 'github' && g.where.repo.toLowerCase() === prRepo.toLowerCase()));
  if (!plan.pull && !plan.pending) return lockCheck(g);
  if (!own || !g.github) {
    ctx.log.info(
      !own
        ? `${GATE_CONTEXT}: the pull request's repository (${prRepo ?? 'unknown'}) is not the GitOps repository: promotions are not judged, only locks`
        : `${GATE_CONTEXT}: no token: promotions are not judged, only locks`,
    );
    return lockCheck(g);
  }
  const octokit = g.github();
  const gh = gateGitHub({ octokit, repo: prRepo!, graphqlUrl: env.GITHUB_GRAPHQL_URL });
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runUrl =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
      ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;

  let pulls: PullRequestRef[];
  if (plan.pull) {
    const p = plan.pull;
    pulls = [
      p.head && p.base
        ? {
            number: p.number,
            headSha: p.head.sha,
            headRef: p.head.ref,
            baseRef: p.base.ref,
            url: `${server}/${prRepo}/pull/${p.number}`,
          }
        : await gh.pull(p.number),
    ];
  } else {
    pulls = await gh.pendingPulls();
    ctx.log.info(`${GATE_CONTEXT}: ${pulls.length} open pull request(s) with a pending gate to judge again`);
  }
  // With `mode: gate`, a schedule still checks the branch's locks, as before.
  const lockFailure = plan.pull ? undefined : await lockCheck(g);

  // A `pull_request` run checks out the pull request's merge commit; a `pull_request_target`, a
  // comment's or a schedule's checks out the base branch, which is not the change.
  const checkedOut =
    g.where.kind === 'local' &&
    plan.pull?.head !== undefined &&
    /^pull_request(?!_target)/.test(plan.trigger);
  const reports: { pull: PullRequestRef; report: GateReport }[] = [];
  const failures: string[] = [];
  for (const pull of pulls) {
    const report = await gatePull(g, gh, pull, prRepo!, checkedOut);
    reports.push({ pull, report });
    annotateLocks(ctx, report.locked);
    for (const p of report.promotions) {
      const line = `${p.service} ${p.from ?? '(new)'} -> ${p.to}: ${DECISION[p.state]} ${p.reason}: ${p.detail}`;
      if (p.state === 'failure')
        ctx.log.error(line, {
          file: p.file,
          startLine: p.line,
          startColumn: p.column,
          title: 'pinback: promotion stopped',
        });
      else ctx.log.info(line);
    }
    ctx.log.info(
      `${GATE_CONTEXT} #${pull.number} ${pull.headSha.slice(0, 12)}: ${report.state}: ${report.description}`,
    );
    try {
      const written = await gh.setStatus(pull.headSha, report.state, report.description, runUrl);
      if (!written)
        ctx.log.info(`${GATE_CONTEXT}: the status of ${pull.headSha.slice(0, 12)} already says so`);
    } catch (e) {
      const status = (e as { status?: number }).status;
      ctx.log.warning(
        `${GATE_CONTEXT}: status not written on ${pull.headSha.slice(0, 12)}: ${status === 403 || status === 404 ? 'the token may not write commit statuses (grant statuses: write)' : (e as Error).message}`,
      );
    }
    if (plan.pull?.relabel) {
      // Removed so that adding it again asks again.
      await gh.removeLabel(pull.number, RECHECK_LABEL).catch((e: Error) => {
        ctx.log.warning(`${GATE_CONTEXT}: could not remove the label ${RECHECK_LABEL}: ${e.message}`);
      });
    }
    if (report.state === 'failure') failures.push(`#${pull.number}: ${report.description}`);
  }

  const worst =
    lockFailure !== undefined || reports.some((r) => r.report.state === 'failure')
      ? 'stop'
      : reports.some((r) => r.report.state === 'pending')
        ? 'inconclusive'
        : reports.length
          ? 'allow'
          : 'none';
  if (plan.pull || reports.length) ctx.setOutput('decision', worst);
  ctx.setOutput('rolled-back', 'false');
  ctx.setOutput(
    'report',
    JSON.stringify(
      reports.length === 1 ? reports[0]!.report : reports.map((r) => ({ pull: r.pull.number, ...r.report })),
    ),
  );
  await ctx.summary(
    reports.length
      ? reports.map((r) => gateMarkdown(r.report, plan.trigger, `#${r.pull.number}`)).join('\n')
      : `## pinback gate (${plan.trigger})\n\nno open pull request has a pending ${GATE_CONTEXT}\n`,
  );
  if (failures.length) return `the promotion gate says stop: ${failures.join('; ')}`;
  return lockFailure;
}

/** One pull request through the gate: its sides opened, judged, closed. */
async function gatePull(
  g: GateRun,
  gh: GateGitHub,
  pull: PullRequestRef,
  prRepo: string,
  checkedOut: boolean,
): Promise<GateReport> {
  const env = g.ctx.env;
  const opened: GitOpsStore[] = [];
  try {
    let head: GitOpsStore;
    let base: GitOpsStore | undefined;
    if (checkedOut && g.where.kind === 'local') {
      // The checked-out merge commit is the change; the base is read here when the checkout has it.
      head = g.store;
      const dir = resolve(g.ctx.workspace, g.where.path);
      base = await openCommitStore({
        path: dir,
        ref: g.plan.pull?.base?.sha || `origin/${pull.baseRef}`,
      }).catch(() => undefined);
      if (base) opened.push(base);
    } else {
      head = gh.filesAt(pull.headSha);
    }
    if (!base) {
      base = openGitHubStore({
        octokit: g.github!(),
        repo: prRepo,
        branch: pull.baseRef,
        graphqlUrl: env.GITHUB_GRAPHQL_URL,
      });
      opened.push(base);
    }
    const sides: GateSides = { base, head, baseName: pull.baseRef, headName: pull.headSha };
    return await gate(g.policy, sides, {
      providers: providersFor(g.policy, g.ctx.workspace),
      now: new Date(),
    });
  } finally {
    await Promise.all(opened.map((s) => s.close()));
  }
}
