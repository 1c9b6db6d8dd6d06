import { code, text } from '../../incident/markdown.js';
import type { Decision } from '../../policy/types.js';
import type { Rolled } from '../phase.js';
import { minutes } from '../planned.js';
import { rolledAtMs } from '../phase.js';
import { breached, type Done, done, type Step, tell } from './step.js';
import { beforeAfter } from './verdict.js';

/** The rollback did not help and pinback will not go further: the incident says so and asks people. */
export async function escalate(step: Step, r: Rolled, decision: Decision, why: string): Promise<Done> {
  const { service, ports, ctx, now } = step;
  const elapsed = now.getTime() - rolledAtMs(r);
  const owners = service.owners.map((o) => (o.startsWith('@') ? o : `@${o}`)).join(' ');
  const { added, where } = await ports.incidents.update(r.id, service.name, {
    key: 'escalated',
    label: 'escalated',
    markdown: [
      '## Escalated: the rollback did not recover',
      '',
      `The stable version ${code(r.to)} breaches the same triggers ${minutes(elapsed)} after the rollback, so the problem is likely not the deployment (a dependency, traffic or data). pinback will not roll back further (${text(why)}).`,
      '',
      beforeAfter(r, decision),
      '',
      owners
        ? `${owners}: please take over.`
        : 'No owners are set in the policy (`owners:`): please take over.',
    ].join('\n'),
  });
  if (added) {
    await tell(step, {
      kind: 'escalated',
      from: r.from,
      to: r.to,
      reason: decision.reason,
      evidence: breached(decision),
      links: { run: ctx.runUrl },
    });
  }
  return done({ ...step.planned, incident: where });
}
