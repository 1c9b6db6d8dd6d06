/**
 * One simulated canary: a candidate and its stable side by side, a step a minute, as the series the
 * file provider reads (per-step counts in parts: errors and toxicity as bad/total, latency as
 * cumulative buckets, quality as sum/count). What happens to each side over time is a function of
 * the minute since the deploy, so a regression can start late, ramp, or hit both sides at once.
 */
import { binomial, LATENCY_BUCKETS, latencyBuckets, poisson, qualitySum, rng } from './simulate.js';

/** How one side differs from the base at minute m (1 = the first minute after the deploy). */
export interface Effects {
  /** Multiplies the error probability. */
  errors?: (m: number) => number;
  /** Multiplies every latency (so every quantile). */
  latency?: (m: number) => number;
  /** Added to the mean quality score. */
  quality?: (m: number) => number;
  /** Multiplies the toxic-response probability. */
  toxicity?: (m: number) => number;
  /** Multiplies the traffic. */
  traffic?: (m: number) => number;
}

export interface Base {
  errors: number;
  latencyMedian: number;
  latencySigma: number;
  quality: number;
  qualitySd: number;
  toxicity: number;
}

export interface Canary {
  /** Candidate requests (or AI responses) a minute. */
  rpm: number;
  /** The stable's traffic as a multiple of the candidate's (a 10% canary: 9). */
  stableRatio: number;
  minutes: number;
  base: Base;
  metrics: ReadonlyArray<'errors' | 'latency' | 'quality' | 'toxicity'>;
  /** The candidate's own changes. */
  candidate?: Effects;
  /** Changes both sides share: an outage of a dependency, the time of day. */
  shared?: Effects;
  /** Minutes with no data: a scrape gap on one side or both, or the metrics backend down. */
  gaps?: ReadonlyArray<{ from: number; to: number; side: 'both' | 'candidate' | 'stable' }>;
  seed: number;
}

type Pairs = Array<[number, number]>;
export type SideSeries = Record<string, Record<string, Pairs | Record<string, Pairs>>>;

const one = () => 1;
const zero = () => 0;

function side(c: Canary, which: 'candidate' | 'stable', deployAt: number, r: () => number): SideSeries {
  const own = which === 'candidate' ? (c.candidate ?? {}) : {};
  const shared = c.shared ?? {};
  const f = (k: keyof Effects, dflt: (m: number) => number) => (m: number) =>
    (own[k] ?? dflt)(m) * ((shared[k] ?? dflt)(m) as number);
  const add = (m: number) => (own.quality ?? zero)(m) + (shared.quality ?? zero)(m);
  const traffic = f('traffic', one);
  const errors = f('errors', one);
  const latency = f('latency', one);
  const toxicity = f('toxicity', one);
  const out: SideSeries = {};
  const pairs = (name: string, part: string): Pairs => {
    out[name] ??= {};
    const holder = out[name] as Record<string, Pairs>;
    return (holder[part] ??= []);
  };
  const bucketPairs = (le: string): Pairs => {
    out.latency ??= { buckets: {} };
    const b = (out.latency as Record<string, Record<string, Pairs>>).buckets!;
    return (b[le] ??= []);
  };
  const rate = which === 'candidate' ? c.rpm : c.rpm * c.stableRatio;
  const gaps = (c.gaps ?? []).filter((g) => g.side === 'both' || g.side === which);
  for (let m = 1; m <= c.minutes; m++) {
    const t = deployAt + m * 60;
    const n = poisson(r, rate * traffic(m));
    // Draw even in a gap, so a gap changes nothing else about the scenario.
    const bad = binomial(r, n, Math.min(1, c.base.errors * errors(m)));
    const cum = c.metrics.includes('latency')
      ? latencyBuckets(r, n, c.base.latencyMedian * latency(m), c.base.latencySigma)
      : [];
    const q = c.metrics.includes('quality') ? qualitySum(r, n, c.base.quality + add(m), c.base.qualitySd) : 0;
    const toxic = binomial(r, n, Math.min(1, c.base.toxicity * toxicity(m)));
    if (gaps.some((g) => m >= g.from && m <= g.to)) continue;
    if (c.metrics.includes('errors')) {
      pairs('errors', 'bad').push([t, bad]);
      pairs('errors', 'total').push([t, n]);
    }
    if (c.metrics.includes('latency')) {
      LATENCY_BUCKETS.forEach((le, i) => bucketPairs(String(le)).push([t, cum[i]!]));
      bucketPairs('+Inf').push([t, n]);
    }
    if (c.metrics.includes('quality')) {
      pairs('quality', 'sum').push([t, q]);
      pairs('quality', 'count').push([t, n]);
    }
    if (c.metrics.includes('toxicity')) {
      pairs('toxicity', 'bad').push([t, toxic]);
      pairs('toxicity', 'total').push([t, n]);
    }
  }
  return out;
}

/** The series of both sides, keyed by version as the file provider reads them under a service. */
export function simulateCanary(
  c: Canary,
  deployAt: number,
  versions: { candidate: string; stable: string } = { candidate: 'candidate', stable: 'stable' },
): Record<string, SideSeries> {
  const r = rng(c.seed);
  // One generator, drawn alternately, keeps the sides independent and the scenario reproducible.
  const candidate = side(c, 'candidate', deployAt, rng(Math.floor(r() * 2 ** 32)));
  const stable = side(c, 'stable', deployAt, rng(Math.floor(r() * 2 ** 32)));
  return { [versions.candidate]: candidate, [versions.stable]: stable };
}
