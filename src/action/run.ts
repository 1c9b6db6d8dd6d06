import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { run } from '../reconcile/run.js';
import { watch } from '../reconcile/watch.js';
import { parseDuration } from '../config/duration.js';
import { UsageError } from '../config/errors.js';
import { nothingToDo, selectServices } from '../config/select.js';
import type { ServicePolicy } from '../config/policy.js';
import { createOctokit, type Octokit } from '../github/octokit.js';
import { gitHubProposals } from '../github/proposals.js';
import { sumUsage } from '../github/usage.js';
import { openGitStore } from '../gitops/git.js';
import { openGitHubStore } from '../github/store.js';
import { classifyTarget } from '../gitops/target.js';
import type { GitOpsStore, StoreUsage } from '../gitops/store.js';
import { workTreeStore } from '../gitops/worktree.js';
import { gitHubIncidentSink } from '../github/incidents.js';
import { text } from '../incident/markdown.js';
import { type IncidentSink, onceSink } from '../incident/sink.js';
import { providersFor } from '../metrics/registry.js';
import { notifiers } from '../notify/index.js';
import type { Ports } from '../reconcile/ports.js';
import { blindness, blindnessWarnings, type Report } from '../report.js';
import { proposeUnlock } from '../reconcile/unlock.js';
import type { AlertBatch } from '../alerts/types.js';
import { readAlerts, routedPlan } from './alerts.js';
import { runDoctor } from './doctor.js';
import { EventError, planFor } from './event.js';
import { runGate } from './gate.js';
import { noticeLine } from './notice.js';
import { proposalClosedUpdate } from './proposal-closed.js';
import { ActionSecrets, guardedContext, maskPolicySecrets, scrubError } from './secrets.js';
import { InputError, readSettings, type Settings } from './settings.js';
import { overallDecision, summaryMarkdown } from './summary.js';
import { loadActionPolicy } from './load-policy.js';
import { statusRecorder } from './statuses.js';

import type { ActionContext } from './context.js';

export type { ActionContext, Annotation } from './context.js';

const AUTHOR = { name: 'pinback', email: 'pinback@users.noreply.github.com' };

/** Runs one Action invocation; returns the failure message, or undefined when the step passes. */
/**
 * One Action run. Everything it logs, outputs or returns passes through a scrubber of the secrets
 * it learns (the token, the policy's credentials): an API error that echoes a token prints nothing
 * of it.
 */
export async function runAction(raw: ActionContext): Promise<string | undefined> {
  const secrets = new ActionSecrets();
  try {
    const failure = await runGuarded(guardedContext(raw, secrets));
    return failure === undefined ? undefined : secrets.scrub(failure);
  } catch (e) {
    throw scrubError(e, secrets.scrub);
  }
}

