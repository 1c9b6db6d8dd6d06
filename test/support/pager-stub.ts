/**
 * A local stand-in for the receivers pinback notifies, on a loopback port: PagerDuty's Events API v2,
 * Opsgenie's Alert API, a Slack incoming webhook and a generic webhook. Each checks a request as the
 * real service documents it and answers as it does (PagerDuty 202 / 400 `Invalid event`, Opsgenie 202
 * / 401 / 422, Slack `ok` / 400 `invalid_blocks`), and keeps the alerts' state, so a test sees
 * deduplication, resolution and closing, not only requests.
 *
 *   PagerDuty: developer.pagerduty.com, "Send an Alert Event" (routing_key of 32 characters,
 *     event_action trigger|acknowledge|resolve, dedup_key <= 255, payload.summary 1..1024, source,
 *     severity critical|error|warning|info; links[].href; images[].src over https). A trigger on an
 *     open alert with the same dedup_key is added to it; a resolve closes it; once resolved, a
 *     trigger opens a new alert and a resolve is dropped.
 *   Opsgenie: docs.opsgenie.com, "Alert API" (Authorization: GenieKey; message 1..130, alias <= 512,
 *     description <= 15000, priority P1..P5, at most 20 tags of 50, details of strings). A create
 *     whose alias names an open alert is deduplicated into it (its count grows); close by alias.
 *   Slack: Block Kit's limits (50 blocks, header 150, section text 3000, 10 context elements).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagerDutyAlert {
  dedupKey: string;
  routingKey: string;
  status: 'triggered' | 'resolved';
  /** The trigger events applied to it (the first opened it). */
  triggers: Record<string, unknown>[];
}

export interface OpsgenieStubAlert {
  alias: string;
  status: 'open' | 'closed';
  /** 1, plus one for each deduplicated create. */
  count: number;
  creates: Record<string, unknown>[];
  closeNotes: string[];
}

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  status: number;
}

export interface PagerStub {
  url: string;
  /** Every request, accepted or refused, in order. */
  received: Received[];
  pagerduty: PagerDutyAlert[];
  opsgenie: OpsgenieStubAlert[];
  /** Requests whose body or headers the service would have refused, with why. */
  refused: { path: string; why: string[] }[];
  close(): Promise<void>;
}

const isString = (v: unknown): v is string => typeof v === 'string';

function pagerDutyProblems(e: Record<string, unknown>): string[] {
  const p: string[] = [];
  if (!isString(e.routing_key) || e.routing_key.length !== 32)
    p.push('routing_key must be the 32-character integration key');
  if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action as string))
    p.push('event_action must be trigger, acknowledge or resolve');
  if (e.dedup_key !== undefined && (!isString(e.dedup_key) || e.dedup_key.length > 255))
    p.push('dedup_key must be a string of at most 255 characters');
  if (e.event_action !== 'trigger') return p;
  const payload = e.payload as Record<string, unknown> | undefined;
  if (!payload || typeof payload !== 'object') return [...p, 'payload is required for a trigger'];
  if (!isString(payload.summary) || payload.summary.length < 1 || payload.summary.length > 1024)
    p.push('payload.summary must be 1 to 1024 characters');
  if (!isString(payload.source) || payload.source === '') p.push('payload.source is required');
  if (!['critical', 'error', 'warning', 'info'].includes(payload.severity as string))
    p.push('payload.severity must be critical, error, warning or info');
  for (const k of ['component', 'group', 'class'] as const)
    if (payload[k] !== undefined && !isString(payload[k])) p.push(`payload.${k} must be a string`);
  if (
    payload.custom_details !== undefined &&
    (typeof payload.custom_details !== 'object' || Array.isArray(payload.custom_details))
  )
    p.push('payload.custom_details must be an object');
  if (e.links !== undefined) {
    if (!Array.isArray(e.links)) p.push('links must be an array');
    else
      for (const l of e.links as Record<string, unknown>[])
        if (!isString(l.href)) p.push('links[].href is required');
  }
  if (e.images !== undefined) {
    if (!Array.isArray(e.images)) p.push('images must be an array');
    else
      for (const i of e.images as Record<string, unknown>[])
        if (!isString(i.src) || !i.src.startsWith('https://'))
          p.push('images[].src must be served over https');
  }
  return p;
}

function opsgenieProblems(a: Record<string, unknown>): string[] {
  const p: string[] = [];
  if (!isString(a.message) || a.message.length < 1 || a.message.length > 130)
    p.push('message must be 1 to 130 characters');
  if (a.alias !== undefined && (!isString(a.alias) || a.alias.length > 512))
    p.push('alias must be at most 512 characters');
  if (a.description !== undefined && (!isString(a.description) || a.description.length > 15000))
    p.push('description must be at most 15000 characters');
  if (a.priority !== undefined && !['P1', 'P2', 'P3', 'P4', 'P5'].includes(a.priority as string))
    p.push('priority must be P1 to P5');
  if (a.tags !== undefined) {
    if (!Array.isArray(a.tags) || a.tags.length > 20) p.push('at most 20 tags');
    else if (!(a.tags as unknown[]).every((t) => isString(t) && t.length <= 50))
      p.push('a tag is a string of at most 50 characters');
  }
  if (a.details !== undefined) {
    const d = a.details as Record<string, unknown>;
    if (typeof d !== 'object' || Array.isArray(d) || !Object.values(d).every(isString))
      p.push('details must map strings to strings');
    else if (JSON.stringify(d).length > 8000) p.push('details must be at most 8000 characters');
  }
  for (const k of ['entity', 'source'] as const)
    if (a[k] !== undefined && !isString(a[k])) p.push(`${k} must be a string`);
  return p;
}

