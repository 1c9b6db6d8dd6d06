/**
 * Distribution tails and confidence bounds the tests need (pure): Poisson and binomial tails, the
 * normal quantile, and exact Poisson confidence bounds on a count.
 */

/** ln Gamma(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
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

/**
 * The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P (Numerical Recipes 6.2):
 * the series where it converges fast (x < a + 1), the continued fraction elsewhere, each returned
 * directly so that a tiny tail keeps its digits.
 */
function incompleteGamma(a: number, x: number): { p: number; q: number } {
  if (x <= 0) return { p: 0, q: 1 };
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < 10_000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-15) break;
    }
    const p = Math.min(1, sum * front);
    return { p, q: 1 - p };
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  const q = Math.min(1, front * h);
  return { p: 1 - q, q };
}

/** P(X <= k) for X ~ Poisson(mean). */
export function poissonCdf(k: number, mean: number): number {
  const kk = Math.floor(k + 1e-9);
  if (kk < 0) return 0;
  if (mean <= 0) return 1;
  return incompleteGamma(kk + 1, mean).q;
}

/** P(X >= k) for X ~ Poisson(mean), k a count of events. */
export function poissonUpperTail(k: number, mean: number): number {
  const kk = Math.ceil(k - 1e-9);
  if (kk <= 0) return 1;
  if (mean <= 0) return 0;
  return incompleteGamma(kk, mean).p;
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

/** The standard normal quantile (Acklam's rational approximation, relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * Exact (Garwood) confidence bounds on a Poisson mean from `k` events: the mean below which `k`
 * or more would be rarer than `alpha` (lower), and above which `k` or fewer would be (upper).
 */
export function poissonBounds(k: number, alpha: number): { lower: number; upper: number } {
  const kk = Math.max(0, Math.round(k));
  const solve = (f: (m: number) => number, lo: number, hi: number): number => {
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) > 0) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const top = kk + 10 + 10 * Math.sqrt(kk + 1);
  // P(X <= k; upper) = alpha: the cdf falls as the mean grows.
  const upper = solve((m) => poissonCdf(kk, m) - alpha, 0, top * 4);
  // P(X >= k; lower) = alpha: the tail grows with the mean.
  const lower = kk === 0 ? 0 : solve((m) => alpha - poissonUpperTail(kk, m), 0, top * 4);
  return { lower, upper };
}
