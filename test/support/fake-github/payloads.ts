import { readFileSync } from 'node:fs';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { packageFile } from './openapi.js';

/**
 * Event payloads as GitHub Actions hands them to a workflow (GITHUB_EVENT_PATH), taken from
 * the real webhook examples GitHub's community maintains (@octokit/webhooks-examples).
 */

type Example<
  N extends 'workflow_run' | 'repository_dispatch' | 'issues' | 'workflow_dispatch' | 'pull_request',
> = WebhookDefinition<N>['examples'][number];

export interface SchedulePayload {
  schedule: string;
  repository: Example<'workflow_dispatch'>['repository'];
  sender: Example<'workflow_dispatch'>['sender'];
}

export interface EventPayloads {
  schedule: SchedulePayload;
  workflow_dispatch: Example<'workflow_dispatch'>;
  workflow_run: Example<'workflow_run'>;
  repository_dispatch: Example<'repository_dispatch'>;
  issues: Example<'issues'>;
  pull_request: Example<'pull_request'>;
}

export type EventName = keyof EventPayloads;

export interface EventPatch {
  /** owner/name: repository.full_name, .name, .owner.login and every URL naming the example's repository. */
  repo?: string;
  /** The event's action; defaults: workflow_run completed, issues closed, repository_dispatch the example's. */
  action?: string;
  /** The cron of a schedule event; default every 5 minutes. */
  schedule?: string;
  /** Anything else is deep-merged into the payload (objects merge, arrays and values replace). */
  [key: string]: unknown;
}

type Definition = { name: string; examples: Record<string, unknown>[] };
let definitions: Definition[] | undefined;

function load(): Definition[] {
  definitions ??= JSON.parse(
    readFileSync(packageFile('@octokit/webhooks-examples', 'api.github.com/index.json'), 'utf8'),
  ) as Definition[];
  return definitions;
}

const DEFAULT_ACTION: Partial<Record<EventName, string>> = { workflow_run: 'completed', issues: 'closed' };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    const cur = target[k];
    if (isPlainObject(v) && isPlainObject(cur)) deepMerge(cur, v);
    else target[k] = structuredClone(v);
  }
}

function replaceStrings(v: unknown, from: string, to: string): unknown {
  if (typeof v === 'string') return v.split(from).join(to);
  if (Array.isArray(v)) return v.map((x) => replaceStrings(x, from, to));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = replaceStrings(x, from, to);
    return out;
  }
  return v;
}

function retarget(payload: Record<string, unknown>, repo: string): Record<string, unknown> {
  const [owner, name] = repo.split('/');
  if (!owner || !name) throw new Error(`eventPayload: repo "${repo}" is not owner/name`);
  const r = payload.repository;
  if (!isPlainObject(r) || typeof r.full_name !== 'string') return payload;
  const oldFull = r.full_name;
  const oldOwner = oldFull.split('/')[0]!;
  const out = replaceStrings(payload, `/${oldFull}`, `/${repo}`) as Record<string, unknown>;
  const nr = out.repository as Record<string, unknown>;
  nr.full_name = repo;
  nr.name = name;
  if (isPlainObject(nr.owner)) {
    nr.owner = replaceStrings(nr.owner, `/${oldOwner}`, `/${owner}`);
    (nr.owner as Record<string, unknown>).login = owner;
  }
  return out;
}

/**
 * A deep copy of the first real example of that event (and action), as Actions provides it,
 * optionally moved to another repository and patched. `schedule` is no webhook: it is built as
 * Actions does, `{schedule, repository, sender}`. `issues` `closed` has no published example: it
 * is the first `opened` example turned closed (action, state, closed_at, state_reason).
 */
export function eventPayload<N extends EventName>(name: N, patch: EventPatch = {}): EventPayloads[N] {
  const { repo, action, schedule, ...rest } = patch;
  const defs = load();
  let payload: Record<string, unknown>;
  if (name === 'schedule') {
    const wd = defs.find((d) => d.name === 'workflow_dispatch')!.examples[0]!;
    payload = structuredClone({
      schedule: schedule ?? '*/5 * * * *',
      repository: wd.repository,
      sender: wd.sender,
    });
  } else {
    const def = defs.find((d) => d.name === name);
    if (!def || def.examples.length === 0) throw new Error(`eventPayload: no examples for ${name}`);
    const wanted = action ?? DEFAULT_ACTION[name];
    const exact = wanted === undefined ? def.examples[0] : def.examples.find((e) => e.action === wanted);
    if (exact) payload = structuredClone(exact);
    else {
      const base = def.examples.find((e) => e.action === 'opened') ?? def.examples[0]!;
      payload = structuredClone(base);
      payload.action = wanted;
      delete payload.changes;
      if (name === 'issues' && wanted === 'closed' && isPlainObject(payload.issue)) {
        const issue = payload.issue;
        issue.state = 'closed';
        issue.closed_at = issue.updated_at ?? '2021-07-05T18:07:10Z';
        issue.state_reason = 'completed';
      }
    }
  }
  const patchedFull =
    isPlainObject(rest.repository) && typeof rest.repository.full_name === 'string'
      ? rest.repository.full_name
      : undefined;
  const target = repo ?? patchedFull;
  if (target) payload = retarget(payload, target);
  deepMerge(payload, rest);
  return payload as unknown as EventPayloads[N];
}
