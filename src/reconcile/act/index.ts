import type { Next } from '../decide.js';
import { alert } from './alert.js';
import { escalateAtBarrier } from './barrier.js';
import { declined } from './declined.js';
import { escalate } from './escalate.js';
import { recover } from './recover.js';
import { openStanding, repeat } from './repeat.js';
import { rollBack } from './rollback.js';
import { type Done, done, type Step } from './step.js';
import { strand } from './strand.js';

export type { Done, Step } from './step.js';

/** One executor per step. Each may find its work already done; none decides anything. */
export async function execute(step: Step, next: Next): Promise<Done> {
  // A run killed between its rollback commit and the incident left the rollback without one:
  // every step about a standing rollback opens it first (a no-op where it exists).
  const rolled = step.state.rolledBackBy;
  if (rolled && (next.kind === 'recover' || next.kind === 'escalate' || next.kind === 'report')) {
    await openStanding(step, rolled);
  }
  switch (next.kind) {
    case 'report':
      return next.proposed ? declined(step, next.proposed, next.pullRequest) : done(step.planned);
    case 'alert':
      return alert(step, next.decision);
    case 'rollback':
      return rollBack(step, next.rollback);
    case 'escalate':
      if (next.rollback) return escalate(step, next.rollback, next.decision, next.why, next.barrier);
      return next.barrier
        ? escalateAtBarrier(step, next.decision, next.barrier)
        : strand(step, next.decision, next.why);
    case 'recover':
      return recover(step, next.rollback, next.decision, next.release);
    case 'repeat':
      return repeat(step, next.rollback);
  }
}
