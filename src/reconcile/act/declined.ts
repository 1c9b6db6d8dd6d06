import { code, text } from '../../incident/markdown.js';
import { idOf, type Rollback } from '../decide.js';
import { type Done, done, type Step } from './step.js';

/**
 * A proposed rollback whose pull request was closed without merging: a person said no. The
 * incident says so, once; pinback does not propose it again for this candidate.
 */
export async function declined(step: Step, r: Rollback, pullRequest: string | undefined): Promise<Done> {
  const { service, ports } = step;
  const { where } = await ports.incidents.update(idOf(service.name, r), service.name, {
    key: 'declined',
    markdown: [
      '## Proposal closed without merging',
      '',
      `The pull request ${pullRequest ? text(pullRequest) : ''} was closed without merging: a person decided against rolling ${code(r.from)} back to ${code(r.to)}. pinback will not propose it again for this candidate, and ${code(r.from)} stays deployed.`,
    ].join('\n'),
  });
  return done({ ...step.planned, incident: where });
}
