import { humanDuration } from '../doctor/evidence-check.js';
import type { ServiceRule } from '../policy/types.js';
import type { ReportEvidence } from '../report.js';

/*
 * When an inconclusive promotion is worth judging again (pure). A count-aware trigger that lacks
 * evidence reaches its min_count at the rate it has gathered it since the version's deploy in the
 * earlier stage; any other undecided trigger (no data, a shared breach, too few samples) after one
 * trigger window. The retry is the latest of these: before it, the same question gets the same
 * answer.
 */

export interface Retry {
  /** Unix ms, rounded up to the minute. */
  atMs: number;
  /** Why then, for people: `errors: 37 of 100 requests at ~12/min, min_count in ~6 min`. */
  why: string;
}

const MINUTE = 60_000;

const perMinute = (n: number) => (n >= 10 ? String(Math.round(n)) : String(Number(n.toPrecision(2))));

function triggerRetry(
  rule: ServiceRule,
  e: ReportEvidence,
  sinceMs: number | undefined,
  nowMs: number,
): Retry | undefined {
  const t = rule.triggers.find((x) => x.name === e.trigger);
  const window = t ? Math.max(t.windowMs, t.stepMs) : MINUTE;
  const later = (why: string): Retry => ({ atMs: nowMs + window, why: `${e.trigger}: ${why}` });
  if (e.cause !== undefined)
    return later(`no data yet (${e.cause}); retry after one ${humanDuration(window)} window`);
  if (!e.undecided) return undefined;
  if (e.undecided.reason !== 'not_enough_traffic' || !e.count || !t) return later(e.undecided.detail);
  const have = e.count.candidate;
  const need = t.minCount - have;
  const elapsed = sinceMs === undefined ? 0 : nowMs - sinceMs;
  if (need <= 0) return later(e.undecided.detail);
  if (have <= 0 || elapsed <= 0) {
    return later(`no ${e.count.unit} yet; retry once the stage serves traffic`);
  }
  const rate = have / elapsed;
  const eta = need / rate;
  return {
    atMs: nowMs + eta,
    why: `${e.trigger}: ${Math.round(have)} of ${t.minCount} ${e.count.unit} at ~${perMinute(rate * MINUTE)}/min, min_count in ~${humanDuration(eta)}`,
  };
}

/**
 * The retry of an inconclusive judgement, from its evidence: undefined where no trigger waits for
 * anything (the judgement is not waiting on evidence).
 */
export function retryOf(
  rule: ServiceRule,
  evidence: readonly ReportEvidence[],
  sinceMs: number | undefined,
  nowMs: number,
): Retry | undefined {
  const each = evidence
    .map((e) => triggerRetry(rule, e, sinceMs, nowMs))
    .filter((r): r is Retry => r !== undefined);
  if (each.length === 0) return undefined;
  const latest = each.reduce((a, b) => (b.atMs > a.atMs ? b : a));
  return { atMs: Math.ceil(latest.atMs / MINUTE) * MINUTE, why: each.map((r) => r.why).join('; ') };
}
