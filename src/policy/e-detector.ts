/**
 * The anytime-valid sequential judgement (docs/judgement.md): a mixture of test martingales over
 * effect sizes and over the step at which a regression began. Pure.
 *
 * Each step brings, for every alternative on a grid (an odds ratio, a standardized mean shift), a
 * factor whose expectation is at most 1 when the candidate is within tolerance: a likelihood ratio
 * or a bet. The product of a component's factors from a start step on is a nonnegative
 * supermartingale under the null; a weighted average of such products over components and start
 * steps (weights summing to at most 1) is one too, and Ville's inequality bounds the probability that
 * it EVER reaches 1/alpha by alpha, however often it is looked at (Ville 1939; Howard, Ramdas,
 * McAuliffe and Sekhon 2021; Johari, Koomen, Pekelis and Walsh 2022). The average over start steps
 * is the Shiryaev-Roberts e-detector (Shin, Ramdas and Rinaldo 2024): a regression that begins an hour
 * after the deploy is not drowned by an hour of healthy evidence before it.
 *
 * Each factor is capped so that a single step (an isolated spike, a burst of retries) can never
 * stop alone: capping keeps each factor's expectation at most 1, so the guarantee stands.
 */

export interface DetectorSettings {
  /** The level: a healthy candidate crosses 1/alpha with probability at most alpha. */
  alpha: number;
  /** The fewest steps that can stop (see stepCap). */
  sustained: number;
  /** Steps in the guard window: a change may begin at any of them. */
  horizon: number;
}

/** One step's evidence: its index since the deploy (0 = the first step) and a factor per component. */
export interface StepFactors {
  index: number;
  /** Unix seconds of the step's end, for when the breach began. */
  t: number;
  factors: readonly number[];
}

export interface Detection {
  /** Unix seconds of the step at which the evidence first crossed 1/alpha, or null. */
  crossedAt: number | null;
  /** Unix seconds of the first step of the regression that crossed (the most likely start). */
  since: number | null;
  /** The largest value the mixture reached: 1/maxE is the anytime-valid p-value. */
  maxE: number;
  /** How many steps brought evidence. */
  steps: number;
}

/** Half of the prior mass on a regression that starts with the deploy, the rest spread as 1/s. */
const AT_DEPLOY = 0.5;

function harmonic(n: number): number {
  let h = 0;
  for (let s = 1; s <= n; s++) h += 1 / s;
  return h;
}

/** Prior mass of regressions starting at steps `from`..`to` (inclusive). */
function startMass(from: number, to: number, horizon: number, h: number): number {
  let mass = 0;
  for (let s = Math.max(0, from); s <= Math.min(to, horizon - 1); s++) {
    mass += s === 0 ? AT_DEPLOY : (1 - AT_DEPLOY) / (h * s);
  }
  return mass;
}

/**
 * The per-step cap. Before any step the mixture's components together weigh at most 1, so after
 * `sustained - 1` steps at the cap the mixture is at most a quarter of 1/alpha, wherever the
 * regression is supposed to have begun: a single spike (`sustained: 2`) can never stop, and the
 * minutes after it must favour a regression fourfold more for it to count. `sustained: 1` leaves a
 * step uncapped.
 */
export function stepCap(alpha: number, sustained: number): number {
  if (sustained <= 1) return Number.POSITIVE_INFINITY;
  return Math.pow(1 / (4 * alpha), 1 / (sustained - 1));
}

/** Runs the detector over the steps (oldest first). Steps without evidence are simply absent. */
export function detect(steps: readonly StepFactors[], s: DetectorSettings): Detection {
  const k = steps[0]?.factors.length ?? 0;
  const threshold = 1 / s.alpha;
  const horizon = Math.max(1, s.horizon);
  const cap = stepCap(s.alpha, s.sustained);
  const h = Math.max(1, harmonic(horizon - 1));
  // sums[j] = sum over start steps of w(start) * product of capped factors since then (component j).
  const sums = new Array<number>(k).fill(0);
  // The current run of steps that favoured each alternative: where a breach began, for people.
  const since = new Array<number | null>(k).fill(null);
  let started = 0;
  let previous = -1;
  let maxE = 1;
  let crossedAt: number | null = null;
  let crossedSince: number | null = null;
  for (const step of steps) {
    // Regressions that would have begun in a gap start with the next step that has evidence.
    const fresh = step.index > previous ? startMass(previous + 1, step.index, horizon, h) : 0;
    previous = Math.max(previous, step.index);
    started += fresh;
    let mixture = 0;
    for (let j = 0; j < k; j++) {
      const f = Math.min(cap, Math.max(0, step.factors[j]!));
      since[j] = f > 1 ? (since[j] ?? step.t) : null;
      sums[j] = (sums[j]! + fresh) * f;
      mixture += sums[j]! / k;
    }
    // Starts not yet reached carry their prior mass at 1: the mixture is a supermartingale throughout.
    const e = mixture + Math.max(0, 1 - started);
    if (e > maxE) maxE = e;
    if (crossedAt === null && e >= threshold) {
      crossedAt = step.t;
      let best = 0;
      for (let j = 1; j < k; j++) if (sums[j]! > sums[best]!) best = j;
      crossedSince = since[best] ?? step.t;
    }
  }
  return { crossedAt, since: crossedSince, maxE, steps: steps.length };
}
