/**
 * The decision benchmark's scenarios: healthy releases that must not be rolled back, bad ones that
 * must, and healthy ones whose metrics backend went away. Every scenario is a `Canary` (canary.ts)
 * drawn from its own seed, so the list, and every series in it, is a function of (seed, scale).
 *
 * Minute m of a canary covers the span ((m-1) min, m min] after the deploy. A regression that starts
 * `startS` seconds after the deploy weighs on each minute by the share of it that lies after the
 * start, which mixes rates exactly (errors, toxicity); latency and quality changes start on whole
 * minutes only, where no mixing is needed.
 */
import type { Base, Canary, Effects } from './canary.js';
import { rng } from './simulate.js';

export type Kind = 'http' | 'ai';
export type Family = 'healthy' | 'bad' | 'no-data';
type Metric = 'errors' | 'latency' | 'quality' | 'toxicity';

export interface Scenario {
  id: string;
  family: Family;
  /** The family's variant: `steady`, `diurnal`, ...; for bad ones the effect and its shape. */
  variant: string;
  kind: Kind;
  /** Candidate requests (responses) a minute. */
  rpm: number;
  stableRatio: number;
  /** What differs, for people: `errors x5`, `quality -0.06`, `backend down 35 min`. */
  effect: string;
  /** Bad ones: seconds after the deploy the regression (or its ramp) starts; 0 at the deploy. */
  startS: number | null;
  canary: Canary;
}

export const MINUTES = 120;
export const RPM: Record<Kind, readonly number[]> = { http: [20, 50, 150, 1000, 5000], ai: [5, 15, 30] };
export const STABLE_RATIOS: readonly number[] = [1, 3, 9];
const METRICS: Record<Kind, readonly Metric[]> = {
  http: ['errors', 'latency'],
  ai: ['errors', 'quality', 'toxicity'],
};
// The defaults' own numbers: an HTTP service at 0.5% errors and a 0.3 s median; an agent whose tool
// calls fail 1% of the time, whose answers score 0.82 (sd 0.12) and are flagged toxic 1% of the time.
export const BASE: Record<Kind, Base> = {
  http: {
    errors: 0.005,
    latencyMedian: 0.3,
    latencySigma: 0.6,
    quality: 0.82,
    qualitySd: 0.12,
    toxicity: 0.01,
  },
  ai: { errors: 0.01, latencyMedian: 0.3, latencySigma: 0.6, quality: 0.82, qualitySd: 0.12, toxicity: 0.01 },
};

/** Scenarios per cell at scale 1: ~2,000 healthy, ~1,500 bad, ~200 no-data. */
const PER_CELL = { healthy: 42, bad: 16, noData: 13 };

export const HEALTHY_VARIANTS = [
  'steady',
  'diurnal',
  'shared outage',
  'candidate spike',
  'scrape gaps',
  'within tolerance',
] as const;
export const NO_DATA_VARIANTS = ['backend down 20-60 min', 'backend down all window'] as const;

/** A bad effect: which metric, and its full level (a multiplier, or an addition for quality). */
interface BadEffect {
  metric: Metric;
  level: number;
  label: string;
}
const BAD_EFFECTS: Record<Kind, readonly BadEffect[]> = {
  http: [
    { metric: 'errors', level: 2, label: 'errors x2' },
    { metric: 'errors', level: 5, label: 'errors x5' },
    { metric: 'errors', level: 10, label: 'errors x10' },
    { metric: 'latency', level: 1.3, label: 'latency x1.3' },
    { metric: 'latency', level: 2, label: 'latency x2' },
  ],
  ai: [
    { metric: 'errors', level: 2, label: 'errors x2' },
    { metric: 'errors', level: 5, label: 'errors x5' },
    { metric: 'errors', level: 10, label: 'errors x10' },
    { metric: 'quality', level: -0.06, label: 'quality -0.06' },
    { metric: 'quality', level: -0.1, label: 'quality -0.1' },
    { metric: 'toxicity', level: 3, label: 'toxicity x3' },
    { metric: 'toxicity', level: 5, label: 'toxicity x5' },
  ],
};
export const BAD_SHAPES = ['step', 'ramp 30 min'] as const;
const RAMP_S = 30 * 60;

