/*
 * Which pull request the promotion gate judges, from the event alone (pure; event.ts routes here).
 *
 * - `pull_request` / `pull_request_target`: the event's pull request. A `labeled` event re-runs the
 *   gate only for the label `pinback/recheck` (any other label changes nothing the gate reads).
 * - `issue_comment` (created) whose first line is `/pinback recheck`, on a pull request, by someone
 *   with write access (author_association OWNER, MEMBER or COLLABORATOR): that pull request, read
 *   through the API (a comment's workflow runs on the default branch, not the pull request).
 * - `schedule`, `workflow_dispatch` with `mode: gate`: every open pull request whose `pinback/gate`
 *   status is pending (not enough evidence yet) is judged again.
 * - Any other event with `mode: gate`: the lock check of the GitOps branch, as before.
 */

/** The label that asks for a re-run; the gate removes it once done, so it can be added again. */
export const RECHECK_LABEL = 'pinback/recheck';
/** The comment that asks for a re-run. */
export const RECHECK_COMMENT = '/pinback recheck';
/** Who may ask by comment: people with write access to the repository. */
export const WRITERS = ['OWNER', 'MEMBER', 'COLLABORATOR'] as const;

/** A pull request as the event gives it; a comment gives only its number. */
export interface GatePull {
  number: number;
  /** owner/name of the pull request's (base) repository, where known. */
  repo?: string | undefined;
  head?: { sha: string; ref: string } | undefined;
  base?: { ref: string; sha: string } | undefined;
  /** The event is a `labeled` with RECHECK_LABEL: the label is removed after the run. */
  relabel?: boolean | undefined;
}

export type GateRoute =
  | { kind: 'gate'; trigger: string; pull?: GatePull | undefined; pending?: boolean | undefined }
  | { kind: 'ignore'; message: string };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function pullOf(pr: Obj, repository: Obj, relabel: boolean): GatePull | undefined {
  if (typeof pr.number !== 'number') return undefined;
  const head = obj(pr.head);
  const base = obj(pr.base);
  const headSha = str(head.sha);
  const baseRef = str(base.ref);
  return {
    number: pr.number,
    // The event's repository is the pull request's base repository (a fork's pull request too).
    repo: str(repository.full_name) ?? str(obj(base.repo).full_name),
    head: headSha ? { sha: headSha, ref: str(head.ref) ?? '' } : undefined,
    base: baseRef ? { ref: baseRef, sha: str(base.sha) ?? '' } : undefined,
    ...(relabel ? { relabel } : {}),
  };
}

/** The gate's plan for a pull request event (`pull_request`, `pull_request_target`). */
export function pullRequestGate(event: string, payload: Obj): GateRoute {
  const labeled = payload.action === 'labeled';
  if (labeled) {
    const label = str(obj(payload.label).name);
    if (label !== RECHECK_LABEL) {
      return {
        kind: 'ignore',
        message: `${event} labeled ${label ?? '(no label)'}: only the label ${RECHECK_LABEL} re-runs the gate`,
      };
    }
  }
  const pull = pullOf(obj(payload.pull_request), obj(payload.repository), labeled);
  return { kind: 'gate', trigger: labeled ? `${event} labeled ${RECHECK_LABEL}` : event, pull };
}

/** The gate's plan for an `issue_comment`: a `/pinback recheck` by a writer on a pull request. */
export function commentGate(payload: Obj): GateRoute {
  const issue = obj(payload.issue);
  const comment = obj(payload.comment);
  const body = (str(comment.body) ?? '').trim().split(/\r?\n/)[0]!.trim();
  if (payload.action !== 'created' || body.toLowerCase() !== RECHECK_COMMENT) {
    return {
      kind: 'ignore',
      message: `issue_comment ${String(payload.action)}: not a new "${RECHECK_COMMENT}" comment, nothing to do`,
    };
  }
  if (issue.pull_request === undefined || typeof issue.number !== 'number') {
    return {
      kind: 'ignore',
      message: `issue_comment: "${RECHECK_COMMENT}" on an issue, not a pull request: nothing to re-check`,
    };
  }
  const association = str(comment.author_association) ?? 'NONE';
  if (!(WRITERS as readonly string[]).includes(association)) {
    const who = str(obj(comment.user).login) ?? 'the commenter';
    return {
      kind: 'ignore',
      message: `issue_comment: ${who} (${association}) may not re-run the gate: only ${WRITERS.join(', ')} (write access) may`,
    };
  }
  return {
    kind: 'gate',
    trigger: `issue_comment ${RECHECK_COMMENT}`,
    pull: { number: issue.number, repo: str(obj(payload.repository).full_name) },
  };
}

/** With `mode: gate`, what each event asks of the gate. */
export function gateModePlan(event: string, payload: Obj): GateRoute {
  switch (event) {
    case 'pull_request':
    case 'pull_request_target':
      return pullRequestGate(event, payload);
    case 'issue_comment':
      return commentGate(payload);
    case 'schedule':
    case 'workflow_dispatch':
      return { kind: 'gate', trigger: event, pending: true };
    default:
      return { kind: 'gate', trigger: event };
  }
}
