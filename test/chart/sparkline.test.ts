import { describe, expect, it } from 'vitest';
import { sparkline, trendsOf } from '../../src/chart/sparkline.js';

describe('sparkline', () => {
  it.each([
    ['no values', [], ''],
    ['only NaN and infinities', [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], ''],
    ['one value', [0.3], '▁'],
    ['a constant series sits at the bottom: nothing rose', [5, 5, 5], '▁▁▁'],
    ['all zeros', [0, 0, 0, 0], '▁▁▁▁'],
    ['eight levels, lowest to highest', [0, 1, 2, 3, 4, 5, 6, 7], '▁▂▃▄▅▆▇█'],
    ['NaN among values is left out', [0, Number.NaN, 10], '▁█'],
    ['negative values', [-2, -1, 0], '▁▅█'],
    ['a spike', [1, 1, 1, 9, 1], '▁▁▁█▁'],
  ])('%s', (_, values, expected) => {
    expect(sparkline(values)).toBe(expected);
  });

  it('averages a longer series into at most `width` characters, oldest first', () => {
    const rising = Array.from({ length: 100 }, (_, i) => i);
    const line = sparkline(rising, 10);
    expect([...line]).toHaveLength(10);
    expect(line.startsWith('▁')).toBe(true);
    expect(line.endsWith('█')).toBe(true);
    expect(sparkline([0, 0, 0, 0, 8, 8], 3)).toBe('▁▁█');
  });

  it('defaults to 24 characters', () => {
    expect([...sparkline(Array.from({ length: 500 }, (_, i) => i % 7))]).toHaveLength(24);
  });

  it('is empty for a width under one', () => {
    expect(sparkline([1, 2], 0)).toBe('');
  });
});

describe('trendsOf', () => {
  const series = (values: number[]) => ({ candidate: values.map((v, i) => ({ t: i, v })) });

  it('draws each breached trigger that has a series, by name', () => {
    expect(
      trendsOf([
        { trigger: 'errors', breached: true, series: series([0, 1, 2, 3, 4, 5, 6, 7]) },
        { trigger: 'latency', breached: false, series: series([1, 2]) },
        { trigger: 'quality', breached: true },
      ]),
    ).toEqual({ errors: '▁▂▃▄▅▆▇█' });
  });

  it('is undefined when none has', () => {
    expect(trendsOf([{ trigger: 'errors', breached: true, series: series([]) }])).toBeUndefined();
    expect(trendsOf([])).toBeUndefined();
  });
});