function slackProblems(m: Record<string, unknown>): string[] {
  const p: string[] = [];
  if (!isString(m.text) || m.text === '') p.push('text is required (the notification text)');
  const blocks = m.blocks as Record<string, unknown>[] | undefined;
  if (!Array.isArray(blocks)) return p;
  if (blocks.length > 50) p.push(`${blocks.length} blocks: at most 50`);
  blocks.forEach((b, i) => {
    const text = (b.text as { text?: unknown } | undefined)?.text;
    if (b.type === 'header' && (!isString(text) || text.length > 150 || text === ''))
      p.push(`blocks[${i}]: header text must be 1 to 150 characters`);
    if (b.type === 'section' && (!isString(text) || text.length > 3000 || text === ''))
      p.push(`blocks[${i}]: section text must be 1 to 3000 characters`);
    if (b.type === 'context') {
      const elements = b.elements as { text?: unknown }[];
      if (!Array.isArray(elements) || elements.length < 1 || elements.length > 10)
        p.push(`blocks[${i}]: 1 to 10 context elements`);
      else if (!elements.every((e) => isString(e.text) && e.text.length <= 3000 && e.text !== ''))
        p.push(`blocks[${i}]: context text must be 1 to 3000 characters`);
    }
  });
  return p;
}

/** Starts the stub on 127.0.0.1, port 0. `GENIE_KEY` is the only Opsgenie key it accepts. */
export async function startPagerStub(genieKey: string): Promise<PagerStub> {
  const received: Received[] = [];
  const pagerduty: PagerDutyAlert[] = [];
  const opsgenie: OpsgenieStubAlert[] = [];
  const refused: { path: string; why: string[] }[] = [];

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', typeof body === 'string' ? 'text/plain' : 'application/json');
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
    return status;
  };

  const handle = (req: IncomingMessage, path: string, body: Record<string, unknown>, res: ServerResponse) => {
    const refuse = (status: number, why: string[], reply: unknown) => {
      refused.push({ path, why });
      return answer(res, status, reply);
    };
    if (path === '/pagerduty/v2/enqueue') {
      const why = pagerDutyProblems(body);
      if (why.length)
        return refuse(400, why, { status: 'invalid event', message: 'Event object is invalid', errors: why });
      const key = body.dedup_key as string;
      const open = pagerduty.find(
        (a) => a.dedupKey === key && a.routingKey === body.routing_key && a.status === 'triggered',
      );
      if (body.event_action === 'trigger') {
        if (open) open.triggers.push(body);
        else
          pagerduty.push({
            dedupKey: key,
            routingKey: body.routing_key as string,
            status: 'triggered',
            triggers: [body],
          });
      } else if (body.event_action === 'resolve' && open) open.status = 'resolved';
      return answer(res, 202, { status: 'success', message: 'Event processed', dedup_key: key });
    }
    if (path.startsWith('/opsgenie/')) {
      if (req.headers.authorization !== `GenieKey ${genieKey}`)
        return refuse(401, ['Authorization must be GenieKey <key>'], {
          message: 'Could not authenticate',
          took: 0,
        });
      const close = /^\/opsgenie\/v2\/alerts\/([^/?]+)\/close\?identifierType=alias$/.exec(path);
      if (close) {
        const alias = decodeURIComponent(close[1]!);
        const open = opsgenie.find((a) => a.alias === alias && a.status === 'open');
        if (open) {
          open.status = 'closed';
          open.closeNotes.push(String(body.note ?? ''));
        }
        return answer(res, 202, { result: 'Request will be processed', took: 0.01, requestId: 'r-close' });
      }
      if (path === '/opsgenie/v2/alerts') {
        const why = opsgenieProblems(body);
        if (why.length) return refuse(422, why, { message: why.join('; '), took: 0 });
        const alias = (body.alias as string | undefined) ?? (body.message as string);
        const open = opsgenie.find((a) => a.alias === alias && a.status === 'open');
        if (open) {
          open.count++;
          open.creates.push(body);
        } else opsgenie.push({ alias, status: 'open', count: 1, creates: [body], closeNotes: [] });
        return answer(res, 202, { result: 'Request will be processed', took: 0.01, requestId: 'r-create' });
      }
      return refuse(404, [`no route ${path}`], { message: 'Not found' });
    }
    if (path.startsWith('/slack/')) {
      const why = slackProblems(body);
      return why.length ? refuse(400, why, 'invalid_blocks') : answer(res, 200, 'ok');
    }
    return answer(res, 200, 'ok');
  };

  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    req.on('end', () => {
      const path = req.url ?? '';
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        refused.push({ path, why: ['the body is not JSON'] });
        received.push({ path, headers: req.headers, body: {}, status: 400 });
        answer(res, 400, 'invalid JSON');
        return;
      }
      const status = handle(req, path, body, res);
      received.push({ path, headers: req.headers, body, status });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    pagerduty,
    opsgenie,
    refused,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