/** The share of minute m that lies after `startS` (0..1). */
export function after(m: number, startS: number): number {
  return Math.min(1, Math.max(0, (m * 60 - startS) / 60));
}

/** How far a ramp that starts at `startS` has come by the middle of minute m (0..1). */
function ramp(m: number, startS: number): number {
  return m * 60 <= startS ? 0 : Math.min(1, Math.max(0, (m * 60 - 30 - startS) / RAMP_S));
}

/** The candidate's effects for a regression of `metric` to `level`, shaped by `reach(m)` (0..1). */
export function regression(metric: Metric, level: number, reach: (m: number) => number): Effects {
  if (metric === 'quality') return { quality: (m) => level * reach(m) };
  return { [metric]: (m: number) => 1 + (level - 1) * reach(m) };
}

/** Both sides: a sine of ±40% over the window (one period), the load driving every level with it. */
function diurnal(phase: number, kind: Kind): Effects {
  const wave = (m: number) => 0.4 * Math.sin((2 * Math.PI * (m - 0.5)) / MINUTES + phase);
  const up = (m: number) => 1 + wave(m);
  // Quality is bounded: its shortfall from a perfect 1 grows and shrinks by the same ±40%.
  const shortfall = 1 - BASE[kind].quality;
  return { traffic: up, errors: up, latency: up, toxicity: up, quality: (m) => -shortfall * wave(m) };
}

/** During [from, to] (minutes), multiplies `metric` by `factor`. */
function window(metric: 'errors' | 'latency', factor: number, from: number, to: number): Effects {
  return { [metric]: (m: number) => (m >= from && m <= to ? factor : 1) };
}

const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

function healthy(
  variant: (typeof HEALTHY_VARIANTS)[number],
  kind: Kind,
  r: () => number,
): Partial<Canary> & {
  effect: string;
} {
  switch (variant) {
    case 'steady':
      return { effect: 'none' };
    case 'diurnal': {
      const phase = r() * 2 * Math.PI;
      return { effect: `±40% sine, phase ${phase.toFixed(2)}`, shared: diurnal(phase, kind) };
    }
    case 'shared outage': {
      const from = int(r, 1, MINUTES - 9);
      // An agent has no latency histogram: its outage is a burst of failed tool calls.
      const latency = kind === 'http' && r() < 0.5;
      const shared = latency ? window('latency', 3, from, from + 9) : window('errors', 20, from, from + 9);
      return { effect: `${latency ? 'latency x3' : 'errors x20'} at min ${from}-${from + 9}`, shared };
    }
    case 'candidate spike': {
      const at = int(r, 1, MINUTES);
      const latency = kind === 'http' && r() < 0.5;
      const candidate = latency ? window('latency', 3, at, at) : window('errors', 10, at, at);
      return { effect: `${latency ? 'latency x3' : 'errors x10'} at min ${at}`, candidate };
    }
    case 'scrape gaps': {
      const gaps: Array<{ from: number; to: number; side: 'both' | 'candidate' | 'stable' }> = [];
      const sides = ['both', 'candidate', 'stable'] as const;
      for (let i = int(r, 1, 3); i > 0; i--) {
        const from = int(r, 1, MINUTES);
        gaps.push({ from, to: Math.min(MINUTES, from + int(r, 0, 4)), side: sides[int(r, 0, 2)]! });
      }
      return { effect: gaps.map((g) => `${g.side} ${g.from}-${g.to}`).join(', '), gaps };
    }
    case 'within tolerance': {
      // Every metric a little worse at once, each inside its trigger's tolerance.
      const candidate: Effects =
        kind === 'http'
          ? { errors: () => 1.1, latency: () => 1.05 }
          : { errors: () => 1.1, toxicity: () => 1.1, quality: () => -0.01 * BASE.ai.quality };
      return {
        effect: kind === 'http' ? 'errors +10%, latency +5%' : 'errors +10%, toxicity +10%, quality -1%',
        candidate,
      };
    }
  }
}

