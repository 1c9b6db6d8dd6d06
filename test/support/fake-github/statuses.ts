import { type FakeState, isoMs, nodeId, type RepoEntry, stableId } from './state.js';

/*
 * Commit statuses, as GitHub keeps them: every status created is kept (newest first), the newest
 * per context is the one shown, and at most 1,000 per commit and context are accepted. REST
 * creates them (`repos/create-commit-status`) and lists them; GraphQL's `Commit.status` shows the
 * newest per context.
 */

export interface StatusEntry {
  id: number;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: number;
  creator: string;
}

/** The statuses of each commit, newest first, by repository and sha. */
const byRepo = new WeakMap<RepoEntry, Map<string, StatusEntry[]>>();

export function statusesOf(repo: RepoEntry, sha: string): StatusEntry[] {
  let m = byRepo.get(repo);
  if (!m) byRepo.set(repo, (m = new Map()));
  let list = m.get(sha);
  if (!list) m.set(sha, (list = []));
  return list;
}

/** The newest status of each context (what GitHub shows on a commit). */
export function newestPerContext(list: readonly StatusEntry[]): StatusEntry[] {
  const seen = new Set<string>();
  return list.filter((s) => !seen.has(s.context) && seen.add(s.context));
}

/** The combined state GitHub derives: failure over pending over success. */
export function combinedState(list: readonly StatusEntry[]): StatusEntry['state'] {
  const shown = newestPerContext(list).map((s) => s.state);
  if (shown.some((s) => s === 'error' || s === 'failure')) return 'failure';
  if (shown.length === 0 || shown.some((s) => s === 'pending')) return 'pending';
  return 'success';
}

export const STATES = new Set(['error', 'failure', 'pending', 'success']);

export function createStatus(
  state: FakeState,
  repo: RepoEntry,
  sha: string,
  body: {
    state: StatusEntry['state'];
    context: string;
    description: string | null;
    targetUrl: string | null;
  },
): StatusEntry | 'limit' {
  const list = statusesOf(repo, sha);
  if (list.filter((s) => s.context === body.context).length >= 1000) return 'limit';
  const entry: StatusEntry = { id: state.nextId(), createdAt: state.now(), creator: state.login, ...body };
  list.unshift(entry);
  return entry;
}

/** A status as REST answers it. */
export function statusJson(
  base: string,
  repo: RepoEntry,
  sha: string,
  s: StatusEntry,
): Record<string, unknown> {
  const id = stableId(s.creator);
  return {
    url: `${base}/repos/${repo.fullName}/statuses/${sha}`,
    avatar_url: null,
    id: s.id,
    node_id: nodeId('SC', String(s.id)),
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: isoMs(s.createdAt),
    updated_at: isoMs(s.createdAt),
    creator: {
      login: s.creator,
      id,
      node_id: nodeId('U', s.creator),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url: `${base}/users/${s.creator}`,
      html_url: `https://github.com/${s.creator}`,
      followers_url: `${base}/users/${s.creator}/followers`,
      following_url: `${base}/users/${s.creator}/following{/other_user}`,
      gists_url: `${base}/users/${s.creator}/gists{/gist_id}`,
      starred_url: `${base}/users/${s.creator}/starred{/owner}{/repo}`,
      subscriptions_url: `${base}/users/${s.creator}/subscriptions`,
      organizations_url: `${base}/users/${s.creator}/orgs`,
      repos_url: `${base}/users/${s.creator}/repos`,
      events_url: `${base}/users/${s.creator}/events{/privacy}`,
      received_events_url: `${base}/users/${s.creator}/received_events`,
      type: s.creator.endsWith('[bot]') ? 'Bot' : 'User',
      site_admin: false,
    },
  };
}

/** `Commit.status` in GraphQL: null where the commit has no status at all. */
export function statusModel(repo: RepoEntry, sha: string): Record<string, unknown> | null {
  const list = statusesOf(repo, sha);
  if (list.length === 0) return null;
  const context = (s: StatusEntry) => ({
    __typename: 'StatusContext',
    id: nodeId('SC', String(s.id)),
    context: s.context,
    state: s.state.toUpperCase(),
    description: s.description,
    targetUrl: s.targetUrl,
    createdAt: isoMs(s.createdAt),
  });
  return {
    __typename: 'Status',
    id: nodeId('ST', `${repo.fullName}:${sha}`),
    state: combinedState(list).toUpperCase(),
    contexts: newestPerContext(list).map(context),
    context: ({ name }: { name?: unknown }) => {
      const s = newestPerContext(list).find((x) => x.context === name);
      return s ? context(s) : null;
    },
  };
}
