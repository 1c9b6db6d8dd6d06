import { z } from 'zod';
import { PINBACK_LABEL } from '../github/incidents.js';
import { INCIDENT_ID } from '../incident/render.js';

/** What one Action run does, decided from the event alone (pure). */
export type EventPlan =
  | {
      kind: 'reconcile';
      trigger: string;
      services: string[] | undefined;
      signal?: { service: string; reason: string | undefined };
    }
  | { kind: 'unlock'; trigger: string; issue: number; rollbackId: string }
  | { kind: 'gate'; trigger: string }
  /** A rollback proposal's pull request was merged (applied) or closed without merging (declined). */
  | {
      kind: 'proposal_closed';
      trigger: string;
      service: string;
      rollbackId: string;
      pullRequest: string;
      merged: boolean;
      mergeCommit: string | undefined;
    }
  | { kind: 'ignore'; message: string };

// zod's own words for an absent key ("expected string, received undefined") say less than this.
const missing = (i: { input: unknown }) => (i.input === undefined ? 'missing' : undefined);

const dispatchPayload = z.object({
  client_payload: z.object(
    {
      service: z
        .string({ error: missing })
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'must name a service of the policy' }),
      reason: z.string().max(200).optional(),
    },
    { error: missing },
  ),
});

export class EventError extends Error {
  override name = 'EventError';
}

function services(fromInput: string[], fromEvent: unknown): string[] | undefined {
  if (fromInput.length) return fromInput;
  if (typeof fromEvent === 'string' && fromEvent.trim()) return fromEvent.split(/[\s,]+/).filter(Boolean);
  return undefined;
}

export function planFor(
  event: string,
  payload: Record<string, unknown>,
  inputServices: string[],
  gate: boolean,
): EventPlan {
  if (gate) return { kind: 'gate', trigger: event };
  switch (event) {
    case 'schedule':
      return { kind: 'reconcile', trigger: 'schedule', services: services(inputServices, undefined) };
    case 'workflow_dispatch': {
      const inputs = (payload.inputs ?? {}) as Record<string, unknown>;
      return {
        kind: 'reconcile',
        trigger: 'workflow_dispatch',
        services: services(inputServices, inputs.services),
      };
    }
    case 'workflow_run': {
      const run = (payload.workflow_run ?? {}) as { conclusion?: string; name?: string };
      if (payload.action !== 'completed' || run.conclusion !== 'success') {
        return {
          kind: 'ignore',
          message: `workflow_run ${String(payload.action)} with conclusion ${run.conclusion ?? 'none'}: the deploy did not complete, nothing to guard`,
        };
      }
      return {
        kind: 'reconcile',
        trigger: `workflow_run (${run.name ?? 'deploy'})`,
        services: services(inputServices, undefined),
      };
    }
    case 'repository_dispatch': {
      const parsed = dispatchPayload.safeParse(payload);
      if (!parsed.success) {
        const i = parsed.error.issues[0]!;
        throw new EventError(
          `repository_dispatch: ${i.path.join('.')}: ${i.message} (send {"event_type": "...", "client_payload": {"service": "NAME", "reason": "..."}})`,
        );
      }
      const { service, reason } = parsed.data.client_payload;
      return {
        kind: 'reconcile',
        trigger: 'repository_dispatch',
        services: [service],
        signal: { service, reason },
      };
    }
    case 'issues': {
      const issue = (payload.issue ?? {}) as {
        number?: number;
        body?: string | null;
        labels?: { name?: string }[];
      };
      const id = INCIDENT_ID.exec(issue.body ?? '')?.[1];
      // The label as well as the marker: pinback labels its incidents, and a marker pasted into any
      // issue must not be enough to ask for an unlock.
      const labelled = (issue.labels ?? []).some((l) => l.name === PINBACK_LABEL);
      if (payload.action !== 'closed' || !id || !labelled || typeof issue.number !== 'number') {
        return {
          kind: 'ignore',
          message: `issues ${String(payload.action)}: not a closed pinback incident, nothing to do`,
        };
      }
      return { kind: 'unlock', trigger: 'issues closed', issue: issue.number, rollbackId: id };
    }
    case 'pull_request':
    case 'pull_request_target': {
      const closed = proposalClosed(event, payload);
      return closed ?? { kind: 'gate', trigger: event };
    }
    default:
      return {
        kind: 'ignore',
        message: `pinback does not act on ${event} events: use schedule, workflow_dispatch, workflow_run, repository_dispatch or issues (closed)`,
      };
  }
}

/** pinback's proposal branches: `pinback/rollback-<service>-<rollback id>`. */
const PROPOSAL_BRANCH = /^pinback\/rollback-([A-Za-z0-9][A-Za-z0-9_.-]*)-([0-9a-f]{16})$/;

/** A closed pull request of a rollback proposal: its incident records how it ended. */
function proposalClosed(event: string, payload: Record<string, unknown>): EventPlan | undefined {
  if (payload.action !== 'closed') return undefined;
  const pr = (payload.pull_request ?? {}) as {
    html_url?: string;
    merged?: boolean;
    merge_commit_sha?: string | null;
    head?: { ref?: string };
  };
  const m = PROPOSAL_BRANCH.exec(pr.head?.ref ?? '');
  if (!m || typeof pr.html_url !== 'string') return undefined;
  return {
    kind: 'proposal_closed',
    trigger: `${event} closed`,
    service: m[1]!,
    rollbackId: m[2]!,
    pullRequest: pr.html_url,
    merged: pr.merged === true,
    mergeCommit: pr.merged === true ? (pr.merge_commit_sha ?? undefined) : undefined,
  };
}
