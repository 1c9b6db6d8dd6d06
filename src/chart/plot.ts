/**
 * Samples become a small plot (pure): at most `maxPoints` evenly spaced points, each the mean of
 * the samples in its bucket, every line with a value at every point, numbers rounded to what the
 * chart's height can show, and the events (deploy, rollback) placed at the point they fall on.
 *
 * Evenly spaced, because a Mermaid line on a numeric x-axis spreads its values evenly from the
 * axis' min to its max; a value at every point, because a Mermaid line has no gaps. So the plot
 * spans only the buckets where every line has data (as the judgement pairs candidate and stable
 * steps), and a bucket a line lacks inside that span takes the straight line between its
 * neighbours, which is what the drawn line shows there anyway.
 */
import type { Sample } from '../policy/types.js';

export interface PlotLine {
  name: string;
  samples: readonly Sample[];
}

/** Something that happened at a time (unix seconds): the deploy, the rollback. */
export interface PlotEvent {
  label: string;
  at: number;
}

export interface PlotInput {
  /** The lines, the first the one that must be drawn; a later one that would leave fewer than two points is left out. */
  lines: readonly PlotLine[];
  /** A flat line (the trigger's limit). */
  limit?: number | undefined;
  /** Unix seconds that x counts from (the deploy); the first sample when undefined. */
  origin: number | undefined;
  events: readonly PlotEvent[];
  /** The samples' own step, seconds: a point is never narrower (no bucket between two samples). */
  stepSec: number;
  maxPoints?: number | undefined;
}

export interface PlacedEvent extends PlotEvent {
  /** Time after the origin, in the plot's unit. */
  x: number;
  /** The point it is drawn at (the nearest, within two points' span of it), or undefined when off the plot. */
  index: number | undefined;
}

export interface Plot {
  /** The unit of x: minutes, or seconds for points a few seconds apart. */
  unit: 'minutes' | 'seconds';
  /** x of the first point, and the distance between points, in `unit`; exact binary fractions. */
  xFrom: number;
  every: number;
  /** Seconds a point spans, and whether points average several samples. */
  bucketSec: number;
  averaged: boolean;
  /** The lines kept, each with one value a point, rounded. */
  lines: { name: string; values: number[] }[];
  limit: number | undefined;
  /** The y range shown, and the decimals of its values. */
  y: { lo: number; hi: number; decimals: number };
  events: PlacedEvent[];
}

export const MAX_POINTS = 60;

/** Bucket widths, seconds: those under a minute are exact in seconds, 15 and 30 s exact in minutes too. */
const WIDTHS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

/** Values beyond this are no metric anyone charts (and would print with an exponent). */
const LIMIT = 1e15;

const finite = (samples: readonly Sample[]): Sample[] =>
  samples
    .filter((s) => Number.isFinite(s.t) && Number.isFinite(s.v) && Math.abs(s.v) <= LIMIT)
    .sort((a, b) => a.t - b.t);

/** The narrowest width at least the step that keeps the span within `maxPoints` buckets. */
function widthFor(spanSec: number, stepSec: number, maxPoints: number): number {
  const fits = (w: number) => Math.floor(spanSec / w) + 2 <= maxPoints;
  const w = WIDTHS.find((x) => x >= stepSec && fits(x));
  if (w !== undefined) return w;
  let days = 2;
  while (!fits(days * 86_400)) days *= 2;
  return Math.max(days * 86_400, Math.ceil(stepSec / 86_400) * 86_400);
}

/**
 * Point k stands at origin + kw, for the span (origin + (k-1)w, origin + kw]. A sample stamps the
 * end of the step it measures: it belongs to the point whose span holds its step's middle, so that
 * samples on a grid of their own (a minute ending at :00, a deploy at :12) fall where they measure.
 */
const bucketOf = (t: number, stepSec: number, origin: number, w: number) =>
  Math.ceil((t - stepSec / 2 - origin) / w - 1e-9);

function means(samples: readonly Sample[], stepSec: number, origin: number, w: number): Map<number, number> {
  const sums = new Map<number, { s: number; n: number }>();
  for (const { t, v } of samples) {
    const k = bucketOf(t, stepSec, origin, w);
    const x = sums.get(k) ?? { s: 0, n: 0 };
    sums.set(k, { s: x.s + v, n: x.n + 1 });
  }
  return new Map([...sums].map(([k, { s, n }]) => [k, s / n]));
}

