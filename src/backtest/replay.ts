/**
 * A backtest replays the judgement as a schedule would have seen it (pure): for one deploy and its
 * recorded series, the decision at every step from the deploy to the end of its guard window, and
 * the first stop. The data are read once; each step sees only the samples up to it.
 */
import { decide } from '../policy/evaluate.js';
import type { Decision, ServiceRule, TriggerObservation, Verdict } from '../policy/types.js';

export interface Deploy {
  /** A name for the report: given in the series file, or the pin commit. */
  id: string;
  service: string;
  candidate: string;
  stable: string | undefined;
  /** Unix seconds. */
  at: number;
  /** The last moment replayed (unix seconds): the guard window's end, the next deploy, or the data's end. */
  until: number;
  labels: Record<string, string>;
}

export interface StepDecision {
  /** Seconds after the deploy. */
  after: number;
  decision: Verdict;
  reason: string;
}

export interface FirstStop {
  after: number;
  reason: string;
  /** The triggers that breached at that step. */
  triggers: string[];
  /** Seconds between the deploy and when the breach began, by the evidence. */
  degradedAfter: number | null;
}

export interface Replay {
  deploy: Deploy;
  steps: StepDecision[];
  firstStop: FirstStop | null;
  /** The decision at the last step replayed (the stop, when there was one). */
  last: Decision | undefined;
}

/**
 * Replays every `stepS` from the deploy on. After the first stop the schedule would have rolled
 * back, so the replay ends there.
 */
export function replay(
  rule: ServiceRule,
  observed: ReadonlyMap<string, TriggerObservation>,
  deploy: Deploy,
  stepS: number,
): Replay {
  const steps: StepDecision[] = [];
  let last: Decision | undefined;
  for (let t = deploy.at + stepS; t <= deploy.until + 1e-9; t += stepS) {
    last = decide(rule, observed, { now: t, deployedAt: deploy.at });
    steps.push({ after: t - deploy.at, decision: last.decision, reason: last.reason });
    if (last.decision === 'stop') {
      const breached = last.evidence.filter((e) => e.breached && e.action !== 'alert');
      const since = breached.map((e) => e.degradedAt).filter((x): x is number => x !== null);
      return {
        deploy,
        steps,
        last,
        firstStop: {
          after: t - deploy.at,
          reason: last.reason,
          triggers: breached.map((e) => e.trigger),
          degradedAfter: since.length ? Math.max(0, Math.min(...since) - deploy.at) : null,
        },
      };
    }
  }
  return { deploy, steps, firstStop: null, last };
}

export interface Summary {
  deploys: number;
  rolledBack: number;
  /** Seconds after the deploy of the first stops: median and 90th percentile (nearest rank). */
  after: { median: number | null; p90: number | null };
  /** How many first stops each trigger took part in. */
  byTrigger: Record<string, number>;
  /** Deploys whose every step was inconclusive or had no data (a guard that could not see). */
  blind: number;
}

function rank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1]!;
}

export function summarize(replays: readonly Replay[]): Summary {
  const stops = replays.flatMap((r) => (r.firstStop ? [r.firstStop] : []));
  const after = stops.map((s) => s.after).sort((a, b) => a - b);
  const byTrigger: Record<string, number> = {};
  for (const s of stops) for (const t of s.triggers) byTrigger[t] = (byTrigger[t] ?? 0) + 1;
  return {
    deploys: replays.length,
    rolledBack: stops.length,
    after: { median: rank(after, 0.5), p90: rank(after, 0.9) },
    byTrigger,
    blind: replays.filter((r) => r.steps.length > 0 && r.steps.every((s) => s.decision === 'inconclusive'))
      .length,
  };
}
