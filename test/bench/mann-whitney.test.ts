import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  insertSorted,
  mannWhitney,
  mannWhitneySorted,
  medianSorted,
} from '../../bench/decision/mann-whitney.js';

// Reference values: scipy.stats.mannwhitneyu(x, y, alternative=..., use_continuity=True,
// method='asymptotic') (SciPy 1.17), which R's wilcox.test(exact = FALSE) agrees with.
const SCIPY: Array<[number[], number[], 'greater' | 'less', number, number]> = [
  [[1.2, 3.4, 5.6, 7.8, 2.2, 9.1], [0.5, 1.1, 2.0, 3.3, 0.9], 'greater', 27, 0.017881883295488944],
  [[0, 0, 0, 0.02, 0, 0.05, 0], [0, 0, 0, 0, 0, 0.02, 0, 0], 'greater', 33, 0.2278736581329232],
  [[0.8, 0.75, 0.82, 0.7, 0.79], [0.85, 0.83, 0.88, 0.8, 0.86, 0.9], 'less', 1.5, 0.008682732031023689],
  [[1, 2, 2, 3, 3, 3], [2, 3, 4, 4, 5], 'greater', 5.5, 0.970711726568604],
];

/** U by its definition: pairs with x > y, ties one half. */
function bruteU(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}

describe('Mann-Whitney U (normal approximation, tie and continuity corrections)', () => {
  it.each(SCIPY)('agrees with SciPy on %j vs %j (%s)', (x, y, alternative, u, p) => {
    const r = mannWhitney(x, y, alternative);
    expect(r.u).toBe(u);
    // The normal CDF is Abramowitz and Stegun 7.1.26: good to about 1e-7.
    expect(r.p).toBeCloseTo(p, 6);
  });

  it('ranks sorted samples in one merge exactly as by definition, ties included', () => {
    const sample = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        expect(mannWhitney(x, y, 'greater').u).toBe(bruteU(x, y));
        // The two one-sided p-values of one comparison mirror each other around the continuity correction.
        const g = mannWhitney(x, y, 'greater');
        const l = mannWhitney(y, x, 'less');
        expect(g.p).toBeCloseTo(l.p, 12);
      }),
    );
  });

  it('gives p = 1 when there is nothing to rank apart', () => {
    expect(mannWhitneySorted([], [1, 2], 'greater').p).toBe(1);
    expect(mannWhitneySorted([0, 0, 0], [0, 0], 'greater').p).toBe(1);
  });

  it('keeps samples sorted as they grow, and takes their medians', () => {
    const s: number[] = [];
    for (const v of [3, 1, 2, 2, 5, 0]) insertSorted(s, v);
    expect(s).toEqual([0, 1, 2, 2, 3, 5]);
    expect(medianSorted(s)).toBe(2);
    expect(medianSorted([1, 4, 9])).toBe(4);
    expect(Number.isNaN(medianSorted([]))).toBe(true);
  });
});
