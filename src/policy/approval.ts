/**
 * Two levels per trigger (`approve_below`, docs/judgement.md "Two levels: automatic and approved"),
 * like Keptn's warning and pass criteria: past its tolerance a trigger breaches; past its clear-cut
 * level the breach needs no person. A stop is judged a second time with each counted breach's
 * limits moved to their clear-cut levels: the same trigger, the same statistics (anytime-valid
 * tests at the same level, minimum evidence, `sustained`), a stricter limit. Pure.
 */
import { short as num } from './outcome.js';
import type { Approval, ClearCutLevels, Evidence, LimitOrigin, TriggerRule } from './types.js';

/**
 * The trigger as its clear-cut judgement sees it: each limit with a clear-cut level moved to it, the
 * others (and a ratio's burn rates) as they are, so a breach of those stays clear-cut. Undefined for
 * a trigger without `approve_below`.
 */
export function clearCutRule(rule: TriggerRule): TriggerRule | undefined {
  const a: ClearCutLevels | undefined = rule.approveBelow;
  if (!a) return undefined;
  return {
    ...rule,
    max: a.max ?? rule.max,
    min: a.min ?? rule.min,
    maxIncrease: a.maxIncrease ?? rule.maxIncrease,
    maxDecrease: a.maxDecrease ?? rule.maxDecrease,
    approveBelow: undefined,
  };
}

/** A counted breach of a stop: its trigger and its evidence (a breach, or missing data that stops). */
export interface CountedBreach {
  rule: TriggerRule;
  evidence: Evidence;
}

/** `1.8`, `5`, `0.97`: a multiple of the baseline as people read it. */
const times = (x: number) => String(Number(x.toPrecision(3)));

const OF: Record<Extract<LimitOrigin, { kind: 'relative' }>['of'], string> = {
  stable: 'the stable',
  before_deploy: 'before the deploy',
  before_deploy_bound: 'the pre-deploy bound',
};

/** `past`/`not shown past` (a test), `past`/`below` (a threshold), and their mirror for lower limits. */
function verdict(clear: Evidence, up: boolean): string {
  if (clear.breached) return up ? 'past' : 'under';
  if (clear.test === 'threshold') return up ? 'below' : 'above';
  return up ? 'not shown past' : 'not shown under';
}

/**
 * One counted breach against its two levels, with the evidence's numbers:
 * `error_rate x1.8 the stable (0.018 vs 0.01): above the 1.5x tolerance, not shown past the 5x auto level`.
 */
export function levelWords(rule: TriggerRule, e: Evidence, clear: Evidence): string {
  const a = rule.approveBelow ?? {};
  const o = e.limitFrom;
  const value = e.value;
  if (o?.kind === 'relative' && value !== null) {
    const up = o.bound === 'max_increase';
    const level = up ? a.maxIncrease : a.maxDecrease;
    const tolerance = up ? 1 + o.change : 1 - o.change;
    const ratio = o.baseline > 0 ? `x${times(value / o.baseline)} ` : '';
    const head = `${e.trigger} ${ratio}${OF[o.of]} (${num(value)} vs ${num(o.baseline)}): ${up ? 'above' : 'below'} the ${times(tolerance)}x tolerance`;
    if (level === undefined) return `${head}, a limit without a clear-cut level`;
    return `${head}, ${verdict(clear, up)} the ${times(up ? 1 + level : 1 - level)}x auto level`;
  }
  if (o?.kind === 'absolute' && value !== null) {
    const up = o.bound === 'max';
    const level = up ? a.max : a.min;
    const head = `${e.trigger} ${num(value)}: ${up ? 'above' : 'below'} the ${o.bound} ${num(e.limit)}`;
    if (level === undefined) return `${head}, a limit without a clear-cut level`;
    return `${head}, ${verdict(clear, up)} the auto level ${num(level)}`;
  }
  return `${e.trigger}: ${clear.breached ? 'past its clear-cut level' : 'breached a limit without a clear-cut level'}`;
}

/**
 * A stop judged at its clear-cut levels. `judge` evaluates a rule on the same observations, at the
 * same time and the same level as the stop's own judgement. Undefined when no counted breach has a
 * clear-cut level: the stop is clear-cut, as it always was. Clear-cut when any counted breach is past
 * its level, or has none (missing data that stops, a trigger without `approve_below`).
 */
export function approvalOf(
  counted: readonly CountedBreach[],
  judge: (rule: TriggerRule) => Evidence,
): Approval | undefined {
  const leveled = counted.filter((c) => c.rule.approveBelow !== undefined && c.evidence.breached);
  if (leveled.length === 0) return undefined;
  const levels = leveled.map((c) => judge(clearCutRule(c.rule)!));
  const words = leveled.map((c, i) => levelWords(c.rule, c.evidence, levels[i]!));
  const unleveled = counted.filter((c) => !leveled.includes(c));
  const past = levels.flatMap((e, i) => (e.breached ? [words[i]!] : []));
  if (past.length > 0) return { clearCut: true, levels, why: past.join('; ') };
  if (unleveled.length > 0) {
    const u = unleveled[0]!.evidence;
    const what = u.breached
      ? 'breached, without a clear-cut level'
      : 'no data, which stops (on_no_data: stop)';
    return { clearCut: true, levels, why: `${u.trigger} ${what}` };
  }
  return { clearCut: false, levels, why: words.join('; ') };
}
