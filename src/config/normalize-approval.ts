/**
 * `approve_below` normalized (docs/judgement.md, "Two levels"): the clear-cut level of each limit
 * of a trigger, in the limit's own terms (`5x` on a `max_increase` is `maxIncrease: 4`). A level
 * must lie past the limit it belongs to, or no breach could ever be ambiguous, or none clear-cut.
 */
import type { ClearCutLevels, Measure } from '../policy/types.js';
import type { TriggerInput } from './trigger-schema.js';

type Level = NonNullable<TriggerInput['approve_below']>;
type Issue = { path: string[]; message: string };

/** Where a trigger may inherit its level from: its service's `approve_below`, then `defaults`'. */
export interface InheritedLevel {
  service: { approve_below?: { times: number } | undefined };
  defaults: { approve_below?: { times: number } | undefined };
}

const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;
const times = (x: number) => `${Number(x.toPrecision(3))}x`;

/** A multiple of the baseline on the trigger's relative limits. */
function ofMultiple(t: TriggerInput, level: number, written: string): ClearCutLevels | Issue {
  const at = ['approve_below'];
  const up = t.max_increase;
  const down = t.max_decrease;
  if (up === undefined && down === undefined) {
    return {
      path: at,
      message: `approve_below: ${written} is a multiple of the baseline: it needs max_increase or max_decrease (beside max or min write a number, such as 0.25)`,
    };
  }
  if (level > 1 && up !== undefined) {
    if (level > 1 + up) return { maxIncrease: level - 1 };
    return {
      path: at,
      message: `approve_below: ${written} must be past the tolerance: max_increase ${pct(up)} already allows up to ${times(1 + up)} (write more, such as ${times(Math.max(5, 2 * (1 + up)))})`,
    };
  }
  if (level < 1 && down !== undefined) {
    if (level < 1 - down) return { maxDecrease: 1 - level };
    return {
      path: at,
      message: `approve_below: ${written} must be past the tolerance: max_decrease ${pct(down)} already allows down to ${times(1 - down)} (write less, such as ${times((1 - down) / 2)})`,
    };
  }
  return {
    path: at,
    message:
      up !== undefined
        ? `approve_below: ${written} is not above the baseline, but this trigger limits an increase (max_increase): write a multiple over 1, such as 5x`
        : `approve_below: ${written} is not under the baseline, but this trigger limits a decrease (max_decrease): write a multiple under 1, such as 0.5x`,
  };
}

/** A number on the trigger's absolute limits. */
function ofNumber(t: TriggerInput, measure: Measure, level: number): ClearCutLevels | Issue {
  const at = ['approve_below'];
  if (t.max === undefined && t.min === undefined) {
    return {
      path: at,
      message: `approve_below: ${level} is an absolute level: it needs max or min (beside max_increase or max_decrease write a multiple of the baseline, such as 5x)`,
    };
  }
  if (measure.kind === 'ratio' && !(level > 0 && level < 1)) {
    return {
      path: at,
      message: `a ratio's approve_below is a share of events between 0 and 1, such as 0.25`,
    };
  }
  if (t.max !== undefined && level > t.max) return { max: level };
  if (t.min !== undefined && level < t.min) return { min: level };
  const limits = [
    t.max !== undefined ? `above max ${t.max}` : undefined,
    t.min !== undefined ? `below min ${t.min}` : undefined,
  ].filter((x) => x !== undefined);
  return {
    path: at,
    message: `approve_below: ${level} must be past the limit it belongs to (${limits.join(' or ')}): a breach is clear-cut only further out than the tolerance`,
  };
}

const isIssue = (x: ClearCutLevels | Issue): x is Issue => 'message' in x;

/**
 * The clear-cut levels of one trigger: its own `approve_below`, else its service's or `defaults'`
 * multiple on its `max_increase` (where it has one: an absolute limit or a decrease needs the
 * trigger's own). An `action: alert` trigger never rolls back, so it has none.
 */
export function clearCutLevels(
  t: TriggerInput,
  measure: Measure,
  c: InheritedLevel,
): { levels: ClearCutLevels | undefined; issues: Issue[] } {
  const own: Level | undefined = t.approve_below;
  if (own !== undefined) {
    if (t.action === 'alert') {
      return {
        levels: undefined,
        issues: [
          {
            path: ['approve_below'],
            message: 'approve_below has no meaning on action: alert: the trigger never rolls back',
          },
        ],
      };
    }
    const r = typeof own === 'number' ? ofNumber(t, measure, own) : ofMultiple(t, own.times, `${own.times}x`);
    return isIssue(r) ? { levels: undefined, issues: [r] } : { levels: r, issues: [] };
  }
  const inherited = c.service.approve_below ?? c.defaults.approve_below;
  if (inherited === undefined || t.action === 'alert' || t.max_increase === undefined) {
    return { levels: undefined, issues: [] };
  }
  const from = c.service.approve_below !== undefined ? "the service's" : "defaults'";
  const level = inherited.times;
  if (level > 1 + t.max_increase) return { levels: { maxIncrease: level - 1 }, issues: [] };
  return {
    levels: undefined,
    issues: [
      {
        path: ['max_increase'],
        message: `${from} approve_below ${times(level)} is not past this trigger's tolerance: max_increase ${pct(t.max_increase)} already allows up to ${times(1 + t.max_increase)}; set approve_below on the trigger`,
      },
    ],
  };
}
