import { trendsOf } from '../../chart/sparkline.js';
import { breachedTerms, degradedAt, explain } from '../../history/explain.js';
import { rollbackMessage } from '../../history/trailers.js';
import { code, text } from '../../incident/markdown.js';
import type { Incident } from '../../incident/render.js';
import { type Rollback, idOf, proposalBranch } from '../decide.js';
import { stableTextIn } from '../../pins/index.js';
import { filesOf, rollbackChanges } from '../changes.js';
import { awaitApproval, supersede, supersededDetail } from './approval.js';
import { type Done, done, incidentContext, noticeSeverity, type Step, tell, warnOf } from './step.js';

/**
 * The pull request says what the commit says, links the incident, and how to approve; one awaiting a
 * person (approve_below) says first why it is not clear-cut.
 */
function proposalBody(message: string, incident: string | null, awaiting?: string): string {
  const [subject, , ...rest] = message.split('\n');
  return [
    `pinback proposes this rollback: ${code(subject)}.`,
    '',
    ...(awaiting === undefined
      ? []
      : [
          `**It waits for a person: the evidence is not clear-cut.** ${text(awaiting)}.`,
          '',
          'If the evidence passes the auto level while this is open, pinback commits the rollback itself and closes this pull request as superseded.',
          '',
        ]),
    'Merging this pull request is the approval: Argo CD or Flux then syncs the stable version.',
    incident ? `Incident: ${incident}` : '',
    '',
    '```',
    rest.join('\n').trim(),
    '```',
  ].join('\n');
}

/**
 * Writes one rollback (auto) or proposes it on a branch (propose), then opens the incident and
 * notifies. A commit that loses the race is `stale`: the caller reads again and decides again.
 */
export async function rollBack(step: Step, r: Rollback): Promise<Done> {
  const { service, ports, ctx, snap, mode, now } = step;
  // Not clear-cut (approve_below) and no pull request to propose with (the CLI): a person decides.
  if (r.awaiting !== undefined && !ports.proposals) return awaitApproval(step, r);
  const id = idOf(service.name, r);
  const proposing = mode === 'propose' || r.awaiting !== undefined;
  const branch = proposing ? proposalBranch(service.name, id) : undefined;
  const message = rollbackMessage(
    {
      service: service.name,
      from: r.from,
      to: r.to,
      reason: r.decision.reason,
      stage: service.stage,
      evidence: breachedTerms(r.decision.evidence),
      policy: ctx.policyDigest,
      actor: ctx.actor,
      run: ctx.runUrl,
      id,
      chain: r.chain,
    },
    `${r.because ?? explain(r.decision)}${r.stableWhy ? `\n\nStable ${r.stableWhy}.` : ''}`,
  );
  // A rollback restores what was deployed: the pin's siblings (digest, image name) as at the stable.
  const pin = service.pin!;
  const stableText = stableTextIn(snap.history, pin.locator, pin.file, r.to);
  // A hold or a kill switch that cannot be written never blocks the pin's own rollback.
  const sideProblems: string[] = [];
  const changes = rollbackChanges(
    service,
    snap.files,
    { ...r, reason: r.decision.reason, id },
    now,
    stableText,
    sideProblems,
  );
  const result = await ports.store.commit({
    expectedHead: snap.head,
    message,
    changes,
    author: ctx.author,
    branch,
    // What the decision rests on: another service's rollback of this run changes none of it.
    reads: filesOf(service),
  });
  if (!result.ok) return { kind: 'stale' };
  for (const p of sideProblems)
    warnOf(ports)(`${service.name}: rolled back in ${result.sha.slice(0, 12)}, but the ${p}`);
  const sides = sideProblems.length ? `; not done: ${sideProblems.join('; ')}` : '';

  const degraded = degradedAt(r.decision.evidence);
  const incident: Incident = {
    kind: 'rollback',
    ...incidentContext(step),
    stableWhy: r.stableWhy,
    id,
    from: r.from,
    to: r.to,
    reason: r.decision.reason,
    evidence: r.decision.evidence,
    require: r.decision.require,
    pinnedAt: new Date(r.pinnedBy.time * 1000),
    degradedAt: degraded === undefined ? undefined : new Date(degraded * 1000),
    committedAt: ports.now(),
    commit: result.sha,
    commitUrl: result.url,
    mode: branch ? 'propose' : mode,
    ...(r.awaiting !== undefined ? { awaiting: r.awaiting } : {}),
  };
  // An incident that cannot be opened is a warning: the commit landed, and the report must say so.
  const openIncident = async (): Promise<string | null> => {
    try {
      return (await ports.incidents.open(incident)).where;
    } catch (e) {
      warnOf(ports)(
        `${service.name}: rolled back in ${result.sha.slice(0, 12)}, but the incident could not be opened: ${(e as Error).message}`,
      );
      return null;
    }
  };
  const notice = {
    id,
    severity: noticeSeverity(r.decision.evidence),
    // A fallback replaces the rollback before it: a pager resolves that one's alert.
    supersedes: r.chain > 1 ? step.state.rolledBackBy?.id : undefined,
    from: r.from,
    to: r.to,
    reason: r.decision.reason,
    evidence: breachedTerms(r.decision.evidence),
    trends: trendsOf(r.decision.evidence),
  };
  if (branch) {
    // The pull request first, so that the incident links it; then the pull request links the incident.
    const proposal = {
      branch,
      base: snap.branch ?? 'main',
      title: message.split('\n')[0]!,
      body: proposalBody(message, null, r.awaiting),
    };
    const pullRequest = await ports.proposals!.open(proposal);
    incident.pullRequest = pullRequest;
    const opened = await openIncident();
    if (opened) await ports.proposals!.open({ ...proposal, body: proposalBody(message, opened, r.awaiting) });
    await tell(step, {
      kind: 'proposed',
      ...notice,
      links: { commit: result.url, pullRequest, incident: opened ?? undefined, run: ctx.runUrl },
    });
    const waits = r.awaiting !== undefined ? `waits for a person: not clear-cut (${r.awaiting})` : undefined;
    return done({
      ...step.planned,
      ...(waits || sides ? { detail: `${waits ?? step.planned.detail ?? 'proposed'}${sides}` } : {}),
      action: 'proposed',
      commit: result.sha,
      incident: opened,
      pull_request: pullRequest,
    });
  }
  // The rollback stands whatever happens next. The incident first, so that every notification links
  // it: people open the incident, not the commit. An incident that could not be opened delays nobody.
  const opened = await openIncident();
  // Committed past the clear-cut level while a proposal of it waited (or, in the CLI, while it was
  // awaiting approval): the proposal is done with, and the incident says why no one was asked.
  if (r.supersedes || (r.chain === 1 && r.decision.approval?.clearCut && !ports.proposals))
    await supersede(step, r, { sha: result.sha, url: result.url });
  await tell(step, {
    kind: 'rolled_back',
    ...notice,
    links: { commit: result.url, incident: opened ?? undefined, run: ctx.runUrl },
  });
  const over = r.supersedes ? supersededDetail(r) : undefined;
  return done({
    ...step.planned,
    ...(over || sides ? { detail: `${over ?? step.planned.detail ?? 'rolled back'}${sides}` } : {}),
    ...(r.supersedes ? { pull_request: r.supersedes.url } : {}),
    action: 'rolled_back',
    commit: result.sha,
    incident: opened,
  });
}
