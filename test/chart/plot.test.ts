import { describe, expect, it } from 'vitest';
import { MAX_POINTS, type PlotInput, plot } from '../../src/chart/plot.js';
import type { Sample } from '../../src/policy/types.js';

const DEPLOY = 1_764_547_212; // 00:00:12 on a minute grid

/** `n` samples a `step` apart, the first one step after `from`, valued by `v(i)`. */
const series = (n: number, v: (i: number) => number, step = 60, from = DEPLOY - 12): Sample[] =>
  Array.from({ length: n }, (_, i) => ({ t: from + (i + 1) * step, v: v(i) }));

const input = (o: Partial<PlotInput> & Pick<PlotInput, 'lines'>): PlotInput => ({
  origin: DEPLOY,
  events: [],
  stepSec: 60,
  ...o,
});

/**
 * How many points Mermaid lays a line of a numeric x-axis on: its own loop, `for (i = min; i <=
 * max; i += (max - min) / (n - 1))`. A step that is no exact binary fraction can lose the last one.
 */
function mermaidPoints(min: number, max: number, n: number): number {
  let count = 0;
  for (let i = min; i <= max; i += (max - min) / (n - 1)) count++;
  return count;
}

describe('plot: what can be drawn', () => {
  it.each([
    ['no lines', []],
    ['an empty candidate', [{ name: 'c', samples: [] }]],
    ['one sample', [{ name: 'c', samples: series(1, () => 1) }]],
    [
      'only NaN and infinities',
      [{ name: 'c', samples: series(5, (i) => (i % 2 ? Number.NaN : Number.POSITIVE_INFINITY)) }],
    ],
  ])('nothing from %s', (_, lines) => {
    expect(plot(input({ lines }))).toBeUndefined();
  });

  it('leaves NaN, infinities and absurd magnitudes out of a line', () => {
    const samples = series(4, (i) => [1, Number.NaN, 2, 1e300][i]!);
    const p = plot(input({ lines: [{ name: 'c', samples }] }))!;
    // The NaN's minute lies between two values: the line joins them; the 1e300 minute is cut off the end.
    expect(p.lines[0]!.values).toEqual([1, 1.5, 2]);
  });
});

describe('plot: the y range and rounding', () => {
  it.each([
    ['a constant series', [5, 5, 5], { lo: 0, hi: 5.3 }],
    ['all zeros', [0, 0, 0], { lo: 0, hi: 1.1 }],
    ['a ratio', [0.01, 0.07, 0.1], { lo: 0, hi: 0.11 }],
    ['latency in ms', [900, 1400, 2100], { lo: 0, hi: 2300 }],
    ['negative values reach below zero', [-3, 1, 2], { lo: -3.3, hi: 2.3 }],
  ])('%s', (_, values, y) => {
    const p = plot(input({ lines: [{ name: 'c', samples: series(values.length, (i) => values[i]!) }] }))!;
    expect(p.y).toMatchObject(y);
  });

  it('rounds values to about three digits of the range shown', () => {
    const p = plot(
      input({ lines: [{ name: 'c', samples: series(3, (i) => [0.0123456, 0.0712345, 0.1][i]!) }] }),
    )!;
    expect(p.y.decimals).toBe(4);
    expect(p.lines[0]!.values).toEqual([0.0123, 0.0712, 0.1]);
  });

  it('puts the limit inside the range', () => {
    const p = plot(input({ lines: [{ name: 'c', samples: series(3, () => 0.01) }], limit: 0.05 }))!;
    expect(p.limit).toBe(0.05);
    expect(p.y.hi).toBeGreaterThan(0.05);
  });
});

