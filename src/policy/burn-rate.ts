/**
 * Multi-window, multi-burn-rate SLO guards (Google SRE Workbook, "Alerting on SLOs", ch. 5) on a
 * ratio trigger's counts (pure).
 *
 * A condition holds when both its long and its short window burn the error budget (1 - objective)
 * at `factor` times the sustainable rate or faster. A candidate younger than the long window is read
 * over its whole life. Two guards against the low-traffic false alarm the Workbook warns of: the long
 * window's bad events must be significant against a candidate that meets its objective (a Poisson
 * tail at the test's level divided by the looks of the guard window, so the level holds over all of
 * them), and a condition the stable meets over the same windows is a shared breach, not the
 * candidate's fault.
 */
import { count, type LimitOutcome, pct, type TestSettings } from './outcome.js';
import type { RatioRow } from './ratio.js';
import type { BurnRateWindow, Slo } from './types.js';

/** P(X >= k) for X ~ Poisson(mean), by summing the lower tail (k is a count of events). */
export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  const whole = Math.ceil(k - 1e-9);
  let term = Math.exp(-mean);
  let below = term;
  for (let i = 1; i < whole; i++) {
    term *= mean / i;
    below += term;
    if (term < 1e-300 && i > mean) break;
  }
  return Math.max(0, 1 - below);
}

interface Burn {
  bad: number;
  total: number;
  rate: number | null;
}

function burnOver(rows: readonly RatioRow[], from: number, side: 'candidate' | 'stable'): Burn {
  let bad = 0;
  let total = 0;
  for (const r of rows) {
    if (r.t <= from) continue;
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
  const long = burnOver(rows, now - w.longMs / 1000, 'candidate');
  const short = burnOver(rows, now - w.shortMs / 1000, 'candidate');
  const held = long.rate !== null && short.rate !== null && long.rate >= threshold && short.rate >= threshold;
  const p = poissonUpperTail(long.bad, long.total * budget);
  const significant = p <= s.alpha / Math.max(1, s.horizon);
  const sl = burnOver(rows, now - w.longMs / 1000, 'stable');
  const ss = burnOver(rows, now - w.shortMs / 1000, 'stable');
  const stableBurns = sl.rate !== null && ss.rate !== null && sl.rate >= threshold && ss.rate >= threshold;
  const breached = held && significant && !stableBurns;
  const burn = (b: Burn) => (b.rate === null ? '-' : `${Number((b.rate / budget).toPrecision(3))}x`);
  const windows = `${label(w.longMs)}/${label(w.shortMs)}`;
  return {
    held,
    test: 'burn_rate',
    comparator: '>',
    value: long.rate,
    baseline: sl.rate,
    limit: threshold,
    breached,
    degradedAt: null,
    pValue: null,
    alpha: s.alpha,
    shared:
      held && significant && stableBurns
        ? `the stable burns the budget as fast over the same ${windows} (${burn(sl)} / ${burn(ss)})`
        : null,
    detail:
      `burn rate ${burn(long)} over ${label(w.longMs)} and ${burn(short)} over ${label(w.shortMs)} of the ` +
      `${pct(budget)} budget (${count(long.bad)} of ${count(long.total)} bad), ${w.factor}x allowed: ` +
      (breached
        ? 'burning too fast'
        : held && !significant
          ? 'too few events to tell a burn from chance yet'
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
    return o.breached ? { ...o, degradedAt: now - w.shortMs / 1000 } : o;
  });
}
