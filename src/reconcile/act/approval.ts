/**
 * Two levels in `mode: auto` (approve_below): a stop past its tolerance only waits for a person; one
 * past its clear-cut level is committed, superseding the proposal the earlier evidence opened.
 */
import { breachedTerms, degradedAt } from '../../history/explain.js';
import { code, text } from '../../incident/markdown.js';
import { idOf, proposalBranch, type Rollback } from '../decide.js';
import { type Done, done, incidentContext, noticeSeverity, type Step, tell, warnOf } from './step.js';

/**
 * The CLI has no pull request to propose with: an ambiguous stop is reported `awaiting_approval`,
 * with no commit and no lock. The incident (the rollback's own id, so that a later commit finds it)
 * and the notification say that a person decides, and how.
 */
export async function awaitApproval(step: Step, r: Rollback): Promise<Done> {
  const { service, ports, ctx } = step;
  const id = idOf(service.name, r);
  const degraded = degradedAt(r.decision.evidence);
  const opened = await ports.incidents.open({
    kind: 'rollback',
    ...incidentContext(step),
    stableWhy: r.stableWhy,
    awaiting: r.awaiting,
    id,
    from: r.from,
    to: r.to,
    reason: r.decision.reason,
    evidence: r.decision.evidence,
    require: r.decision.require,
    pinnedAt: new Date(r.pinnedBy.time * 1000),
    degradedAt: degraded === undefined ? undefined : new Date(degraded * 1000),
    committedAt: undefined,
    commit: undefined,
    commitUrl: undefined,
    mode: 'propose',
  });
  if (opened.created) {
    await tell(step, {
      kind: 'proposed',
      id,
      severity: noticeSeverity(r.decision.evidence),
      from: r.from,
      to: r.to,
      reason: r.decision.reason,
      evidence: breachedTerms(r.decision.evidence),
      links: { incident: opened.where ?? undefined, run: ctx.runUrl },
    });
  }
  return done({
    ...step.planned,
    action: 'awaiting_approval',
    commit: null,
    incident: opened.where,
    detail: `stop ${r.decision.reason}, but not clear-cut, so a person must decide: ${r.awaiting}. To roll back, set the pin in ${service.pin!.file} to ${r.to} by hand; pinback commits the rollback itself if the evidence passes the auto level`,
  });
}

/** The report's sentence for a rollback committed over its proposal. */
export function supersededDetail(r: Rollback): string {
  const why = r.decision.approval?.why ?? 'the evidence passed its clear-cut level';
  return r.supersedes?.state === 'rejected'
    ? `committed past the clear-cut level (${why}), after the proposal ${r.supersedes.url} was closed without merging`
    : `committed past the clear-cut level (${why}); the proposal ${r.supersedes?.url ?? ''} closed as superseded`;
}

/**
 * The key of the incident's record: for an open proposal the key of a proposal closed without
 * merging (action/proposal-closed.ts), so that the pull request's `closed` event, which pinback's own
 * closing may fire (a GitHub App token), finds its ending recorded and does not call it a person's no.
 */
const recordKey = (p: Rollback['supersedes']) => (p?.state === 'open' ? 'declined' : 'clear_cut');

/**
 * A clear-cut stop committed over its proposal: the incident records it once, then an open pull
 * request is closed with a comment that links the commit. Without pull requests (the CLI) the
 * incident of an earlier `awaiting_approval` records it the same way. The commit stands whatever
 * fails here: a failure is a warning.
 */
export async function supersede(
  step: Step,
  r: Rollback,
  commit: { sha: string; url: string | undefined },
): Promise<void> {
  const { service, ports, snap } = step;
  const p = r.supersedes;
  const id = idOf(service.name, r);
  const short = commit.sha.slice(0, 12);
  const link = commit.url ? `[${code(short)}](${commit.url})` : code(short);
  const why = text(r.decision.approval?.why ?? 'the evidence passed its clear-cut level');
  const warn = (what: string, e: unknown) =>
    warnOf(ports)(`${service.name}: rolled back in ${short}, but ${what}: ${(e as Error).message}`);
  const before =
    p === undefined
      ? 'The evidence is clear-cut'
      : p.state === 'open'
        ? `While the proposal ${text(p.url)} waited for a person, the evidence became clear-cut`
        : `After the proposal ${text(p.url)} was closed without merging, the evidence became clear-cut`;
  try {
    await ports.incidents.update(id, service.name, {
      key: recordKey(p),
      markdown: [
        '## Committed: the evidence passed the clear-cut level',
        '',
        `${before}: ${why}. pinback committed the rollback of ${code(r.from)} to ${code(r.to)} itself in ${link}${p?.state === 'open' ? " and closed the proposal as superseded (not a person's no)" : ''}.`,
      ].join('\n'),
    });
  } catch (e) {
    warn('the incident could not be updated', e);
  }
  if (p?.state !== 'open') return;
  try {
    await ports.proposals?.close?.(
      proposalBranch(service.name, id),
      [
        `Superseded by ${link} on ${code(snap.branch ?? 'main')}: the evidence passed the clear-cut level (${code('approve_below')}), so pinback committed this rollback itself.`,
        '',
        `- ${why}`,
        '',
        'Nothing is left to approve here: the stable version is pinned.',
      ].join('\n'),
    );
  } catch (e) {
    warn(`the proposal ${p.url} could not be closed`, e);
  }
}
