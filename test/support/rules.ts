/** A trigger rule for the engine's tests: a count-aware ratio with no limit, unless told otherwise. */
import type { TriggerRule } from '../../src/policy/types.js';

export function triggerRule(over: Partial<TriggerRule> = {}): TriggerRule {
  return {
    name: 't',
    measure: { kind: 'ratio' },
    max: undefined,
    min: undefined,
    maxIncrease: undefined,
    maxDecrease: undefined,
    slo: undefined,
    aggregate: 'last',
    sustained: 2,
    minCount: 0,
    onNoData: 'inconclusive',
    reason: undefined,
    severity: 'high',
    action: 'rollback',
    windowMs: 600_000,
    stepMs: 60_000,
    ...over,
  };
}
