/**
 * Argo Rollouts' conditions as pinback limits. The forms are those of the Argo Rollouts
 * documentation (docs/features/analysis.md, docs/analysis/*.md); pinback breaches above max and
 * below min, the limit itself passing.
 */
import { describe, expect, it } from 'vitest';
import { judgementOf, parseCondition } from '../../src/import/condition.js';

describe('a success condition', () => {
  it.each([
    // condition, limits, no data (true: passes, false: fails, error: expr cannot evaluate it)
    ['result[0] >= 0.95', { min: 0.95 }, 'error'],
    ['result[0] <= 0.05', { max: 0.05 }, 'error'],
    ['result <= 0.01', { max: 0.01 }, 'error'],
    ['len(result) == 0 || result[0] >= 0.95', { min: 0.95 }, true],
    ['len(result) > 0 && result[0] >= 0.95', { min: 0.95 }, false],
    ['isNaN(result) || result >= 0.95', { min: 0.95 }, true],
    ['default(result, 0) < 10', { max: 10 }, true],
    ['default(result[0], 0) >= 0.95', { min: 0.95 }, false],
    ['asFloat(result) >= 0.90', { min: 0.9 }, 'error'],
    ['result >= 0.9 && result <= 1.1', { min: 0.9, max: 1.1 }, 'error'],
    ['0.95 <= result[0]', { min: 0.95 }, 'error'],
    ['!(result[0] > 5)', { max: 5 }, 'error'],
    ['not (result[0] > 5 or result[0] < 1)', { max: 5, min: 1 }, 'error'],
    ['result[0] >= -1e3', { min: -1000 }, 'error'],
  ] as const)('%s is %j', (text, limits, noData) => {
    const parsed = parseCondition(text, 'success');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect({ max: parsed.limits.max, min: parsed.limits.min }).toEqual({
      max: undefined,
      min: undefined,
      ...limits,
    });
    expect(parsed.limits.noData).toBe(noData);
  });

  it('says where a strict comparison decides otherwise at the limit itself', () => {
    const parsed = parseCondition('len(result) == 0 || result[0] < 100', 'success');
    expect(parsed.ok && parsed.limits.boundary).toEqual([
      'at exactly 100 the source fails the measurement and pinback passes it (max: 100 allows 100)',
    ]);
    const exact = parseCondition('result[0] <= 100', 'success');
    expect(exact.ok && exact.limits.boundary).toEqual([]);
  });
});

describe('a failure condition', () => {
  it.each([
    ['result[0] >= 10', { max: 10 }, 'error', 1],
    ['result[0] > 10', { max: 10 }, 'error', 0],
    ['result[0] < 0.50', { min: 0.5 }, 'error', 0],
    ['default(result, 0) > 4', { max: 4 }, false, 0],
    ['result[0] < 0.9 || result[0] > 1.1', { min: 0.9, max: 1.1 }, 'error', 0],
    ['len(result) == 0 || result[0] > 5', { max: 5 }, true, 0],
  ] as const)('%s is %j', (text, limits, noData, boundaries) => {
    const parsed = parseCondition(text, 'failure');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect({ max: parsed.limits.max, min: parsed.limits.min }).toEqual({
      max: undefined,
      min: undefined,
      ...limits,
    });
    expect(parsed.limits.noData).toBe(noData);
    expect(parsed.limits.boundary).toHaveLength(boundaries);
  });
});

describe('a condition without a faithful translation is refused with the reason', () => {
  it.each([
    ['result == true', 'success', 'compared with true'],
    ["result == 'true'", 'success', 'compared with the text "true"'],
    ['result == "I am OK"', 'success', 'compared with the text "I am OK"'],
    ['result.ok && result.successPercent >= 0.90', 'success', 'result.ok is read as true or false'],
    ['all(result, # < 1000)', 'success', 'all(...) over several values'],
    ['max(result) < 0.05', 'success', 'max(...) over several values'],
    ['result[0] < 1 || result[0] > 2', 'success', 'passes here when either'],
    ['result[0] > 1 && result[0] < 2', 'failure', 'fails here only when several'],
    ['result[0] == 3', 'success', 'an equality has no max or min'],
    ['result[0] + 1 < 3', 'success', '"+" (at character 11)'],
    ['result[0] < 5 && result[0] < 3', 'success', 'two upper limits'],
    ['result[0] > 5 && result[0] < 3', 'success', 'no value passes it'],
    ['result[0] >= 1 && result[1] <= 5', 'success', 'compares two values (result[0] and result[1])'],
    ['isInf(result)', 'failure', 'infinite value'],
    ['len(result) == 0', 'success', 'always'],
    ['result[0] >= 0.95 &&', 'success', 'ends where a value is expected'],
  ] as const)('%s (%s)', (text, role, reason) => {
    const parsed = parseCondition(text, role);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe("a metric's two conditions", () => {
  it('take the failure condition as the limit, and say that Argo Rollouts had an inconclusive band', () => {
    const j = judgementOf('result[0] >= 0.90', 'result[0] < 0.50');
    expect(j.ok && j.judgement).toMatchObject({ min: 0.5 });
    expect(j.ok && j.judgement.changed.join()).toContain('inconclusive in Argo Rollouts');
  });

  it('are one limit when they are complements', () => {
    const j = judgementOf('result >= 0.95', 'result < 0.95');
    expect(j.ok && j.judgement).toEqual({ path: [], min: 0.95, changed: [] });
  });

  it.each([
    // success, failure, on_no_data
    ['len(result) == 0 || result[0] >= 0.95', undefined, 'allow'],
    ['len(result) > 0 && result[0] >= 0.95', undefined, 'stop'],
    [undefined, 'default(result, 0) > 4', 'allow'],
    [undefined, 'len(result) == 0 || result[0] > 4', 'stop'],
    ['result[0] >= 0.95', undefined, undefined],
    // Both: failure wins, then success; neither holding is inconclusive (pinback's default).
    ['default(result, 1) >= 0.95', 'default(result, 1) < 0.5', 'allow'],
    ['default(result, 0.7) >= 0.95', 'default(result, 0.7) < 0.5', undefined],
  ] as const)('%s / %s: no data is %s', (success, failure, onNoData) => {
    const j = judgementOf(success, failure);
    expect(j.ok).toBe(true);
    if (j.ok) expect(j.judgement.onNoData).toBe(onNoData);
  });

  it('are needed: a metric without either has no limit', () => {
    expect(judgementOf(undefined, undefined)).toMatchObject({ ok: false, field: 'metric' });
  });

  it('name the one that cannot be translated', () => {
    expect(judgementOf('result >= 1', 'result == true')).toMatchObject({
      ok: false,
      field: 'failureCondition',
    });
  });
});
