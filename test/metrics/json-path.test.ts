import { describe, expect, it } from 'vitest';
import { checkSelect } from '../../src/metrics/json-path.js';

describe('checkSelect', () => {
  it.each(['$.data.value', '$.series[*].points', "$..[?@.name == 'x'].value"])('accepts %s', (path) => {
    expect(checkSelect(path)).toBeUndefined();
  });

  it.each(['$.data[', 'data.value', ''])('says why %j is not a JSONPath', (path) => {
    expect(checkSelect(path)).toMatch(/^select .* is not a valid JSONPath: ./);
    expect(checkSelect(path)).toContain(`select ${JSON.stringify(path)} is not`);
  });
});
