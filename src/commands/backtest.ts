/**
 * `pinback backtest`: replays a policy over recorded series and says, per deploy, what a schedule
 * judging every `--step` would have decided, and when it would first have rolled back.
 */
import { mapBounded } from '../concurrency.js';
import type { Policy, ServicePolicy } from '../config/policy.js';
import type { MetricsProvider } from '../metrics/provider.js';
import { observe } from '../reconcile/observe.js';
import { type Deploy, type Replay, replay, type Summary, summarize } from '../backtest/replay.js';
import { UsageError } from '../config/errors.js';

export interface BacktestDeploy {
  deploy: Deploy;
  providers: ReadonlyMap<string, MetricsProvider>;
}

export interface BacktestResult {
  stepS: number;
  replays: Replay[];
  summary: Summary;
}

function serviceOf(policy: Policy, deploy: Deploy): ServicePolicy {
  const s = policy.services.find((x) => x.name === deploy.service);
  if (!s) {
    throw new UsageError(
      `deploy ${deploy.id}: no service ${deploy.service} in ${policy.file} (services: ${policy.services.map((x) => x.name).join(', ')})`,
    );
  }
  return s;
}

/** Reads each deploy's series once (concurrently, bounded), then replays it step by step. */
export async function backtest(
  policy: Policy,
  deploys: readonly BacktestDeploy[],
  stepS: number,
): Promise<BacktestResult> {
  const replays = await mapBounded(deploys, 16, async ({ deploy, providers }) => {
    const service = serviceOf(policy, deploy);
    const until = Math.min(deploy.until, deploy.at + service.guardWindowMs / 1000);
    const observed = await observe(
      service,
      { candidate: deploy.candidate, stable: deploy.stable },
      {
        providers,
        end: new Date(until * 1000),
        since: new Date(deploy.at * 1000),
        deployedAt: new Date(deploy.at * 1000),
        fromSince: true,
      },
    );
    return replay(service.rule, observed, { ...deploy, until }, stepS);
  });
  return { stepS, replays, summary: summarize(replays) };
}

const MARK = { allow: '.', inconclusive: '?', stop: 'X' } as const;

function minutes(s: number): string {
  return s % 60 === 0 ? `${s / 60}m` : `${Math.round(s)}s`;
}

/** One line per deploy (a mark per step: `.` allow, `?` inconclusive, `X` stop), then the summary. */
export function backtestText(r: BacktestResult): string {
  const lines = r.replays.map((x) => {
    const d = x.deploy;
    const at = new Date(d.at * 1000).toISOString();
    const head = `${d.service} ${d.candidate}${d.stable ? ` (stable ${d.stable})` : ''} deployed ${at}`;
    const verdict = x.firstStop
      ? `rolled back at +${minutes(x.firstStop.after)} by ${x.firstStop.triggers.join(', ') || 'no data'} [${x.firstStop.reason}]`
      : x.steps.length === 0
        ? 'nothing to replay (the deploy is newer than one step)'
        : `not rolled back in ${minutes(x.steps[x.steps.length - 1]!.after)} (${x.last?.decision} ${x.last?.reason})`;
    return `${head}: ${verdict}\n  ${x.steps.map((s) => MARK[s.decision]).join('')}`;
  });
  const s = r.summary;
  const when =
    s.rolledBack > 0
      ? ` (median +${minutes(s.after.median!)}, p90 +${minutes(s.after.p90!)} after the deploy)`
      : '';
  const by = Object.entries(s.byTrigger)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  return [
    ...lines,
    '',
    `${s.deploys} deploy(s) replayed every ${minutes(r.stepS)}: ${s.rolledBack} would have been rolled back${when}` +
      `${by ? `; by trigger: ${by}` : ''}${s.blind ? `; ${s.blind} never had the data to decide` : ''}.`,
  ].join('\n');
}

export function backtestJson(r: BacktestResult): unknown {
  return {
    version: 1,
    step_s: r.stepS,
    summary: {
      deploys: r.summary.deploys,
      rolled_back: r.summary.rolledBack,
      after_s: r.summary.after,
      by_trigger: r.summary.byTrigger,
      blind: r.summary.blind,
    },
    deploys: r.replays.map((x) => ({
      id: x.deploy.id,
      service: x.deploy.service,
      candidate: x.deploy.candidate,
      stable: x.deploy.stable ?? null,
      at: new Date(x.deploy.at * 1000).toISOString(),
      labels: x.deploy.labels,
      rolled_back: x.firstStop !== null,
      first_stop: x.firstStop && {
        after_s: x.firstStop.after,
        reason: x.firstStop.reason,
        triggers: x.firstStop.triggers,
        degraded_after_s: x.firstStop.degradedAfter,
      },
      timeline: x.steps.map((s) => MARK[s.decision]).join(''),
      steps: x.steps.map((s) => ({ after_s: s.after, decision: s.decision, reason: s.reason })),
      evidence: x.last?.evidence.map((e) => ({
        trigger: e.trigger,
        breached: e.breached,
        value: e.value,
        baseline: e.baseline,
        limit: e.limit,
        p_value: e.pValue,
        detail: e.detail ?? e.noData ?? e.undecided?.detail ?? null,
      })),
    })),
  };
}
