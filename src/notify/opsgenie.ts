import { scrubber } from '../redact.js';
import { headline, labelledLinks, type Notifier, type RollbackNotice } from './event.js';
import { postJson, redactUrl } from './post.js';
import type { NoticeSeverity } from './severity.js';

/** The Alert API's base by region: an EU account's keys work only against the EU host. */
export const OPSGENIE_API = { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' } as const;

/** Alert API limits: message 130 characters, alias 512, description 15,000; at most 20 tags of 50. */
const MAX_MESSAGE = 130;
const MAX_ALIAS = 512;
const MAX_DESCRIPTION = 15_000;
const MAX_TAG = 50;
const MAX_TAGS = 20;
const MAX_NOTE = 25_000;
/** `details` values are strings; the whole map is bounded (8,000 characters) by the API. */
const MAX_DETAIL = 1000;

const PRIORITY: Record<NoticeSeverity, 'P1' | 'P2' | 'P3' | 'P4' | 'P5'> = {
  critical: 'P1',
  high: 'P2',
  medium: 'P3',
  low: 'P4',
};

/** A create-alert request of the Alert API (`POST /v2/alerts`). */
export interface OpsgenieAlert {
  message: string;
  alias: string;
  description: string;
  priority: 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
  tags: string[];
  details: Record<string, string>;
  entity: string;
  source: string;
  note?: string;
}

/** One request to the Alert API: where, and what. */
export interface OpsgenieRequest {
  path: string;
  body: OpsgenieAlert | { source: string; note: string };
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * One alert per rollback: `pinback-<service>-<Rollback-Id>`, the same in every run (the id comes from
 * the rollback's trailers), so Opsgenie deduplicates a repeated create into the open alert and the
 * recovery closes it by alias.
 */
export function alertAlias(service: string, id: string): string {
  const alias = `pinback-${service}-${id}`;
  return alias.length <= MAX_ALIAS ? alias : `pinback-${id}`;
}

const closePath = (alias: string) => `/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`;

/** The alert's text: the headline, the evidence, the links; within the API's 15,000 characters. */
function description(n: RollbackNotice): string {
  const links = labelledLinks(n).map(({ label, href }) => `${label}: ${href}`);
  if (n.links.incident && !links.some((l) => l.startsWith('incident:')))
    links.unshift(`incident: ${n.links.incident}`);
  const text = [headline(n), '', ...n.evidence.map((e) => `- ${e}`), '', ...links].join('\n');
  return cut(text, MAX_DESCRIPTION);
}

/**
 * The requests a notice makes: a rollback, a proposal, an escalation, an alert or a stranded stop
 * creates the rollback's alert (a repeat, the escalation, is deduplicated into it while it is open, with
 * a note); a recovery closes it; a fallback rollback also closes the alert of the rollback it replaces.
 */
export function opsgenieRequests(n: RollbackNotice): OpsgenieRequest[] {
  const alias = alertAlias(n.service, n.id);
  if (n.kind === 'recovered') {
    return [{ path: closePath(alias), body: { source: 'pinback', note: cut(headline(n), MAX_NOTE) } }];
  }
  const loud = n.kind === 'escalated' || n.kind === 'stranded';
  const details: Record<string, string> = {
    event: `pinback.${n.kind}`,
    service: n.service,
    stage: n.stage,
    from: n.from,
    to: n.to,
    reason: n.reason,
    severity: n.severity,
    rollback_id: n.id,
    ...(n.links.incident ? { incident: n.links.incident } : {}),
    ...(n.links.pullRequest ? { pull_request: n.links.pullRequest } : {}),
    ...(n.links.commit ? { commit: n.links.commit } : {}),
    ...(n.links.run ? { run: n.links.run } : {}),
  };
  const tags = [...new Set(['pinback', n.kind, n.service, n.stage, n.reason, n.severity])]
    .filter((t) => t !== '')
    .map((t) => cut(t, MAX_TAG))
    .slice(0, MAX_TAGS);
  const create: OpsgenieRequest = {
    path: '/v2/alerts',
    body: {
      message: cut(headline(n), MAX_MESSAGE),
      alias,
      description: description(n),
      priority: loud ? 'P1' : PRIORITY[n.severity],
      tags,
      details: Object.fromEntries(Object.entries(details).map(([k, v]) => [k, cut(v, MAX_DETAIL)])),
      entity: n.service,
      source: 'pinback',
      ...(n.kind === 'escalated' ? { note: cut(headline(n), MAX_NOTE) } : {}),
    },
  };
  if (n.supersedes === undefined) return [create];
  const old = alertAlias(n.service, n.supersedes);
  return [
    create,
    {
      path: closePath(old),
      body: { source: 'pinback', note: `Superseded by the fallback rollback ${alias}.` },
    },
  ];
}

/**
 * Opsgenie's Alert API with an API integration's key (`Authorization: GenieKey …`); the key is a
 * secret, scrubbed from every failure. The API answers 202 and applies the request asynchronously.
 */
export function opsgenieNotifier(
  apiKey: string,
  baseUrl: string = OPSGENIE_API.us,
  fetchImpl?: typeof fetch,
): Notifier {
  const base = baseUrl.replace(/\/+$/, '');
  const headers = { authorization: `GenieKey ${apiKey}` };
  const scrub = scrubber([apiKey, headers.authorization]);
  return {
    async send(n) {
      for (const r of opsgenieRequests(n))
        await postJson(`${base}${r.path}`, r.body, headers, fetchImpl, undefined, scrub);
    },
    describe: () => `opsgenie ${redactUrl(base)}`,
  };
}
