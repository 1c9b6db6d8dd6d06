import { detectSource } from '../alerts/detect.js';
import type { AlertSource } from '../alerts/types.js';
import { splitTerms } from '../config/glob.js';
import type { Selection } from '../config/select.js';
import type { Shard } from '../config/shard.js';
import { PINBACK_LABEL } from '../github/incidents.js';
import { INCIDENT_ID } from '../incident/render.js';
import { checkDispatch } from './dispatch.js';
import { commentGate, type GatePull, gateModePlan, pullRequestGate } from './gate-event.js';

/** What one Action run does, decided from the event alone (pure). */
export type EventPlan =
  | {
      kind: 'reconcile';
      trigger: string;
      /** The services to reconcile: the input's or the event's terms, and always the input's shard. */
      selection: Selection;
      /** The alert that asked for the run: a native dispatch's service, or the alerts' names. */
      signal?: { service?: string | undefined; reason: string | undefined };
    }
  /**
   * A `repository_dispatch` from an alerting or delivery tool (src/alerts/detect.ts): its alerts are
   * read (src/alerts/parse.ts) and mapped to services by the policy's `alerts:` key, so the services
   * are known only once the policy is; the input's shard holds for them, as for a native dispatch.
   */
  | { kind: 'alerts'; trigger: string; source: AlertSource; clientPayload: unknown; shard: Shard | undefined }
  | { kind: 'unlock'; trigger: string; issue: number; rollbackId: string }
  /**
   * The gate (gate-event.ts): the lock check, and the promotion gate of a pull request (`pull`), or
   * of every open pull request whose gate is pending (`pending`: a schedule's re-run).
   */
  | { kind: 'gate'; trigger: string; pull?: GatePull | undefined; pending?: boolean | undefined }
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

export class EventError extends Error {
  override name = 'EventError';
}

/**
 * The `services` input's terms when it has some, else the event's own (a workflow_dispatch's
 * `services`), split as the input is (splitTerms: `web-{eu,us}` is one term). The shard is not
 * one of them: it applies to whichever terms win (planFor).
 */
function selectionOf(fromInput: Selection, fromEvent: unknown): Selection {
  const own = typeof fromEvent === 'string' ? splitTerms(fromEvent) : [];
  const terms = fromInput.terms?.length ? fromInput.terms : own.length ? own : undefined;
  return { terms, shard: fromInput.shard };
}

/**
 * `input` is what the Action's inputs select (`services`, `shard`); an event may bring its own
 * services, and the shard holds for them too.
 */
export function planFor(
  event: string,
  payload: Record<string, unknown>,
  input: Selection,
  gate: boolean,
): EventPlan {
  if (gate) return gateModePlan(event, payload);
  switch (event) {
    case 'schedule':
      return { kind: 'reconcile', trigger: 'schedule', selection: selectionOf(input, undefined) };
    case 'workflow_dispatch': {
      const inputs = (payload.inputs ?? {}) as Record<string, unknown>;
      return {
        kind: 'reconcile',
        trigger: 'workflow_dispatch',
        selection: selectionOf(input, inputs.services),
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
        selection: selectionOf(input, undefined),
      };
    }
    case 'repository_dispatch': {
      const source = detectSource(payload.action, payload.client_payload);
      if (source) {
        const type = typeof payload.action === 'string' && payload.action ? payload.action : source;
        return {
          kind: 'alerts',
          trigger: `repository_dispatch (${type})`,
          source,
          clientPayload: payload.client_payload,
          shard: input.shard,
        };
      }
      const parsed = checkDispatch(payload);
      if (!parsed.ok) {
        throw new EventError(
          `repository_dispatch: ${parsed.path}: ${parsed.message} (send {"event_type": "...", "client_payload": {"service": "NAME", "reason": "..."}})` +
            ', or the payload of Alertmanager, Grafana, Argo CD Notifications or Flux that docs/alerts.md shows',
        );
      }
      const { service, reason } = parsed;
      return {
        kind: 'reconcile',
        trigger: 'repository_dispatch',
        // The alert names its service, whatever the `services` input; the shard still holds. Every
        // job of a sharded matrix receives the alert, and only the one whose shard holds the
        // service judges it (the others have nothing to do): one judgement, and one possible
        // rollback commit, per alert.
        selection: { terms: [service], shard: input.shard },
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
      return closed ?? pullRequestGate(event, payload);
    }
    // `/pinback recheck` on a pull request: the gate again, whatever the mode.
    case 'issue_comment':
      return commentGate(payload);
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
