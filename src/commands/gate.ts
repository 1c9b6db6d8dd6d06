import { mapBounded } from '../concurrency.js';
import type { Policy, ServicePolicy } from '../config/policy.js';
import { promotionSource } from '../config/promotion.js';
import { earlierRun, type EarlierRun } from '../gate/earlier.js';
import { changedPins } from '../gate/diff.js';
import {
  describeGate,
  type GateReport,
  type LockedChange,
  overallState,
  type PinChange,
  type Promotion,
  stateOf as gateState,
} from '../gate/report.js';
import { retryOf } from '../gate/retry.js';
import type { GitOpsStore, ReadRequest, Snapshot } from '../gitops/store.js';
import { LEGACY_LOCK_FILE, lockFileOf, lockFilesOf } from '../history/locks.js';
import type { MetricsProvider } from '../metrics/provider.js';
import type { Decision } from '../policy/types.js';
import { questionOf } from '../reconcile/measure.js';
import { judge } from '../reconcile/observe.js';
import { phaseOf, rolledAtMs } from '../reconcile/phase.js';
import { DEFAULT_RUN } from '../reconcile/ports.js';
import { stateOf } from '../reconcile/service.js';
import { reportEvidence } from '../report.js';
import { check, lockedMessage } from './check.js';

/*
 * The promotion gate (issue 15): for each pin a change sets to another version, find the earlier
 * stage that already runs that version (`promote_from:`, or the `stages:` order) and judge it there
 * with that stage's triggers, as `pinback run` judges a candidate (src/commands/evaluate.ts asks the
 * same question): allow is a passing check, stop a failing one, inconclusive a pending one that says
 * when to retry. The lock check (`pinback check`) runs on the change too. Reads only.
 */

export interface GateSides {
  /** The target branch (or revision): the earlier stages' pins and their history are read here. */
  base: GitOpsStore;
  /** The change: its pins and lock files. */
  head: GitOpsStore;
  /**
   * Where the change branched off (the merge base of base and head), against which its pins are
   * compared: a base that moved on since would show others' changes as the reverse of this one's.
   * Absent: the base itself.
   */
  forkPoint?: GitOpsStore | undefined;
  /** How the report names them (a ref, a branch, a sha). */
  baseName: string;
  headName: string;
}

