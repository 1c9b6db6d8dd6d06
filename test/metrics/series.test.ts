import { describe, expect, it } from 'vitest';
import { type RawSeries, toSingleSeries } from '../../src/metrics/series.js';

const a: RawSeries = {
  name: '{pod="a"}',
  points: [
    [120, 4],
    [60, 1],
  ],
};
const b: RawSeries = {
  name: '{pod="b"}',
  points: [
    [60, 3],
    [120, Number.NaN],
  ],
};

describe('toSingleSeries', () => {
  it('takes one series as the value, oldest first', () => {
    expect(toSingleSeries([a], undefined)).toEqual({
      kind: 'samples',
      samples: [
        { t: 60, v: 1 },
        { t: 120, v: 4 },
      ],
    });
  });

  it.each([
    ['sum', [4, 4]],
    ['max', [3, 4]],
    ['min', [1, 4]],
    ['mean', [2, 4]],
  ] as const)('reduces per timestamp with %s, over the finite values there', (reduce, values) => {
    const result = toSingleSeries([a, b], reduce);
    expect(result).toEqual({
      kind: 'samples',
      samples: [
        { t: 60, v: values[0] },
        { t: 120, v: values[1] },
      ],
    });
  });

  it('answers no data for no series', () => {
    expect(toSingleSeries([], 'sum')).toEqual({ kind: 'no_data', cause: 'query returned no series' });
  });

  it('answers no data for series without samples', () => {
    expect(toSingleSeries([{ name: 'x', points: [] }], undefined)).toEqual({
      kind: 'no_data',
      cause: 'query returned series without samples',
    });
  });

  it('names at most three series and counts the rest', () => {
    const many = ['a', 'b', 'c', 'd', 'e'].map((name) => ({
      name,
      points: [[1, 1]] as Array<[number, number]>,
    }));
    const result = toSingleSeries(many, undefined);
    expect(result.kind === 'no_data' && result.cause).toContain(
      'query returned 5 series (a, b, c, and 2 more)',
    );
  });
});
