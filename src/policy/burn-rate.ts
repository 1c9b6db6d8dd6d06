/**
 * Multi-window, multi-burn-rate SLO guards (Google SRE Workbook, "Alerting on SLOs", ch. 5) on a
 * ratio trigger's counts (pure).
 *
 * A condition holds when both its long and its short window burn the error budget (1 - objective)
 * at `factor` times the sustainable rate or faster. A candidate younger than the long window is read
 * over its whole life. Guards against false alarms: the long window's bad events must show a burn
 * faster than the factor (a Poisson tail at the test's level divided by the looks of the guard
 * window, so the level holds over all of them: the low-traffic false alarm the Workbook warns of);
 * a step in which the stable itself burns at the rate is shared and left out of the candidate's
 * windows; a condition the stable meets over the same windows is a shared breach; and with a stable
 * beside it, the candidate must also be shown worse than the stable.
 */
import { count, type LimitOutcome, pct, type TestSettings } from './outcome.js';
import { binomialUpperTail, poissonUpperTail } from './tails.js';

export { binomialUpperTail, poissonUpperTail };
import type { RatioRow } from './ratio.js';
import type { BurnRateWindow, Slo } from './types.js';

interface Burn {
  bad: number;
  total: number;
  rate: number | null;
}

/**
 * Bad and all events over the steps after `from`. With `threshold`, a step in which the stable
 * itself burns at the threshold or faster is shared (a dependency down for both) and left out: an
 * outage both versions suffered must not stay in the candidate's long window after it ends.
 */
function burnOver(
  rows: readonly RatioRow[],
  from: number,
  side: 'candidate' | 'stable',
  threshold?: number,
): Burn {
  let bad = 0;
  let total = 0;
  for (const r of rows) {
    if (r.t <= from) continue;
    if (
      threshold !== undefined &&
      r.stable &&
      r.stable.total > 0 &&
      r.stable.bad / r.stable.total >= threshold
    ) {
      continue;
    }
    const x = side === 'candidate' ? r : r.stable;
    if (!x) continue;
    bad += x.bad;
    total += x.total;
  }
  return { bad, total, rate: total > 0 ? bad / total : null };
}

function label(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;
}

/** Judges one burn-rate condition at `now`. */
function condition(
  rows: readonly RatioRow[],
  slo: Slo,
  w: BurnRateWindow,
  now: number,
  s: TestSettings,
): LimitOutcome & { held: boolean } {
  const budget = 1 - slo.objective;
  const threshold = w.factor * budget;
  const long = burnOver(rows, now - w.longMs / 1000, 'candidate', threshold);
  const short = burnOver(rows, now - w.shortMs / 1000, 'candidate', threshold);
  const heldRaw = (() => {
    const l = burnOver(rows, now - w.longMs / 1000, 'candidate');
    const sh = burnOver(rows, now - w.shortMs / 1000, 'candidate');
    return l.rate !== null && sh.rate !== null && l.rate >= threshold && sh.rate >= threshold;
  })();
  const held = long.rate !== null && short.rate !== null && long.rate >= threshold && short.rate >= threshold;
  // Burning faster than the factor, shown: the long window's bad events are too many for a
  // candidate that burns at exactly the factor, at the test's level divided by the looks of the guard
  // window (Bonferroni over looks: the burn rate is judged afresh at each one). A candidate burning at
  // 5x is never stopped by a 6x condition by chance, however often it is looked at.
  const perLook = s.alpha / Math.max(1, s.horizon);
  const p = poissonUpperTail(long.bad, long.total * threshold);
  const significant = p <= perLook;
  const sl = burnOver(rows, now - w.longMs / 1000, 'stable');
  const ss = burnOver(rows, now - w.shortMs / 1000, 'stable');
  const stableBurns = sl.rate !== null && ss.rate !== null && sl.rate >= threshold && ss.rate >= threshold;
  // With a stable beside it, a burn is the candidate's only when the candidate is also worse than
  // the stable over the same minutes (the conditional binomial test of ratio.ts, at the same level):
  // a stable too thinly used to show its own burn clearly must not make a shared one the candidate's.
  const sBad = burnOver(rows, now - w.longMs / 1000, 'stable', threshold);
  const comparable = sBad.total > 0;
  const worse =
    !comparable ||
    binomialUpperTail(
      Math.round(long.bad),
      Math.round(long.bad + sBad.bad),
      long.total / (long.total + sBad.total),
    ) <= perLook;
  const breached = held && significant && !stableBurns && worse;
  // Burning only through the shared steps: the stable burnt as fast at those very minutes.
  const sharedSteps = heldRaw && !held;
  const burn = (b: Burn) => (b.rate === null ? '-' : `${Number((b.rate / budget).toPrecision(3))}x`);
  const windows = `${label(w.longMs)}/${label(w.shortMs)}`;
  return {
    held,
    test: 'burn_rate',
    comparator: '>',
    value: long.rate,
    baseline: sl.rate,
    limit: threshold,
    from: { kind: 'burn_rate', factor: w.factor, budget, windows },
    breached,
    degradedAt: null,
    pValue: null,
    alpha: s.alpha,
    shared:
      held && significant && stableBurns
        ? `the stable burns the budget as fast over the same ${windows} (${burn(sl)} / ${burn(ss)})`
        : sharedSteps
          ? `the candidate burns the budget only in minutes when the stable burnt as fast (${windows})`
          : held && significant && !worse
            ? `the stable burns the budget too over the same ${windows} (${burn(sBad)}): the candidate is not shown worse`
            : null,
    detail:
      `burn rate ${burn(long)} over ${label(w.longMs)} and ${burn(short)} over ${label(w.shortMs)} of the ` +
      `${pct(budget)} budget (${count(long.bad)} of ${count(long.total)} bad), ${w.factor}x allowed: ` +
      (breached
        ? 'burning too fast'
        : held && !significant
          ? `not shown faster than ${w.factor}x yet`
          : stableBurns && held
            ? 'shared with the stable'
            : 'within budget'),
  };
}

/**
 * Every condition of the SLO at `now`; the breached one first. `degradedAt` of a breach is the start
 * of its short window (the burn is at least that old).
 */
export function judgeBurnRate(
  rows: readonly RatioRow[],
  slo: Slo,
  now: number,
  tests: (i: number) => TestSettings,
): LimitOutcome[] {
  return slo.windows.map((w, i) => {
    const { held: _held, ...o } = condition(rows, slo, w, now, tests(i));
    return o.breached
      ? { ...o, degradedAt: now - w.shortMs / 1000, onset: { kind: 'window', seconds: w.shortMs / 1000 } }
      : o;
  });
}
