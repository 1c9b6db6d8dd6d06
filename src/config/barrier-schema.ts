import { z } from 'zod';
import { version } from './schema-values.js';
import { shown } from './shown.js';

/**
 * A migration barrier as the policy lists it (src/history/barriers.ts): a version, or a version with
 * the reason people are told. The Rollback-Barrier trailer marks one from the pin's commit instead.
 */
const BARRIER_KEYS = ['version', 'reason'];
const barrier = z.union(
  [
    version.describe('A barrier version, e.g. 2.4.0.'),
    z.strictObject({
      version: version.describe(
        'The version that ran the migration, as the pin holds it (a tag also covers tag@sha256:… pins).',
      ),
      reason: z
        .string()
        .min(1, { error: 'an empty reason tells people nothing: give one, or leave reason: out' })
        .optional()
        .describe('Why it is a barrier, e.g. "migration 0042 drops column x": said in the escalation.'),
    }),
  ],
  {
    // zod's own words for a value neither form takes are "Invalid input": say what each form is.
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const input: unknown = issue.input;
      if (typeof input === 'number') {
        return `${input} is read as a number by YAML: quote the version ("${input}")`;
      }
      if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
        const extra = Object.keys(input).filter((k) => !BARRIER_KEYS.includes(k));
        if (extra.length) {
          return `a barrier takes version: and reason: only, not ${extra.map((k) => shown(k)).join(', ')}`;
        }
        if (!('version' in input)) return 'a barrier needs version: (the version that ran the migration)';
      }
      return 'a barrier is a version (2.4.0) or {version: 2.4.0, reason: "migration 0042 drops column x"}';
    },
  },
);

/** Each version once: a second entry would only hide which reason is told. */
export const barriers = z.array(barrier).superRefine((list, ctx) => {
  const first = new Map<string, number>();
  list.forEach((b, i) => {
    const v = typeof b === 'string' ? b : b.version;
    const at = first.get(v);
    if (at === undefined) return void first.set(v, i);
    ctx.addIssue({
      code: 'custom',
      path: typeof b === 'string' ? [i] : [i, 'version'],
      message: `${v} is already a barrier (entry ${at + 1} of barriers): list each version once`,
    });
  });
});
