import { describe, expect, it } from 'vitest';
import { type RawSeries, toGroups, toSingleSeries } from '../../src/metrics/series.js';

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

/** A histogram bucket series, as a backend labels it. */
function bucket(le: string, points: Array<[number, number]>, pod = 'a'): RawSeries {
  return { name: `latency_bucket{le="${le}",pod="${pod}"}`, labels: { le, pod }, points };
}

describe('toGroups', () => {
  it('answers one group per value of the label, in the order the backend returned them', () => {
    const result = toGroups(
      [bucket('0.25', [[60, 5]]), bucket('+Inf', [[60, 9]]), bucket('0.1', [[60, 2]])],
      'le',
    );
    expect(result).toEqual({
      kind: 'groups',
      groups: [
        { key: '0.25', samples: [{ t: 60, v: 5 }] },
        { key: '+Inf', samples: [{ t: 60, v: 9 }] },
        { key: '0.1', samples: [{ t: 60, v: 2 }] },
      ],
    });
  });

  it('sums series sharing a key per timestamp, drops non-finite values and sorts samples by time', () => {
    const result = toGroups(
      [
        bucket(
          '0.5',
          [
            [120, 4],
            [60, 1],
          ],
          'a',
        ),
        bucket(
          '0.5',
          [
            [60, 3],
            [120, Number.NaN],
            [180, 2],
          ],
          'b',
        ),
      ],
      'le',
    );
    expect(result).toEqual({
      kind: 'groups',
      groups: [
        {
          key: '0.5',
          samples: [
            { t: 60, v: 4 },
            { t: 120, v: 4 },
            { t: 180, v: 2 },
          ],
        },
      ],
    });
  });

  it.each<[string, RawSeries[], string]>([
    ['no series', [], 'query returned no series'],
    [
      'a series without the label',
      [bucket('0.1', [[60, 1]]), { name: 'latency_count{pod="a"}', labels: { pod: 'a' }, points: [[60, 1]] }],
      'query returned 1 of 2 series without the label "le" it is grouped by (latency_count{pod="a"}): ' +
        'keep "le" in the query\'s grouping',
    ],
    [
      'a series with the label empty',
      [{ name: 'x', labels: { le: '' }, points: [[60, 1]] }],
      'query returned 1 of 1 series without the label "le" it is grouped by (x)',
    ],
    [
      'a series without labels at all',
      [{ name: 'scalar', points: [[60, 1]] }],
      'query returned 1 of 1 series without the label "le" it is grouped by (scalar)',
    ],
    [
      'series without samples',
      [bucket('0.1', []), bucket('+Inf', [])],
      'query returned series without samples',
    ],
    [
      'only non-finite values',
      [bucket('0.1', [[60, Number.NaN]]), bucket('+Inf', [[60, Number.POSITIVE_INFINITY]])],
      'query returned only NaN or infinite values (2 samples; a ratio over no traffic?)',
    ],
  ])('answers no data for %s', (_name, series, cause) => {
    const result = toGroups(series, 'le');
    expect(result.kind).toBe('no_data');
    if (result.kind === 'no_data') expect(result.cause).toContain(cause);
  });

  it('names at most three unlabelled series and counts the rest', () => {
    const many = ['a', 'b', 'c', 'd'].map((name): RawSeries => ({ name, labels: {}, points: [[1, 1]] }));
    const result = toGroups(many, 'le');
    expect(result.kind === 'no_data' && result.cause).toContain('(a, b, c, and 1 more)');
  });

  it('leaves out a group whose samples are all dropped', () => {
    const result = toGroups([bucket('0.1', [[60, Number.NaN]]), bucket('+Inf', [[60, 3]])], 'le');
    expect(result).toEqual({ kind: 'groups', groups: [{ key: '+Inf', samples: [{ t: 60, v: 3 }] }] });
  });
});
