import { describe, expect, it } from 'vitest';
import { scanPlaceholders } from '../../src/metrics/template.js';

describe('scanPlaceholders', () => {
  it('lists the names as renderQuery reads them, trimmed and in order', () => {
    expect(scanPlaceholders('x{v="{{ version }}",j="{{args.job}}"}[{{step}}] {{version}}')).toEqual({
      names: ['version', 'args.job', 'step', 'version'],
      problems: [],
    });
  });

  it('reports malformed and unclosed placeholders, as renderQuery would refuse them', () => {
    expect(scanPlaceholders('a {{ not a name }} b {{ open').problems).toEqual([
      'malformed placeholder {{ not a name }}',
      'unclosed placeholder near "{{ open"',
    ]);
  });

  it('finds nothing in PromQL braces', () => {
    expect(scanPlaceholders('sum by (le) (rate(x{job=~"a{2}"}[5m]))')).toEqual({ names: [], problems: [] });
  });
});
