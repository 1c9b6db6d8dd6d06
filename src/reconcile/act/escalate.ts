import { code, text } from '../../incident/markdown.js';
import type { Decision } from '../../policy/types.js';
import type { Rolled } from '../phase.js';
import { minutes } from '../planned.js';
import { rolledAtMs } from '../phase.js';
import { loudest } from '../../notify/severity.js';
import { breached, type Done, done, rolledSeverity, noticeSeverity, type Step, tell } from './step.js';
import { beforeAfter } from './verdict.js';
import { barrierSection } from './barrier.js';
import type { Crossing } from '../../history/barriers.js';

/**
 * The rollback did not help and pinback will not go further: the incident says so and asks people.
 * `barrier`: the fallback would cross a migration barrier; the incident also says which.
 */
export async function escalate(
  step: Step,
  r: Rolled,
  decision: Decision,
  why: string,
  barrier?: Crossing,
): Promise<Done> {
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
  if (barrier) await ports.incidents.update(r.id, service.name, barrierSection(r.to, barrier));
  if (added) {
    await tell(step, {
      kind: 'escalated',
      id: r.id,
      // At least as loud as the rollback: the routes that heard of it hear that it did not help.
      severity: loudest([rolledSeverity(service, r), noticeSeverity(decision.evidence)]),
      from: r.from,
      to: r.to,
      reason: decision.reason,
      evidence: breached(decision),
      links: { incident: where ?? undefined, run: ctx.runUrl },
    });
  }
  return done({ ...step.planned, incident: where });
}
