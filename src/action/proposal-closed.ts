import type { IncidentUpdate } from '../incident/sink.js';
import { code, text } from '../incident/markdown.js';

/**
 * What the incident of a proposed rollback says once its pull request is closed: applied by the
 * merge (with the merge commit), or declined by a person. The keys match the reconciler's, so a
 * scheduled run that sees the same ending adds nothing twice.
 */
export function proposalClosedUpdate(o: {
  pullRequest: string;
  merged: boolean;
  mergeCommit: string | undefined;
}): IncidentUpdate {
  if (o.merged) {
    return {
      key: 'applied',
      markdown: [
        '## Applied by merging the proposal',
        '',
        `The rollback was applied by merging ${text(o.pullRequest)}${o.mergeCommit ? ` (merge commit ${code(o.mergeCommit.slice(0, 12))})` : ''}. Argo CD or Flux now syncs the stable version; pinback verifies recovery from here.`,
      ].join('\n'),
    };
  }
  return {
    key: 'declined',
    markdown: [
      '## Proposal closed without merging',
      '',
      `The pull request ${text(o.pullRequest)} was closed without merging: a person decided against this rollback. pinback will not propose it again for this candidate.`,
    ].join('\n'),
  };
}