async function runGuarded(ctx: ActionContext): Promise<string | undefined> {
  let settings: Settings;
  try {
    settings = readSettings(ctx.input, parseDuration);
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  if (settings.token) ctx.log.secret(settings.token);
  // The readiness self-check answers every event alike: it reads, never writes.
  if (settings.mode === 'doctor') return runDoctor(ctx, settings);

  let plan: ReturnType<typeof planFor>;
  try {
    plan = planFor(
      ctx.event,
      ctx.payload,
      { terms: settings.services, shard: settings.shard },
      settings.mode === 'gate',
    );
  } catch (e) {
    if (e instanceof EventError) return e.message;
    throw e;
  }
  // An alert tool's dispatch: its alerts are read now, and mapped to services once the policy is.
  let alerts: AlertBatch | undefined;
  if (plan.kind === 'alerts') {
    const read = readAlerts(plan);
    if (read.kind === 'fail') return read.message;
    if (read.kind === 'ignore') plan = { kind: 'ignore', message: read.message };
    else alerts = read.batch;
  }
  if (plan.kind === 'ignore') {
    ctx.log.info(plan.message);
    ctx.setOutput('decision', 'none');
    ctx.setOutput('rolled-back', 'false');
    return undefined;
  }

  // Metrics sources are checked only where metrics will be read: a gate or an unlock reads none.
  const readsMetrics = plan.kind === 'reconcile' || plan.kind === 'alerts';
  const policy = await loadActionPolicy(
    ctx,
    settings,
    readsMetrics ? { metrics: { baseDir: ctx.workspace }, files: { baseDir: ctx.workspace } } : undefined,
  );
  if (typeof policy === 'string') return policy;
  maskPolicySecrets(policy, ctx.log.secret);

  if (plan.kind === 'alerts') {
    const routed = routedPlan(plan, alerts!, policy, settings.config);
    for (const line of routed.ignored) ctx.log.info(noticeLine(line, 'pinback: alert ignored'));
    ctx.log.info(routed.line);
    if (!routed.plan) {
      await publishIdle(ctx, routed.line, plan.trigger);
      return undefined;
    }
    plan = routed.plan;
  }

  // A reconcile's services are chosen before any repository is opened: a name or glob that picks
  // none fails the step, and a shard that holds none has nothing to open or read.
  let services: readonly ServicePolicy[] = [];
  if (plan.kind === 'reconcile') {
    try {
      services = selectServices(policy, plan.selection);
    } catch (e) {
      if (e instanceof UsageError) return e.message;
      throw e;
    }
    const idle = nothingToDo(policy, plan.selection);
    if (idle !== undefined) {
      await publishIdle(ctx, idle, plan.trigger);
      return undefined;
    }
  }

  const env = ctx.env;
  const workflowRepo = env.GITHUB_REPOSITORY;
  const target = settings.gitopsRepo ?? policy.gitops?.repo ?? (plan.kind === 'gate' ? '.' : workflowRepo);
  if (!target) return 'no GitOps repository: set input gitops-repo or gitops.repo in the policy';
  const branch = settings.gitopsBranch ?? policy.gitops?.branch;
  let octokit: Octokit | undefined;
  const github = () => {
    if (!settings.token)
      throw new UsageError('input token is empty: pinback needs a token for the GitHub API');
    octokit ??= createOctokit({
      token: settings.token,
      apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      warn: ctx.log.warning,
    });
    return octokit;
  };
  // Classified as the CLI classifies it; a path is relative to the workspace.
  const where = classifyTarget(target, (p) => existsSync(resolve(ctx.workspace, p)));
  const onGitHub = where.kind === 'github';
  const store: GitOpsStore =
    where.kind === 'github'
      ? openGitHubStore({ octokit: github(), repo: where.repo, branch, graphqlUrl: env.GITHUB_GRAPHQL_URL })
      : where.kind === 'remote'
        ? await openGitStore({ target: where.url, branch, onWarning: ctx.log.warning })
        : plan.kind === 'gate'
          ? workTreeStore(resolve(ctx.workspace, where.path))
          : await openGitStore({
              target: resolve(ctx.workspace, where.path),
              branch,
              onWarning: ctx.log.warning,
            });

  try {
    // The lock check and the promotion gate of a pull request (src/action/gate.ts).
    if (plan.kind === 'gate')
      return await runGate({ ctx, policy, plan, where, store, github: settings.token ? github : undefined });

    if (plan.kind === 'unlock') {
      if (!onGitHub)
        return 'unlocking by pull request needs the GitOps repo on GitHub (gitops-repo: owner/name)';
      const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
      const result = await proposeUnlock(store, gitHubProposals(github(), target), {
        rollbackId: plan.rollbackId,
        // Each service's lock file is read by name, beside the legacy file.
        services: policy.services.map((s) => s.name),
        author: AUTHOR,
        incident: `${server}/${workflowRepo}/issues/${plan.issue}`,
      });
      ctx.log.info(`${result.message}${result.pullRequest ? `: ${result.pullRequest}` : ''}`);
      ctx.setOutput('decision', 'none');
      ctx.setOutput('rolled-back', 'false');
      return undefined;
    }

    const serviceOf = (s: string) => policy.services.find((x) => x.name === s)!;
    const sinks = new Map<string, IncidentSink>();
    const sinkFor = (service: string): IncidentSink => {
      const repo = serviceOf(service).onRollback.incident.repo ?? workflowRepo!;
      let sink = sinks.get(repo);
      if (!sink) {
        sink = gitHubIncidentSink({
          octokit: github(),
          repo,
          labels: (s) => serviceOf(s).onRollback.incident.labels,
          assignees: (s) => serviceOf(s).onRollback.incident.assignees,
          template: async (s) => {
            const t = serviceOf(s).onRollback.incident.template;
            return t === undefined ? undefined : readFile(resolve(ctx.workspace, t), 'utf8');
          },
        });
        sinks.set(repo, sink);
      }
      return sink;
    };
    const incidents: IncidentSink | undefined =
      !workflowRepo || !settings.token
        ? undefined
        : {
            open: (i) => sinkFor(i.service).open(i),
            note: (id, service, line) => sinkFor(service).note(id, service, line),
            update: (id, service, u) => sinkFor(service).update(id, service, u),
          };
    if (plan.kind === 'proposal_closed') {
      // The pull request's ending is the observation: the incident records it, once.
      ctx.setOutput('decision', 'none');
      ctx.setOutput('rolled-back', 'false');
      if (!incidents || !policy.services.some((x) => x.name === plan.service)) {
        ctx.log.info(`${plan.trigger}: no incident to update for ${plan.service}`);
        return undefined;
      }
      const { where } = await incidents.update(plan.rollbackId, plan.service, proposalClosedUpdate(plan));
      ctx.log.info(
        `${plan.service}: proposal ${plan.merged ? 'merged' : 'closed without merging'}${where ? `; incident ${where}` : ''}`,
      );
      return undefined;
    }
    const runUrl =
      env.GITHUB_RUN_ID && workflowRepo
        ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${workflowRepo}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined;
    const signal = plan.signal ? `, alert: ${plan.signal.reason ?? 'no reason given'}` : '';
    const statuses = statusRecorder(settings, policy, where, github, env);
    const ports: Ports = {
      store,
      providers: providersFor(policy, ctx.workspace),
      incidents: onceSink(incidents),
      proposals: onGitHub ? gitHubProposals(github(), target) : undefined,
      // A dry run calls no executor: nothing is opened or sent, whatever the sinks.
      notifiers: (s) => notifiers(s.onRollback.notify),
      decisions: statuses,
      warn: ctx.log.warning,
      now: () => new Date(),
    };
    const runCtx = {
      signal: plan.signal ? `the alert (${plan.signal.reason ?? 'no reason given'})` : undefined,
      policyFile: settings.config,
      policyDigest: policy.digest,
      actor: `${env.GITHUB_ACTOR ?? 'github-actions'} via ${plan.trigger}${signal}`,
      runUrl,
      author: policy.gitops?.author ?? AUTHOR,
      recordAuthors: policy.gitops?.recordAuthors,
      mode: settings.mode === 'gate' ? undefined : settings.mode,
    };
    const result =
      settings.watchMs === undefined
        ? await run(services, ports, runCtx)
        : await watch(services, ports, runCtx, {
            durationMs: settings.watchMs,
            intervalMs: settings.intervalMs,
            print: ctx.log.info,
            sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          });
    await publish(ctx, result.report, plan.trigger, sumUsage(store.usage?.(), statuses?.usage()));
    for (const f of result.failures) ctx.log.error(`${f.service}: ${f.message}`);
    // A guard that cannot see says so: a warning annotation per service with triggers without data.
    for (const line of blindnessWarnings(result.report)) ctx.log.warning(line);
    if (result.failures.length) return `${result.failures.length} service(s) could not be reconciled`;
    if (settings.failOnStop && result.report.services.some((s) => s.decision === 'stop')) {
      return 'a service was stopped (fail-on-stop: true)';
    }
    const blind = blindness(result.report).filter((b) => b.blind);
    if (settings.failOnNoData && blind.length) {
      return `no trigger had data for ${blind.map((b) => b.service).join(', ')} (fail-on-no-data: true)`;
    }
    return undefined;
  } catch (e) {
    if (e instanceof UsageError || (e as Error).name === 'StoreError' || (e as Error).name === 'PinError')
      return (e as Error).message;
    throw e;
  } finally {
    await store.close();
  }
}

async function publish(
  ctx: ActionContext,
  report: Report,
  trigger: string,
  usage?: StoreUsage,
): Promise<void> {
  setOutputs(ctx, report);
  for (const s of report.services) ctx.log.info(`${s.service}: ${s.decision} ${s.reason} -> ${s.action}`);
  await ctx.summary(summaryMarkdown(report, trigger, usage));
}

/**
 * A shard that holds none of the chosen services: the outputs of a run over none (the reusable
 * workflow's merge reads every shard's), and the line saying why in the log and the job summary,
 * so that an empty report reads as a decision, not as a guard that saw nothing.
 */
async function publishIdle(ctx: ActionContext, line: string, trigger: string): Promise<void> {
  setOutputs(ctx, { version: 1, services: [] });
  ctx.log.info(line);
  await ctx.summary(`## pinback (${text(trigger)})\n\n${text(line)}\n`);
}

function setOutputs(ctx: ActionContext, report: Report): void {
  const acted = report.services.filter((s) => s.action === 'rolled_back' || s.action === 'proposed');
  ctx.setOutput('decision', overallDecision(report));
  // A proposal is not a rollback until someone merges it: workflows act on this output.
  ctx.setOutput('rolled-back', String(report.services.some((s) => s.action === 'rolled_back')));
  ctx.setOutput('report', JSON.stringify(report));
  ctx.setOutput('commit', acted.find((s) => s.commit)?.commit ?? '');
  ctx.setOutput('incident-url', report.services.find((s) => s.incident)?.incident ?? '');
}
