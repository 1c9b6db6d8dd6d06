import { evidenceFromTrailers } from '../../history/explain.js';
import { code, table } from '../../incident/markdown.js';
import type { Decision } from '../../policy/types.js';
import { num } from '../../report.js';
import type { Rolled } from '../phase.js';

/** The incident's before/after table: the candidate at the rollback beside the stable now. */
export function beforeAfter(r: Rolled, now: Decision): string {
  const before = new Map(evidenceFromTrailers(r).map((e) => [e.trigger, e]));
  return table(
    ['Trigger', `Candidate ${code(r.from)} at the rollback`, `Stable ${code(r.to)} now`, 'Limit'],
    now.evidence.map((e) => [
      code(e.trigger),
      before.has(e.trigger) ? code(num(before.get(e.trigger)!.value)) : '-',
      e.value === null ? `no data` : code(num(e.value)),
      code(`${e.comparator === '<' ? '>=' : '<='} ${num(e.limit)}`),
    ]),
  );
}