describe('plot: points', () => {
  it.each([
    // step s, samples, expected: unit, bucket width, points
    [60, 10, 'minutes', 60, 10],
    [60, 120, 'minutes', 300, 24],
    [15, 480, 'minutes', 300, 25],
    [15, 40, 'minutes', 15, 40],
    [10, 30, 'seconds', 10, 30],
    [20, 60, 'minutes', 30, 41],
    [1, 600, 'minutes', 15, 41],
    [3600, 200, 'minutes', 21_600, 34],
  ] as const)(
    'a %i s step, %i samples: %s, points every %i s, %i of them',
    (step, n, unit, width, points) => {
      const p = plot(input({ lines: [{ name: 'c', samples: series(n, (i) => i, step) }], stepSec: step }))!;
      expect(p.unit).toBe(unit);
      expect(p.bucketSec).toBe(width);
      expect(p.lines[0]!.values).toHaveLength(points);
      expect(points).toBeLessThanOrEqual(MAX_POINTS);
      expect(p.averaged).toBe(width > step);
      // Mermaid lays exactly that many points on the axis: x is an exact binary fraction.
      const xTo = p.xFrom + (points - 1) * p.every;
      expect(mermaidPoints(p.xFrom, xTo, points)).toBe(points);
    },
  );

  it('counts x from the deploy, a point at the end of the step it measures', () => {
    const p = plot(input({ lines: [{ name: 'c', samples: series(5, (i) => i) }] }))!;
    expect([p.xFrom, p.every]).toEqual([1, 1]);
  });

  it('counts x from the first sample when the deploy is unknown', () => {
    const p = plot(input({ lines: [{ name: 'c', samples: series(5, (i) => i) }], origin: undefined }))!;
    expect([p.xFrom, p.every]).toEqual([0, 1]);
  });

  it('averages the samples a point spans', () => {
    const p = plot(input({ lines: [{ name: 'c', samples: series(120, (i) => (i % 5 === 4 ? 5 : 0)) }] }))!;
    expect(new Set(p.lines[0]!.values)).toEqual(new Set([1]));
  });

  it('joins a gap inside a line with the straight line the chart would draw', () => {
    const samples = series(5, (i) => i * 10).filter((_, i) => i !== 2);
    const p = plot(input({ lines: [{ name: 'c', samples }] }))!;
    expect(p.lines[0]!.values).toEqual([0, 10, 20, 30, 40]);
  });

  it('spans only the steps every line has, as the judgement pairs them', () => {
    const candidate = series(10, () => 1);
    const stable = series(10, () => 2).slice(2, 9);
    const p = plot(
      input({
        lines: [
          { name: 'c', samples: candidate },
          { name: 's', samples: stable },
        ],
      }),
    )!;
    expect(p.lines.map((l) => l.values.length)).toEqual([7, 7]);
    expect(p.xFrom).toBe(3);
  });

  it('leaves out a line that shares fewer than two points with the candidate', () => {
    const candidate = series(10, () => 1);
    const stable = series(10, () => 2).slice(9);
    const p = plot(
      input({
        lines: [
          { name: 'c', samples: candidate },
          { name: 's', samples: stable },
        ],
      }),
    )!;
    expect(p.lines.map((l) => l.name)).toEqual(['c']);
    expect(p.lines[0]!.values).toHaveLength(10);
  });

  it('keeps every line the same length', () => {
    const p = plot(
      input({
        lines: [
          { name: 'c', samples: series(200, (i) => i, 15) },
          { name: 's', samples: series(190, () => 3, 15) },
        ],
        stepSec: 15,
      }),
    )!;
    expect(new Set(p.lines.map((l) => l.values.length)).size).toBe(1);
  });
});

describe('plot: events', () => {
  const lines = [{ name: 'c', samples: series(10, (i) => i) }];

  it.each([
    ['the deploy, just before the first point', DEPLOY, 0, 0],
    ['the rollback, just after the last point', DEPLOY - 12 + 10 * 60 + 25, 9, 10.2],
    ['an event inside the plot', DEPLOY - 12 + 5 * 60, 4, 4.8],
    ['an event an hour before the plot', DEPLOY - 3600, undefined, -60],
    ['an event an hour after the plot', DEPLOY + 3 * 3600, undefined, 180],
  ])('%s', (_, at, index, x) => {
    const p = plot(input({ lines, events: [{ label: 'e', at }] }))!;
    expect(p.events[0]).toMatchObject({ label: 'e', index, x });
  });
});

describe('plot: samples on a grid of their own', () => {
  it('draws the deploy and a rollback a step and a commit after the last sample at the ends', () => {
    // Minutes ending a second after the deploy's minute; the judgement a minute after the last.
    const samples = Array.from({ length: 9 }, (_, i) => ({ t: DEPLOY + 61 + i * 60, v: i }));
    const p = plot(
      input({
        lines: [{ name: 'c', samples }],
        events: [
          { label: 'deploy', at: DEPLOY },
          { label: 'rollback', at: DEPLOY + 605 },
        ],
      }),
    )!;
    expect(p.xFrom).toBe(1);
    expect(p.lines[0]!.values).toHaveLength(9);
    expect(p.events.map((e) => e.index)).toEqual([0, 8]);
  });
});