/** A value at every k of [from, to]: a missing one on the straight line between its neighbours. */
function filled(at: ReadonlyMap<number, number>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from; k <= to; k++) {
    const v = at.get(k);
    if (v !== undefined) {
      out.push(v);
      continue;
    }
    let a = k - 1;
    while (!at.has(a)) a--;
    let b = k + 1;
    while (!at.has(b)) b++;
    out.push(at.get(a)! + ((at.get(b)! - at.get(a)!) * (k - a)) / (b - a));
  }
  return out;
}

/** `x` rounded up (or down) to a tenth of the magnitude of `span`: 0.1047 -> 0.11. */
function nice(x: number, span: number, up: boolean): number {
  const unit = 10 ** Math.floor(Math.log10(span)) / 10;
  const n = (up ? Math.ceil : Math.floor)(x / unit - (up ? 1e-9 : -1e-9)) * unit;
  return Number(n.toPrecision(12));
}

/** The y range: from zero (or below, for negative values) to a little over the highest value. */
function yRange(values: readonly number[]): Plot['y'] {
  let lo = Math.min(0, ...values);
  let hi = Math.max(...values);
  if (!(hi > lo)) hi = lo + (Math.abs(lo) || 1);
  const span = hi - lo;
  hi = nice(hi + span * 0.05, span, true);
  if (lo < 0) lo = nice(lo - span * 0.05, span, false);
  const decimals = Math.min(10, Math.max(0, 3 - Math.floor(Math.log10(hi - lo))));
  return { lo, hi, decimals };
}

const round = (v: number, decimals: number) => {
  const r = Number(v.toFixed(decimals));
  return r === 0 ? 0 : r;
};

/** The plot of the lines, or undefined when fewer than two points can be drawn. */
export function plot(input: PlotInput): Plot | undefined {
  const maxPoints = Math.max(2, input.maxPoints ?? MAX_POINTS);
  const lines = input.lines.map((l) => ({ name: l.name, samples: finite(l.samples) }));
  const main = lines[0];
  if (!main || main.samples.length < 2) return undefined;
  const all = lines.flatMap((l) => l.samples);
  const tMin = Math.min(...all.map((s) => s.t));
  const tMax = Math.max(...all.map((s) => s.t));
  const origin = input.origin !== undefined && Number.isFinite(input.origin) ? input.origin : tMin;
  // The data's span sets the width: a far origin (a deploy long before a judged window) only moves x.
  const width = widthFor(tMax - tMin, Math.max(1, input.stepSec), maxPoints);

  const bucketed = lines
    .filter((l) => l.samples.length > 0)
    .map((l) => ({ name: l.name, at: means(l.samples, Math.max(1, input.stepSec), origin, width) }));
  const spanOf = (ls: typeof bucketed) => ({
    from: Math.max(...ls.map((l) => Math.min(...l.at.keys()))),
    to: Math.min(...ls.map((l) => Math.max(...l.at.keys()))),
  });
  // Lines after the first are kept only while every line still shares two points or more.
  let kept = bucketed;
  while (kept.length > 1 && spanOf(kept).to - spanOf(kept).from < 1) kept = kept.slice(0, -1);
  if (kept[0]?.name !== main.name) return undefined;
  const { from, to } = spanOf(kept);
  if (to - from < 1) return undefined;

  const raw = kept.map((l) => ({ name: l.name, values: filled(l.at, from, to) }));
  const limit =
    input.limit !== undefined && Number.isFinite(input.limit) && Math.abs(input.limit) <= LIMIT
      ? input.limit
      : undefined;
  const y = yRange([...raw.flatMap((l) => l.values), ...(limit === undefined ? [] : [limit])]);
  const unit = width < 15 ? 'seconds' : 'minutes';
  const per = unit === 'seconds' ? 1 : 60;
  const every = width / per;
  // An event is drawn at the point nearest to it. Past either end it is drawn at that end when
  // within two points of it: the deploy comes just before the first step after it, the rollback
  // up to a step and a commit after the last step it judged; farther away it is said, not drawn.
  const events = input.events.map((e): PlacedEvent => {
    const k = Math.round((e.at - origin) / width);
    const clamped = Math.min(to, Math.max(from, k));
    return {
      ...e,
      x: Number(((e.at - origin) / per).toFixed(1)),
      index:
        Number.isFinite(e.at) && Math.abs(e.at - origin - clamped * width) <= 2 * width
          ? clamped - from
          : undefined,
    };
  });
  return {
    unit,
    xFrom: from * every,
    every,
    bucketSec: width,
    averaged: width > input.stepSec,
    lines: raw.map((l) => ({ name: l.name, values: l.values.map((v) => round(v, y.decimals)) })),
    limit: limit === undefined ? undefined : round(limit, y.decimals),
    y,
    events,
  };
}
