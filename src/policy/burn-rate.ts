/**
 * Multi-window, multi-burn-rate SLO guards (Google SRE Workbook, "Alerting on SLOs", ch. 5) on a
 * ratio trigger's counts (pure).
 *
 * A condition holds when both its long and its short window burn the error budget (1 - objective)
 * at `factor` times the sustainable rate or faster. A candidate younger than the long window is read
 * over its whole life. Guards against false alarms: the long window's bad events must be
 * significant against a candidate that meets its objective (a Poisson tail at the test's level
 * divided by the looks of the guard window, so the level holds over all of them: the low-traffic
 * false alarm the Workbook warns of); a step in which the stable itself burns at the rate is shared
 * and left out of the candidate's windows; and a condition the stable meets over the same windows is
 * a shared breach, not the candidate's fault.
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

/** ln Gamma(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X >= k) for X ~ Binomial(n, p): the upper tail, term by term from its first. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  const kk = Math.max(0, Math.ceil(k - 1e-9));
  const nn = Math.round(n);
  if (kk <= 0) return 1;
  if (kk > nn || p <= 0) return 0;
  if (p >= 1) return 1;
  let term = Math.exp(
    logGamma(nn + 1) -
      logGamma(kk + 1) -
      logGamma(nn - kk + 1) +
      kk * Math.log(p) +
      (nn - kk) * Math.log1p(-p),
  );
  let sum = term;
  const odds = p / (1 - p);
  for (let i = kk; i < nn; i++) {
    term *= ((nn - i) / (i + 1)) * odds;
    sum += term;
    if (term < sum * 1e-12 && i > nn * p) break;
  }
  return Math.min(1, sum);
}

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
  const p = poissonUpperTail(long.bad, long.total * budget);
  const significant = p <= s.alpha / Math.max(1, s.horizon);
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
    ) <= s.alpha;
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
