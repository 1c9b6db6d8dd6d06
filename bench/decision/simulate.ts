/**
 * A deterministic canary simulator that works on counts, for the decision-quality benchmark and
 * the statistics' property tests. A candidate and its stable run side by side, one step a minute:
 * Poisson traffic; binomial errors and toxic responses; log-normal latencies counted into
 * Prometheus-style cumulative buckets (a multinomial draw per step); per-response quality scores
 * from a Beta distribution, summed. Everything is drawn from one seeded generator, so a seed is a
 * scenario.
 */

/** mulberry32: small, fast, and good enough for simulation (not for secrets). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(r: () => number): number {
  const u = Math.max(1e-300, r());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

function logFactorial(k: number): number {
  if (k < 2) return 0;
  // Stirling with the 1/12k term: plenty for the rejection step below.
  return (k + 0.5) * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * k);
}

/** Poisson: multiplication for small means, Hörmann's PTRS transformed rejection for large. */
export function poisson(r: () => number, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = r();
    while (p > limit) {
      k++;
      p *= r();
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = r() - 0.5;
    const v = r();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
      -mean + k * loglam - logFactorial(k)
    ) {
      return k;
    }
  }
}

/** Binomial: exact by trials for small n, Poisson for rare events, normal for the rest. */
export function binomial(r: () => number, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n <= 64) {
    let k = 0;
    for (let i = 0; i < n; i++) if (r() < p) k++;
    return k;
  }
  if (p < 0.05) return Math.min(n, poisson(r, n * p));
  const sd = Math.sqrt(n * p * (1 - p));
  return Math.min(n, Math.max(0, Math.round(n * p + sd * normal(r))));
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26 via erf). */
export function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Prometheus' default-like latency buckets, in seconds. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10,
];

/** Cumulative bucket counts of `n` log-normal latencies with median `median` and log-sd `sigma`. */
export function latencyBuckets(r: () => number, n: number, median: number, sigma: number): number[] {
  const cum: number[] = [];
  let left = n;
  let mass = 1;
  let counted = 0;
  let previous = 0;
  for (const le of LATENCY_BUCKETS) {
    const cdf = phi(Math.log(le / median) / sigma);
    const p = cdf - previous;
    previous = cdf;
    const k = mass > 0 ? binomial(r, left, Math.min(1, Math.max(0, p / mass))) : 0;
    left -= k;
    mass -= p;
    counted += k;
    cum.push(counted);
  }
  cum.push(n);
  return cum;
}

/** Gamma(shape, 1) by Marsaglia and Tsang. */
function gamma(r: () => number, shape: number): number {
  if (shape < 1) return gamma(r, shape + 1) * Math.pow(r(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(r);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = r();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** The sum of `n` quality scores from a Beta with mean `mean` and standard deviation `sd`. */
export function qualitySum(r: () => number, n: number, mean: number, sd: number): number {
  if (n <= 0) return 0;
  const m = Math.min(0.999, Math.max(0.001, mean));
  const k = Math.max(0.5, (m * (1 - m)) / (sd * sd) - 1);
  if (n > 40) return n * m + Math.sqrt(n) * sd * normal(r);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const a = gamma(r, m * k);
    const b = gamma(r, (1 - m) * k);
    s += a / (a + b);
  }
  return s;
}
