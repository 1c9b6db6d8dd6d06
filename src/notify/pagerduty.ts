import { scrubber } from '../redact.js';
import { headline, labelledLinks, type Notifier, type RollbackNotice } from './event.js';
import { postJson, redactUrl } from './post.js';
import type { NoticeSeverity } from './severity.js';

/** The Events API v2 endpoint (US service region); an EU account gives `https://events.eu.pagerduty.com/v2/enqueue`. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Events API v2 limits: `payload.summary` 1,024 characters, `dedup_key` 255. */
const MAX_SUMMARY = 1024;
const MAX_DEDUP_KEY = 255;
/** custom_details is free-form, but the whole event must stay well under the API's 512 KB. */
const MAX_DETAIL_EVIDENCE = 50;

type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

const SEVERITY: Record<NoticeSeverity, PagerDutySeverity> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

/** An alert event of the Events API v2 (developer.pagerduty.com, "Send an Alert Event"). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  client?: string;
  client_url?: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: { href: string; text: string }[];
  images?: { src: string; href?: string; alt?: string }[];
}

/**
 * One alert per rollback: `pinback-<service>-<Rollback-Id>`. The id comes from the rollback's
 * trailers (service, versions and the commit that pinned the candidate), so every run, a re-run
 * or a watch round names the same alert, and the recovery resolves it. Short enough for the API's
 * 255 characters whatever the service's name.
 */
export function dedupKey(service: string, id: string): string {
  const key = `pinback-${service}-${id}`;
  return key.length <= MAX_DEDUP_KEY ? key : `pinback-${id}`;
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * The events a notice makes: a rollback, a proposal, an escalation, an alert or a stranded stop
 * triggers (an escalation is the rollback's own alert again: while it is open the trigger is added
 * to it; once resolved, it opens a new one); a recovery resolves; a fallback rollback also
 * resolves the alert of the rollback it replaces.
 */
export function pagerDutyEvents(n: RollbackNotice, routingKey: string): PagerDutyEvent[] {
  const key = dedupKey(n.service, n.id);
  if (n.kind === 'recovered') return [{ routing_key: routingKey, event_action: 'resolve', dedup_key: key }];
  // People must act now: a rollback that did not help, or a stop with nowhere to go.
  const loud = n.kind === 'escalated' || n.kind === 'stranded';
  const trigger: PagerDutyEvent = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: key,
    client: 'pinback',
    ...(n.links.run ? { client_url: n.links.run } : {}),
    payload: {
      summary: cut(headline(n), MAX_SUMMARY),
      source: `${n.service} (${n.stage})`,
      severity: loud ? 'critical' : SEVERITY[n.severity],
      component: n.service,
      group: n.stage,
      class: n.reason,
      custom_details: {
        event: `pinback.${n.kind}`,
        service: n.service,
        stage: n.stage,
        from: n.from,
        to: n.to,
        reason: n.reason,
        severity: n.severity,
        rollback_id: n.id,
        evidence: n.evidence.slice(0, MAX_DETAIL_EVIDENCE),
        ...(n.evidence.length > MAX_DETAIL_EVIDENCE
          ? { evidence_not_shown: n.evidence.length - MAX_DETAIL_EVIDENCE }
          : {}),
        ...(n.links.incident ? { incident: n.links.incident } : {}),
      },
    },
    links: labelledLinks(n).map(({ label, href }) => ({ href, text: label })),
  };
  if (n.supersedes === undefined) return [trigger];
  return [
    trigger,
    { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey(n.service, n.supersedes) },
  ];
}

/** PagerDuty's Events API v2; the routing key (an integration key) is a secret, scrubbed from every failure. */
export function pagerDutyNotifier(
  routingKey: string,
  url: string = PAGERDUTY_EVENTS_URL,
  fetchImpl?: typeof fetch,
): Notifier {
  const scrub = scrubber([routingKey]);
  return {
    async send(n) {
      // In order: a fallback's new alert is open before the one it replaces is resolved.
      for (const event of pagerDutyEvents(n, routingKey))
        await postJson(url, event, {}, fetchImpl, undefined, scrub);
    },
    describe: () => `pagerduty ${redactUrl(url)}`,
  };
}