/** The seed of scenario `index`: one generator per scenario, independent of how many there are. */
function seedOf(master: number, index: number): number {
  return Math.floor(rng((master ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0)() * 2 ** 32);
}

function canary(kind: Kind, rpm: number, stableRatio: number, seed: number, extra: Partial<Canary>): Canary {
  return { rpm, stableRatio, minutes: MINUTES, base: BASE[kind], metrics: METRICS[kind], seed, ...extra };
}

/** Every scenario of the benchmark, in a fixed order. `scale` multiplies the count of each cell (at least one). */
export function scenarios(master: number, scale: number): Scenario[] {
  const out: Scenario[] = [];
  const count = (n: number) => Math.max(1, Math.round(n * scale));
  const add = (s: Omit<Scenario, 'id' | 'canary'>, extra: Partial<Canary>, seed: number) => {
    const { rpm, stableRatio, kind } = s;
    out.push({ ...s, id: `${s.family}-${out.length}`, canary: canary(kind, rpm, stableRatio, seed, extra) });
  };
  for (const kind of ['http', 'ai'] as const) {
    for (const rpm of RPM[kind]) {
      for (const variant of HEALTHY_VARIANTS) {
        for (let i = 0; i < count(PER_CELL.healthy); i++) {
          const seed = seedOf(master, out.length);
          const { effect, ...extra } = healthy(variant, kind, rng(seed ^ 0x5bd1e995));
          const stableRatio = STABLE_RATIOS[i % 3]!;
          add({ family: 'healthy', variant, kind, rpm, stableRatio, effect, startS: null }, extra, seed);
        }
      }
      for (const bad of BAD_EFFECTS[kind]) {
        for (const shape of BAD_SHAPES) {
          for (let i = 0; i < count(PER_CELL.bad); i++) {
            const seed = seedOf(master, out.length);
            const r = rng(seed ^ 0x5bd1e995);
            // Half at the deploy, half 1-10 minutes after it.
            const startS = i % 2 === 0 ? 0 : int(r, 1, 10) * 60;
            const reach = shape === 'step' ? (m: number) => after(m, startS) : (m: number) => ramp(m, startS);
            const variant = `${bad.label}, ${shape}`;
            const candidate = regression(bad.metric, bad.level, reach);
            const stableRatio = STABLE_RATIOS[i % 3]!;
            add(
              { family: 'bad', variant, kind, rpm, stableRatio, effect: bad.label, startS },
              { candidate },
              seed,
            );
          }
        }
      }
      for (const variant of NO_DATA_VARIANTS) {
        for (let i = 0; i < count(PER_CELL.noData); i++) {
          const seed = seedOf(master, out.length);
          const r = rng(seed ^ 0x5bd1e995);
          const length = variant === 'backend down all window' ? MINUTES : int(r, 20, 60);
          const from = int(r, 1, MINUTES - length + 1);
          const gaps = [{ from, to: from + length - 1, side: 'both' as const }];
          const effect = `no data at min ${from}-${from + length - 1}`;
          add(
            {
              family: 'no-data',
              variant,
              kind,
              rpm,
              stableRatio: STABLE_RATIOS[i % 3]!,
              effect,
              startS: null,
            },
            { gaps },
            seed,
          );
        }
      }
    }
  }
  return out;
}

/** pinback's seed case: errors 0.5% -> 5% starting 90 s after the deploy. */
export const SEED_CASE = {
  rpm: [50, 200, 1000, 5000],
  stableRatios: [1, 9],
  runs: 100,
  startS: 90,
  level: 10,
};

export function seedCase(master: number, scale: number): Scenario[] {
  const out: Scenario[] = [];
  const runs = Math.max(1, Math.round(SEED_CASE.runs * scale));
  for (const rpm of SEED_CASE.rpm) {
    for (const stableRatio of SEED_CASE.stableRatios) {
      for (let i = 0; i < runs; i++) {
        const seed = seedOf(master ^ 0x2545f491, out.length);
        const candidate = regression('errors', SEED_CASE.level, (m) => after(m, SEED_CASE.startS));
        out.push({
          id: `seed-${out.length}`,
          family: 'bad',
          variant: 'seed case',
          kind: 'http',
          rpm,
          stableRatio,
          effect: 'errors 0.5% -> 5% at +90 s',
          startS: SEED_CASE.startS,
          canary: canary('http', rpm, stableRatio, seed, { candidate }),
        });
      }
    }
  }
  return out;
}
