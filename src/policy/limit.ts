/**
 * Limits in words (pure): where each comes from, so a person reading `2100 > 1710` in a commit body,
 * an incident or a job summary sees that 1710 is the stable's 1140 + 50%, not a number of the policy.
 */
import { short } from './outcome.js';
import type { LimitFrom, LimitOrigin } from './types.js';

/** `+50%`, `-20%`: the relative bound's change as the policy wrote it. */
function change(o: Extract<LimitOrigin, { kind: 'relative' }>): string {
  return `${o.bound === 'max_increase' ? '+' : '-'} ${Number((o.change * 100).toPrecision(3))}%`;
}

const OF = { stable: 'stable', before_deploy: 'before the deploy', before_deploy_bound: 'pre-deploy bound' };

/** A limit's origin in words: `stable 1140 + 50%`, `max`, `14.4x the 1% error budget over 1h/5m`. */
export function limitOrigin(o: LimitOrigin): string {
  switch (o.kind) {
    case 'absolute':
      return o.bound;
    case 'relative':
      return `${OF[o.of]} ${short(o.baseline)} ${change(o)}`;
    case 'burn_rate':
      return `${o.factor}x the ${short(Number((o.budget * 100).toPrecision(3)))}% error budget over ${o.windows}`;
  }
}

/**
 * The limit with its origin: `max 1800`, `1710 (stable 1140 + 50%)`, and when a threshold is held
 * to the tighter of two, which one bound: `1710 (stable 1140 + 50%; tighter than max 1800)`,
 * `max 1800 (tighter than stable 1400 + 50% = 2100)`. Without an origin, the number alone.
 */
export function describeLimit(limit: number | null, from: LimitFrom | undefined): string {
  if (limit === null || from === undefined) return short(limit);
  const looser = from.looser
    ? `tighter than ${from.looser.from.kind === 'absolute' ? `${from.looser.from.bound} ${short(from.looser.limit)}` : `${limitOrigin(from.looser.from)} = ${short(from.looser.limit)}`}`
    : null;
  if (from.kind === 'absolute') return `${from.bound} ${short(limit)}${looser ? ` (${looser})` : ''}`;
  return `${short(limit)} (${limitOrigin(from)}${looser ? `; ${looser}` : ''})`;
}
