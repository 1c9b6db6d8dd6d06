import { code } from '../../incident/markdown.js';
import type { Rolled } from '../phase.js';
import { type Done, done, type Step } from './step.js';

/**
 * A signal on a rollback that already stands: an explicit signal (an alert) gets a line each time;
 * a schedule says it once, not every run.
 */
export async function repeat(step: Step, r: Rolled): Promise<Done> {
  const { service, ports, ctx, now } = step;
  if (ctx.signal) {
    const where = await ports.incidents.note(
      r.id,
      service.name,
      `${now.toISOString()}: ${ctx.signal} repeated; rollback ${r.from} -> ${r.to} is already applied`,
    );
    return done({ ...step.planned, incident: where });
  }
  const line = `pinback saw the signal repeated at ${code(now.toISOString())}: the rollback ${code(r.from)} -> ${code(r.to)} is already applied; later runs will not repeat this.`;
  const { where } = await ports.incidents.update(r.id, service.name, { key: 'repeated', markdown: line });
  return done({ ...step.planned, incident: where });
}