export interface GateOptions {
  providers: ReadonlyMap<string, MetricsProvider>;
  now: Date;
  historyLimit?: number | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function gate(policy: Policy, sides: GateSides, o: GateOptions): Promise<GateReport> {
  const pinned = policy.services.filter((s) => s.pin);
  const locked: LockedChange[] = (await check(policy, sides.head)).map((l) => ({
    service: l.service,
    file: l.file,
    line: l.line,
    column: l.column,
    version: l.version,
    lock_file: l.lockFile,
    message: lockedMessage(l),
  }));
  let changes: PinChange[] = [];
  if (pinned.length > 0) {
    // The pins at both sides, one read each and no history: most pull requests change none.
    const files = [...new Set(pinned.map((s) => s.pin!.file))];
    const request = { files, historyOf: LEGACY_LOCK_FILE, limit: 0 };
    const [base, head] = await Promise.all([
      (sides.forkPoint ?? sides.base).read(request),
      sides.head.read(request),
    ]);
    changes = changedPins(pinned, base.files, head.files);
  }
  const byName = new Map(policy.services.map((s) => [s.name, s]));
  const planned = changes.map((c) => ({
    change: c,
    source: promotionSource(policy.services, policy.stages, byName.get(c.service)!),
  }));
  // The earlier stages' pins, locks and history: one read for all of them.
  const limit = o.historyLimit ?? DEFAULT_RUN.historyLimit;
  const sources = [
    ...new Set(
      planned.flatMap((p) =>
        p.source.kind === 'promote_from' || p.source.kind === 'stage' ? [p.source.from] : [],
      ),
    ),
  ].map((n) => byName.get(n)!);
  const requests = sources.map((s) => requestOf(s, limit, o.now));
  const snaps = new Map<string, { snap: Snapshot; request: ReadRequest }>();
  if (sources.length > 0) {
    const read = await sides.base.readAll(requests);
    sources.forEach((s, i) => snaps.set(s.name, { snap: read[i]!, request: requests[i]! }));
  }
  const promotions = await mapBounded(planned, 8, async ({ change, source }): Promise<Promotion> => {
    if (source.kind === 'none' || source.kind === 'ambiguous') {
      const why =
        source.kind === 'none'
          ? source.why
          : `services ${source.candidates.join(' and ')} of stage ${source.stage} both pin it (set promote_from)`;
      return {
        ...change,
        source: null,
        state: 'success',
        decision: 'allow',
        reason: 'not_promoted',
        detail: `${change.service} ${change.from ?? '(new)'} -> ${change.to} is no promotion: ${why}. pinback run guards it once merged.`,
        evidence: [],
      };
    }
    const from = byName.get(source.from)!;
    const { snap, request } = snaps.get(from.name)!;
    return judgePromotion(change, from, source.kind === 'stage' ? 'stages' : 'promote_from', snap, {
      ...o,
      limit,
      since: request.since,
      describe: `${sides.base.describe()}`,
      recordAuthors: policy.gitops?.recordAuthors,
    });
  });
  return {
    version: 1,
    base: sides.baseName,
    head: sides.headName,
    state: overallState(promotions, locked),
    description: describeGate(promotions, locked),
    promotions,
    locked,
  };
}

function requestOf(s: ServicePolicy, limit: number, now: Date): ReadRequest {
  const since = new Date(now.getTime() - s.guardWindowMs - (s.onRollback.verifyWindowMs ?? 0));
  return { files: [s.pin!.file, ...lockFilesOf(s.name)], historyOf: s.pin!.file, limit, since };
}

interface JudgeContext extends GateOptions {
  limit: number;
  since: Date | undefined;
  describe: string;
  recordAuthors: readonly string[] | undefined;
}

async function judgePromotion(
  change: PinChange,
  from: ServicePolicy,
  by: 'promote_from' | 'stages',
  snap: Snapshot,
  c: JudgeContext,
): Promise<Promotion> {
  const version = change.to;
  const state = stateOf(from, snap, c.limit, c.describe, c.since, c.recordAuthors);
  const run = earlierRun(from, state, snap.files, snap.history, version);
  const base = { ...change, source: { service: from.name, stage: from.stage, by } };
  const there = `${version} in ${from.stage} (${from.name})`;
  const gateOnly = (reason: string, detail: string): Promotion => ({
    ...base,
    state: 'failure',
    decision: 'stop',
    reason,
    detail,
    evidence: [],
  });
  switch (run.kind) {
    case 'locked':
      return gateOnly(
        'locked_in_earlier_stage',
        `${there} is locked (${run.reason}, rollback ${run.rollbackId}, ${run.lockedAt}, in ${run.lockFile}): it was rolled back there; promote a fixed version instead`,
      );
    case 'rolled_back':
      return gateOnly(
        'rolled_back_in_earlier_stage',
        `${there} was rolled back to ${run.to} at ${iso(run.at * 1000)} (${run.reason}, commit ${run.sha.slice(0, 12)}): promote a fixed version instead`,
      );
    case 'never':
      return gateOnly(
        'not_in_earlier_stage',
        `${version} has not run in ${from.stage}: ${from.name} pins ${run.pinned}, and none of the ${run.read} commits read pinned ${version}. Promote it to ${from.stage} first (or set promote_from: on ${change.service})`,
      );
    default:
      break;
  }
  const judged = await judgeThere(from, state, run, version, c);
  const evidence = judged.decision.evidence.map(reportEvidence);
  const verdict = gateState(judged.decision.decision);
  const out: Promotion = {
    ...base,
    state: verdict,
    decision: judged.decision.decision,
    reason: judged.decision.reason,
    detail: judged.detail,
    evidence,
  };
  if (verdict === 'failure') {
    out.detail +=
      `. Do not promote it: ${from.name}'s guard (pinback run, mode ${from.mode}) rolls it back there and locks it ` +
      `in ${lockFileOf(from.name)}; pin a fixed version instead`;
  }
  if (verdict === 'pending') {
    const open = judged.endMs >= c.now.getTime();
    const retry = open ? retryOf(from.rule, evidence, judged.sinceMs, c.now.getTime()) : undefined;
    if (retry) {
      out.retry_at = iso(retry.atMs);
      out.retry_why = retry.why;
      out.detail += `. Not enough evidence yet: retry after ${out.retry_at} (${retry.why})`;
    } else if (!open) {
      out.detail += `. Its time in ${from.stage} is over without enough evidence: a re-run will not decide it; judge it by hand (pinback evaluate) before merging`;
    }
  }
  return out;
}

/** The judgement there, the span it covers, and the sentence saying so. */
async function judgeThere(
  from: ServicePolicy,
  state: ReturnType<typeof stateOf>,
  run: Extract<EarlierRun, { kind: 'current' | 'past' }>,
  version: string,
  c: JudgeContext,
): Promise<{ decision: Decision; detail: string; sinceMs: number | undefined; endMs: number }> {
  const now = c.now.getTime();
  const ask = (candidate: string, stable: string | undefined, sinceMs: number | undefined, endMs: number) => {
    const since = sinceMs === undefined ? undefined : new Date(sinceMs);
    return judge(
      from,
      { candidate, stable },
      { providers: c.providers, end: new Date(endMs), since, deployedAt: since, series: true },
    );
  };
  if (run.kind === 'past') {
    const sinceMs = run.pinnedAt * 1000;
    const endMs = Math.min(run.replacedAt * 1000, sinceMs + from.guardWindowMs);
    return {
      decision: await ask(version, run.stable, sinceMs, endMs),
      detail: `ran in ${from.stage} (${from.name}) from ${iso(sinceMs)} until ${run.replacedBy} replaced it at ${iso(run.replacedAt * 1000)}: judged against ${run.stable ?? 'no stable'} over that time`,
      sinceMs,
      endMs,
    };
  }
  const phase = phaseOf(from, state, now);
  const against = `against ${state.stable ?? 'no stable'}`;
  const question = questionOf(from, state, phase, c.now);
  if (question && phase.kind === 'guarding') {
    return {
      decision: await question.ask(c.providers),
      detail: `pinned in ${from.stage} (${from.name}) at ${iso(phase.pinnedAt)}: judged ${against} since then, as pinback run judges it`,
      sinceMs: phase.pinnedAt,
      endMs: now,
    };
  }
  if (phase.kind === 'settled') {
    const endMs = phase.pinnedAt + from.guardWindowMs;
    return {
      decision: await ask(state.candidate, state.stable, phase.pinnedAt, endMs),
      detail: `pinned in ${from.stage} (${from.name}) at ${iso(phase.pinnedAt)}, past its guard window: judged ${against} over that window`,
      sinceMs: phase.pinnedAt,
      endMs,
    };
  }
  if (question && phase.kind === 'verifying') {
    return {
      decision: await question.ask(c.providers),
      detail: `${from.name} was rolled back to it from ${phase.rollback.from}: judged alone since the rollback (${iso(rolledAtMs(phase.rollback))})`,
      sinceMs: rolledAtMs(phase.rollback),
      endMs: now,
    };
  }
  if (phase.kind === 'standing' || phase.kind === 'verifying') {
    const sinceMs = rolledAtMs(phase.rollback);
    const endMs = Math.min(now, sinceMs + from.guardWindowMs);
    return {
      decision: await ask(state.candidate, state.candidate, sinceMs, endMs),
      detail: `${from.name} was rolled back to it from ${phase.rollback.from} at ${iso(sinceMs)}: judged alone since then`,
      sinceMs,
      endMs,
    };
  }
  return {
    decision: await ask(state.candidate, state.stable, undefined, now),
    detail: `pinned in ${from.stage} (${from.name}) by a commit older than the history read: judged ${against} over the trigger windows`,
    sinceMs: undefined,
    endMs: now,
  };
}
