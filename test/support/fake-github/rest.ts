import { isValidRefName, ZERO_OID } from './git.js';
import { createStatus, type StatusEntry, statusesOf, statusJson } from './statuses.js';
import {
  type FakeState,
  findRepo,
  htmlUrl,
  type Item,
  isoMs,
  type Label,
  nodeId,
  type RepoEntry,
  stableId,
  tokenAuthor,
  WEB,
  webFlowCommitter,
} from './state.js';

/** The REST half: handlers by operationId, state in memory, git data in the bare repositories. */

export interface RestRequest {
  operationId: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The path as requested, without query (for Link headers). */
  path: string;
  /** The base the client used: the server's origin, plus /api/v3 when it asked that way. */
  base: string;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (state: FakeState, req: RestRequest) => Promise<RestResponse>;

const DOCS = 'https://docs.github.com/rest';

export function errorBody(status: number, message: string, extra: Record<string, unknown> = {}): unknown {
  return { message, ...extra, documentation_url: DOCS, status: String(status) };
}

function fail(status: number, message: string, extra: Record<string, unknown> = {}): RestResponse {
  return { status, body: errorBody(status, message, extra) };
}

const notFound = (): RestResponse => fail(404, 'Not Found');

function validationFailed(errors: Record<string, unknown>[]): RestResponse {
  return fail(422, 'Validation Failed', { errors });
}

type Body = Record<string, unknown>;

function bodyOf(req: RestRequest): Body {
  return typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body)
    ? (req.body as Body)
    : {};
}

function api(req: RestRequest, repo: RepoEntry, rest = ''): string {
  return `${req.base}/repos/${repo.fullName}${rest}`;
}

function userJson(req: RestRequest, login: string): Record<string, unknown> {
  const id = stableId(login);
  return {
    login,
    id,
    node_id: nodeId('U', login),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: `${req.base}/users/${login}`,
    html_url: `${WEB}/${login}`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

async function repoJson(req: RestRequest, repo: RepoEntry): Promise<Record<string, unknown>> {
  return {
    id: repo.id,
    node_id: nodeId('R', repo.fullName),
    name: repo.name,
    full_name: repo.fullName,
    private: false,
    owner: userJson(req, repo.owner),
    html_url: htmlUrl(repo),
    description: null,
    fork: false,
    url: api(req, repo),
    archived: false,
    disabled: false,
    visibility: 'public',
    default_branch: (await repo.git.defaultBranch()) ?? 'main',
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  };
}

function labelJson(req: RestRequest, repo: RepoEntry, label: Label): Record<string, unknown> {
  return {
    id: label.id,
    node_id: nodeId('LA', `${repo.fullName}:${label.name}`),
    url: api(req, repo, `/labels/${encodeURIComponent(label.name)}`),
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

/** The repository's label of that name (case-insensitive), created as GitHub does on first use. */
function ensureLabel(state: FakeState, repo: RepoEntry, name: string): Label {
  const key = name.toLowerCase();
  let label = repo.labels.get(key);
  if (!label) {
    label = { id: state.nextId(), name, color: 'ededed', description: null };
    repo.labels.set(key, label);
  }
  return label;
}

function issueLabels(req: RestRequest, state: FakeState, repo: RepoEntry, item: Item) {
  return item.labels.map((name) => labelJson(req, repo, ensureLabel(state, repo, name)));
}

function issueJson(req: RestRequest, state: FakeState, repo: RepoEntry, item: Item): Record<string, unknown> {
  const base = api(req, repo, `/issues/${item.number}`);
  const html = `${htmlUrl(repo)}/${item.pull ? 'pull' : 'issues'}/${item.number}`;
  const json: Record<string, unknown> = {
    url: base,
    repository_url: api(req, repo),
    labels_url: `${base}/labels{/name}`,
    comments_url: `${base}/comments`,
    events_url: `${base}/events`,
    html_url: html,
    id: item.id,
    node_id: nodeId(item.pull ? 'PR' : 'I', `${repo.fullName}#${item.number}`),
    number: item.number,
    title: item.title,
    user: userJson(req, item.user),
    labels: issueLabels(req, state, repo, item),
    state: item.state,
    locked: item.locked,
    assignee: item.assignees[0] ? userJson(req, item.assignees[0]) : null,
    assignees: item.assignees.map((a) => userJson(req, a)),
    milestone: null,
    comments: item.comments.length,
    created_at: isoMs(item.createdAt),
    updated_at: isoMs(item.updatedAt),
    closed_at: item.closedAt === null ? null : isoMs(item.closedAt),
    author_association: 'COLLABORATOR',
    active_lock_reason: null,
    body: item.body,
    state_reason: item.stateReason,
  };
  if (item.pull) {
    json.draft = item.pull.draft;
    json.pull_request = {
      url: api(req, repo, `/pulls/${item.number}`),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: item.pull.mergedAt === null ? null : isoMs(item.pull.mergedAt),
    };
  }
  return json;
}

async function branchSha(repo: RepoEntry, branch: string): Promise<string | null> {
  return repo.git.resolveRef(`refs/heads/${branch}`);
}

async function pullJson(
  req: RestRequest,
  state: FakeState,
  repo: RepoEntry,
  item: Item,
  withMergeable: boolean,
): Promise<Record<string, unknown>> {
  const pull = item.pull!;
  if (!pull.merged) pull.headSha = (await branchSha(repo, pull.head)) ?? pull.headSha;
  const baseSha = (await branchSha(repo, pull.base)) ?? ZERO_OID;
  const rj = await repoJson(req, repo);
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: userJson(req, repo.owner),
    repo: rj,
  });
  const html = `${htmlUrl(repo)}/pull/${item.number}`;
  const url = api(req, repo, `/pulls/${item.number}`);
  let mergeable: boolean | null = null;
  if (withMergeable && item.state === 'open' && baseSha !== ZERO_OID) {
    mergeable =
      (await repo.git.isAncestor(baseSha, pull.headSha)) ||
      (await repo.git.mergeTree(baseSha, pull.headSha)) !== null;
  }
  return {
    url,
    id: item.id,
    node_id: nodeId('PR', `${repo.fullName}#${item.number}`),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: api(req, repo, `/issues/${item.number}`),
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    comments_url: api(req, repo, `/issues/${item.number}/comments`),
    statuses_url: api(req, repo, `/statuses/${pull.headSha}`),
    number: item.number,
    state: item.state,
    locked: item.locked,
    title: item.title,
    user: userJson(req, item.user),
    body: item.body,
    labels: issueLabels(req, state, repo, item),
    milestone: null,
    active_lock_reason: null,
    created_at: isoMs(item.createdAt),
    updated_at: isoMs(item.updatedAt),
    closed_at: item.closedAt === null ? null : isoMs(item.closedAt),
    merged_at: pull.mergedAt === null ? null : isoMs(pull.mergedAt),
    merge_commit_sha: pull.mergeCommitSha,
    assignee: item.assignees[0] ? userJson(req, item.assignees[0]) : null,
    assignees: item.assignees.map((a) => userJson(req, a)),
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.head, pull.headSha),
    base: side(pull.base, baseSha),
    author_association: 'COLLABORATOR',
    auto_merge: null,
    draft: pull.draft,
    merged: pull.merged,
    mergeable,
    mergeable_state: pull.merged
      ? 'unknown'
      : mergeable === false
        ? 'dirty'
        : mergeable
          ? 'clean'
          : 'unknown',
    merged_by: pull.mergedBy ? userJson(req, pull.mergedBy) : null,
    comments: item.comments.length,
    review_comments: 0,
    maintainer_can_modify: false,
  };
}

/** A page of a list, with GitHub's Link header. */
function paginate<T>(req: RestRequest, list: T[]): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(list.length / perPage));
  const link = (p: number) => {
    const q = new URLSearchParams(req.query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${req.base}${req.path}?${q}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
  if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) links.push(`${link(1)}; rel="first"`);
  const headers: Record<string, string> = {};
  if (links.length > 0) headers.link = links.join(', ');
  return { page: list.slice((page - 1) * perPage, page * perPage), headers };
}

function sortItems(items: Item[], sort: string | null, direction: string | null): Item[] {
  const key = (i: Item) =>
    sort === 'updated'
      ? i.updatedAt
      : sort === 'comments' || sort === 'popularity'
        ? i.comments.length
        : i.createdAt;
  const dir = direction === 'asc' ? 1 : direction === 'desc' ? -1 : sort && sort !== 'created' ? 1 : -1;
  return [...items].sort((a, b) => dir * (key(a) - key(b) || a.number - b.number));
}

function labelNames(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  const names: string[] = [];
  for (const v of value) {
    if (typeof v === 'string') names.push(v);
    else if (typeof v === 'object' && v !== null && typeof (v as Body).name === 'string')
      names.push((v as Body).name as string);
    else return null;
  }
  return names;
}

function addUnique(list: string[], names: string[]): string[] {
  const out = [...list];
  for (const n of names) if (!out.some((x) => x.toLowerCase() === n.toLowerCase())) out.push(n);
  return out;
}

function logins(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

type RepoHandler = (state: FakeState, req: RestRequest, repo: RepoEntry) => Promise<RestResponse>;

function withRepo(fn: RepoHandler): Handler {
  return async (state, req) => {
    const repo = findRepo(state, `${req.params.owner}/${req.params.repo}`);
    return repo ? fn(state, req, repo) : notFound();
  };
}

function withItem(
  fn: (state: FakeState, req: RestRequest, repo: RepoEntry, item: Item) => Promise<RestResponse>,
) {
  return withRepo(async (state, req, repo) => {
    const n = Number(req.params.issue_number ?? req.params.pull_number);
    const item = repo.items.find((i) => i.number === n);
    if (!item) return notFound();
    if (req.params.pull_number !== undefined && !item.pull) return notFound();
    return fn(state, req, repo, item);
  });
}

function refJson(req: RestRequest, repo: RepoEntry, ref: string, oid: string, type: string) {
  return {
    ref,
    node_id: nodeId('REF', `${repo.fullName}:${ref}`),
    url: api(req, repo, `/git/${ref}`),
    object: { sha: oid, type, url: api(req, repo, `/git/${type}s/${oid}`) },
  };
}

async function objectType(repo: RepoEntry, sha: string): Promise<string | null> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return null;
  const o = await repo.git.object(sha);
  return o ? o.type : null;
}

/** A ref as the statuses endpoints take it: a sha, a branch or a tag; null when it names no commit. */
async function resolveCommit(repo: RepoEntry, ref: string): Promise<string | null> {
  if ((await objectType(repo, ref)) === 'commit') return ref;
  for (const full of [`refs/heads/${ref}`, `refs/tags/${ref}`]) {
    const o = await repo.git.object(full);
    if (o?.type === 'commit') return o.oid;
  }
  return null;
}

const handlers: Record<string, Handler> = {
  'users/get-authenticated': async (state, req) => ({
    status: 200,
    body: {
      ...userJson(req, state.login),
      name: state.login,
      email: null,
      created_at: '2020-01-01T00:00:00Z',
    },
  }),

  'rate-limit/get': async (state) => {
    const reset = Math.floor(state.now() / 1000) + 3600;
    const r = { limit: 5000, used: 0, remaining: 5000, reset };
    return {
      status: 200,
      body: { resources: { core: r, graphql: r, search: { ...r, limit: 30 } }, rate: r },
    };
  },

  'repos/get': withRepo(async (_state, req, repo) => ({ status: 200, body: await repoJson(req, repo) })),

  'repos/create-commit-status': withRepo(async (state, req, repo) => {
    const sha = req.params.sha ?? '';
    if ((await objectType(repo, sha)) !== 'commit')
      return validationFailed([
        { resource: 'Status', code: 'custom', field: 'sha', message: `No commit found for SHA: ${sha}` },
      ]);
    const b = bodyOf(req);
    const made = createStatus(state, repo, sha, {
      state: b.state as StatusEntry['state'],
      context: typeof b.context === 'string' ? b.context : 'default',
      description: typeof b.description === 'string' ? b.description : null,
      targetUrl: typeof b.target_url === 'string' ? b.target_url : null,
    });
    if (made === 'limit')
      return validationFailed([
        {
          resource: 'Status',
          code: 'custom',
          message: 'This SHA and context has reached the maximum number of statuses.',
        },
      ]);
    return { status: 201, body: statusJson(req.base, repo, sha, made) };
  }),

  'repos/list-commit-statuses-for-ref': withRepo(async (_state, req, repo) => {
    const sha = await resolveCommit(repo, req.params.ref ?? '');
    if (!sha) return notFound();
    return { status: 200, body: statusesOf(repo, sha).map((s) => statusJson(req.base, repo, sha, s)) };
  }),

  'repos/get-branch': withRepo(async (_state, req, repo) => {
    const branch = req.params.branch!;
    const sha = await branchSha(repo, branch);
    if (!sha) return fail(404, 'Branch not found');
    return {
      status: 200,
      body: {
        name: branch,
        commit: { sha, url: api(req, repo, `/commits/${sha}`) },
        protected: false,
        _links: { self: api(req, repo, `/branches/${branch}`), html: `${htmlUrl(repo)}/tree/${branch}` },
      },
    };
  }),

  'repos/get-content': withRepo(async (_state, req, repo) => {
    const git = repo.git;
    const refName = req.query.get('ref') ?? (await git.defaultBranch()) ?? 'main';
    let commit: string | null = null;
    if (/^[0-9a-f]{40}$/.test(refName)) commit = refName;
    else {
      const q = refName.replace(/^refs\/(heads|tags)\//, '');
      commit = (await git.resolveRef(`refs/heads/${q}`)) ?? (await git.resolveRef(`refs/tags/${q}`));
    }
    if (!commit) return fail(404, `No commit found for the ref ${refName}`);
    const path = req.params.path!.replace(/^\/+|\/+$/g, '');
    const o = path === '' ? null : await git.object(`${commit}:${path}`);
    if (!o) return notFound();
    const entry = (name: string, p: string, type: string, sha: string, size: number) => {
      const url = `${api(req, repo, `/contents/${p}`)}?ref=${encodeURIComponent(refName)}`;
      const html = `${htmlUrl(repo)}/${type === 'dir' ? 'tree' : 'blob'}/${refName}/${p}`;
      const gitUrl = api(req, repo, `/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`);
      return {
        name,
        path: p,
        sha,
        size,
        url,
        html_url: html,
        git_url: gitUrl,
        download_url:
          type === 'file' ? `https://raw.githubusercontent.com/${repo.fullName}/${refName}/${p}` : null,
        type,
        _links: { self: url, git: gitUrl, html },
      };
    };
    if (o.type === 'blob') {
      const name = path.split('/').pop()!;
      return {
        status: 200,
        body: {
          ...entry(name, path, 'file', o.oid, o.size),
          content: (o.content.toString('base64').match(/.{1,60}/g) ?? []).join('\n'),
          encoding: 'base64',
        },
      };
    }
    if (o.type !== 'tree') return notFound();
    const listing = await git.git(['ls-tree', '-z', '-l', o.oid]);
    const body = listing.stdout
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map((rec) => {
        const tab = rec.indexOf('\t');
        const [, type, sha, size] = rec.slice(0, tab).split(/\s+/);
        const name = rec.slice(tab + 1);
        const kind = type === 'tree' ? 'dir' : type === 'commit' ? 'submodule' : 'file';
        return entry(name, `${path}/${name}`, kind, sha!, size === '-' ? 0 : Number(size));
      });
    return { status: 200, body };
  }),

  // ---- issues
  'issues/list-for-repo': withRepo(async (state, req, repo) => {
    const q = req.query;
    const stateFilter = q.get('state') ?? 'open';
    const labels = (q.get('labels') ?? '')
      .split(',')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const assignee = q.get('assignee');
    const creator = q.get('creator');
    const since = q.get('since');
    let items = repo.items.filter((i) => {
      if (stateFilter !== 'all' && i.state !== stateFilter) return false;
      if (!labels.every((l) => i.labels.some((x) => x.toLowerCase() === l))) return false;
      if (assignee === 'none' && i.assignees.length > 0) return false;
      if (assignee === '*' && i.assignees.length === 0) return false;
      if (assignee && assignee !== 'none' && assignee !== '*' && !i.assignees.includes(assignee))
        return false;
      if (creator && i.user !== creator) return false;
      if (since && i.updatedAt < Date.parse(since)) return false;
      return true;
    });
    items = sortItems(items, q.get('sort'), q.get('direction'));
    const { page, headers } = paginate(req, items);
    return { status: 200, headers, body: page.map((i) => issueJson(req, state, repo, i)) };
  }),

  'issues/create': withRepo(async (state, req, repo) => {
    const b = bodyOf(req);
    const labels = labelNames(b.labels ?? []) ?? [];
    for (const l of labels) ensureLabel(state, repo, l);
    const assignees = addUnique(logins(b.assignees), typeof b.assignee === 'string' ? [b.assignee] : []);
    const now = state.now();
    const item: Item = {
      number: repo.items.length + 1,
      id: state.nextId(),
      title: String(b.title),
      body: typeof b.body === 'string' ? b.body : null,
      labels: addUnique([], labels),
      assignees,
      state: 'open',
      stateReason: null,
      user: state.login,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      locked: false,
      comments: [],
    };
    repo.items.push(item);
    const json = issueJson(req, state, repo, item);
    return { status: 201, headers: { location: String(json.url) }, body: json };
  }),

  'issues/get': withItem(async (state, req, repo, item) => ({
    status: 200,
    body: issueJson(req, state, repo, item),
  })),

  'issues/update': withItem(async (state, req, repo, item) => {
    const b = bodyOf(req);
    const now = state.now();
    if (b.title !== undefined && b.title !== null) item.title = String(b.title);
    if (b.body !== undefined) item.body = typeof b.body === 'string' ? b.body : null;
    if (b.labels !== undefined) {
      const names = labelNames(b.labels ?? []) ?? [];
      for (const l of names) ensureLabel(state, repo, l);
      item.labels = addUnique([], names);
    }
    if (b.assignees !== undefined) item.assignees = addUnique([], logins(b.assignees));
    if (typeof b.assignee === 'string') item.assignees = [b.assignee];
    if (b.state === 'closed' && item.state !== 'closed') {
      item.state = 'closed';
      item.closedAt = now;
      item.stateReason = typeof b.state_reason === 'string' ? b.state_reason : 'completed';
    } else if (b.state === 'open' && item.state !== 'open') {
      if (item.pull?.merged)
        return fail(422, 'Validation Failed', {
          errors: [{ code: 'custom', message: 'state cannot be changed. The pull request has been merged.' }],
        });
      item.state = 'open';
      item.closedAt = null;
      item.stateReason = 'reopened';
    } else if (typeof b.state_reason === 'string' && item.state === 'closed') {
      item.stateReason = b.state_reason;
    }
    item.updatedAt = now;
    return { status: 200, body: issueJson(req, state, repo, item) };
  }),

  'issues/create-comment': withItem(async (state, req, repo, item) => {
    const b = bodyOf(req);
    const comment = { id: state.nextId(), body: String(b.body), user: state.login, createdAt: state.now() };
    item.comments.push(comment);
    item.updatedAt = comment.createdAt;
    const json = commentJson(req, repo, item, comment);
    return { status: 201, headers: { location: String(json.url) }, body: json };
  }),

  'issues/list-comments': withItem(async (_state, req, repo, item) => {
    const since = req.query.get('since');
    const list = item.comments.filter((c) => !since || c.createdAt >= Date.parse(since));
    const { page, headers } = paginate(req, list);
    return { status: 200, headers, body: page.map((c) => commentJson(req, repo, item, c)) };
  }),

  'issues/add-labels': withItem(async (state, req, repo, item) => {
    const names = labelNames(Array.isArray(req.body) ? req.body : (bodyOf(req).labels ?? []));
    if (names === null) return validationFailed([{ resource: 'Label', field: 'labels', code: 'invalid' }]);
    for (const n of names) ensureLabel(state, repo, n);
    item.labels = addUnique(item.labels, names);
    item.updatedAt = state.now();
    return { status: 200, body: issueLabels(req, state, repo, item) };
  }),

  'issues/set-labels': withItem(async (state, req, repo, item) => {
    const names = labelNames(Array.isArray(req.body) ? req.body : (bodyOf(req).labels ?? []));
    if (names === null) return validationFailed([{ resource: 'Label', field: 'labels', code: 'invalid' }]);
    for (const n of names) ensureLabel(state, repo, n);
    item.labels = addUnique([], names);
    item.updatedAt = state.now();
    return { status: 200, body: issueLabels(req, state, repo, item) };
  }),

  'issues/list-labels-on-issue': withItem(async (state, req, repo, item) => {
    const { page, headers } = paginate(req, issueLabels(req, state, repo, item));
    return { status: 200, headers, body: page };
  }),

  'issues/remove-label': withItem(async (state, req, repo, item) => {
    const name = req.params.name!.toLowerCase();
    if (!item.labels.some((l) => l.toLowerCase() === name)) return fail(404, 'Label does not exist');
    item.labels = item.labels.filter((l) => l.toLowerCase() !== name);
    item.updatedAt = state.now();
    return { status: 200, body: issueLabels(req, state, repo, item) };
  }),

  'issues/list-labels-for-repo': withRepo(async (_state, req, repo) => {
    const { page, headers } = paginate(req, [...repo.labels.values()]);
    return { status: 200, headers, body: page.map((l) => labelJson(req, repo, l)) };
  }),

  'issues/get-label': withRepo(async (_state, req, repo) => {
    const label = repo.labels.get(req.params.name!.toLowerCase());
    return label ? { status: 200, body: labelJson(req, repo, label) } : notFound();
  }),

  'issues/create-label': withRepo(async (state, req, repo) => {
    const b = bodyOf(req);
    const name = String(b.name);
    if (repo.labels.has(name.toLowerCase())) {
      return validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
    }
    const label: Label = {
      id: state.nextId(),
      name,
      color: typeof b.color === 'string' ? b.color.replace(/^#/, '') : 'ededed',
      description: typeof b.description === 'string' ? b.description : null,
    };
    repo.labels.set(name.toLowerCase(), label);
    return { status: 201, body: labelJson(req, repo, label) };
  }),

  // ---- git refs
  'git/get-ref': withRepo(async (_state, req, repo) => {
    const ref = `refs/${req.params.ref}`;
    const oid = await repo.git.resolveRef(ref);
    if (!oid) return notFound();
    return { status: 200, body: refJson(req, repo, ref, oid, (await objectType(repo, oid)) ?? 'commit') };
  }),

  'git/list-matching-refs': withRepo(async (_state, req, repo) => {
    const prefix = `refs/${req.params.ref}`;
    const refs = (await repo.git.listRefs('refs/')).filter((r) => r.ref.startsWith(prefix));
    return { status: 200, body: refs.map((r) => refJson(req, repo, r.ref, r.oid, r.type)) };
  }),

  'git/create-ref': withRepo(async (_state, req, repo) => {
    const b = bodyOf(req);
    const ref = String(b.ref);
    const sha = String(b.sha);
    if (!ref.startsWith('refs/') || ref.split('/').length < 3 || !isValidRefName(ref)) {
      return fail(422, `${ref} is not a valid ref name.`);
    }
    return repo.git.lock.run(async () => {
      const type = await objectType(repo, sha);
      if (!type) return fail(422, 'Object does not exist');
      if (!(await repo.git.updateRef(ref, sha, ZERO_OID))) return fail(422, 'Reference already exists');
      const json = refJson(req, repo, ref, sha, type);
      return { status: 201, headers: { location: json.url }, body: json };
    });
  }),

  'git/update-ref': withRepo(async (_state, req, repo) => {
    const b = bodyOf(req);
    const ref = `refs/${req.params.ref}`;
    const sha = String(b.sha);
    return repo.git.lock.run(async () => {
      const current = await repo.git.resolveRef(ref);
      if (!current) return fail(422, 'Reference does not exist');
      const type = await objectType(repo, sha);
      if (!type) return fail(422, 'Object does not exist');
      if (b.force !== true && current !== sha && !(await repo.git.isAncestor(current, sha))) {
        return fail(422, 'Update is not a fast forward');
      }
      if (!(await repo.git.updateRef(ref, sha, current))) return fail(422, 'Reference cannot be updated');
      return { status: 200, body: refJson(req, repo, ref, sha, type) };
    });
  }),

  'git/delete-ref': withRepo(async (_state, req, repo) => {
    const ref = `refs/${req.params.ref}`;
    return repo.git.lock.run(async () => {
      const current = await repo.git.resolveRef(ref);
      if (!current || !(await repo.git.deleteRef(ref, current))) return fail(422, 'Reference does not exist');
      return { status: 204 };
    });
  }),

  // ---- pulls
  'pulls/list': withRepo(async (state, req, repo) => {
    const q = req.query;
    const stateFilter = q.get('state') ?? 'open';
    const head = q.get('head');
    const base = q.get('base');
    let items = repo.items.filter((i) => {
      if (!i.pull) return false;
      if (stateFilter !== 'all' && i.state !== stateFilter) return false;
      if (base && i.pull.base !== base) return false;
      if (head) {
        const colon = head.indexOf(':');
        const owner = colon === -1 ? null : head.slice(0, colon);
        const branch = colon === -1 ? head : head.slice(colon + 1);
        if (owner !== null && owner.toLowerCase() !== repo.owner.toLowerCase()) return false;
        if (i.pull.head !== branch) return false;
      }
      return true;
    });
    items = sortItems(items, q.get('sort'), q.get('direction'));
    const { page, headers } = paginate(req, items);
    return {
      status: 200,
      headers,
      body: await Promise.all(page.map((i) => pullJson(req, state, repo, i, false))),
    };
  }),

  'pulls/create': withRepo(async (state, req, repo) => {
    const b = bodyOf(req);
    const headSpec = String(b.head);
    const colon = headSpec.indexOf(':');
    const headOwner = colon === -1 ? repo.owner : headSpec.slice(0, colon);
    const head = colon === -1 ? headSpec : headSpec.slice(colon + 1);
    const base = String(b.base);
    if (b.issue !== undefined)
      return fail(404, 'fake-github does not implement turning an issue into a pull request');
    if (typeof b.title !== 'string' || b.title === '') {
      return validationFailed([{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
    }
    const headSha = headOwner.toLowerCase() === repo.owner.toLowerCase() ? await branchSha(repo, head) : null;
    if (!headSha) return validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    const baseSha = await branchSha(repo, base);
    if (!baseSha) return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
    const open = repo.items.find(
      (i) => i.pull && i.state === 'open' && i.pull.head === head && i.pull.base === base,
    );
    if (open) {
      return validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${repo.owner}:${head}.`,
        },
      ]);
    }
    if (await repo.git.isAncestor(headSha, baseSha)) {
      return validationFailed([
        { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` },
      ]);
    }
    const now = state.now();
    const item: Item = {
      number: repo.items.length + 1,
      id: state.nextId(),
      title: b.title,
      body: typeof b.body === 'string' ? b.body : null,
      labels: [],
      assignees: [],
      state: 'open',
      stateReason: null,
      user: state.login,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      locked: false,
      comments: [],
      pull: {
        head,
        headSha,
        base,
        draft: b.draft === true,
        merged: false,
        mergedAt: null,
        mergedBy: null,
        mergeCommitSha: null,
      },
    };
    repo.items.push(item);
    const json = await pullJson(req, state, repo, item, false);
    return { status: 201, headers: { location: String(json.url) }, body: json };
  }),

  'pulls/get': withItem(async (state, req, repo, item) => ({
    status: 200,
    body: await pullJson(req, state, repo, item, true),
  })),

  'pulls/update': withItem(async (state, req, repo, item) => {
    const b = bodyOf(req);
    const pull = item.pull!;
    if (typeof b.title === 'string') item.title = b.title;
    if (b.body !== undefined) item.body = typeof b.body === 'string' ? b.body : null;
    if (typeof b.base === 'string') {
      if (!(await branchSha(repo, b.base)))
        return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
      pull.base = b.base;
    }
    if (b.state === 'closed' && item.state === 'open') {
      item.state = 'closed';
      item.closedAt = state.now();
    } else if (b.state === 'open' && item.state === 'closed') {
      if (pull.merged)
        return validationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            message: 'state cannot be changed. The pull request has been merged.',
          },
        ]);
      const other = repo.items.find(
        (i) =>
          i !== item &&
          i.pull &&
          i.state === 'open' &&
          i.pull.head === pull.head &&
          i.pull.base === pull.base,
      );
      if (other) {
        return validationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner}:${pull.head}.`,
          },
        ]);
      }
      item.state = 'open';
      item.closedAt = null;
    }
    item.updatedAt = state.now();
    return { status: 200, body: await pullJson(req, state, repo, item, false) };
  }),

  'pulls/merge': withItem(async (state, req, repo, item) => {
    const b = bodyOf(req);
    const pull = item.pull!;
    const git = repo.git;
    return git.lock.run(async () => {
      if (pull.merged || item.state !== 'open') return fail(405, 'Pull Request is not mergeable');
      const headSha = (await branchSha(repo, pull.head)) ?? pull.headSha;
      if (typeof b.sha === 'string' && b.sha !== headSha) {
        return fail(409, 'Head branch was modified. Review and try the merge again.');
      }
      const baseRef = `refs/heads/${pull.base}`;
      const baseSha = await git.resolveRef(baseRef);
      if (!baseSha) return fail(422, 'Base branch does not exist');
      const headInfo = (await git.commit(headSha))!;
      const method = typeof b.merge_method === 'string' ? b.merge_method : 'merge';
      const fastForwardable = await git.isAncestor(baseSha, headSha);
      const title = typeof b.commit_title === 'string' ? b.commit_title : undefined;
      const extra = typeof b.commit_message === 'string' ? b.commit_message : undefined;
      let tip: string;
      if (method === 'rebase') {
        const commits = await git.commitsBetween(baseSha, headSha);
        tip = baseSha;
        for (const oid of commits) {
          const c = (await git.commit(oid))!;
          if (c.parents.length !== 1) return fail(405, 'This branch can’t be rebased');
          const parent = c.parents[0]!;
          let tree = c.tree;
          if (parent !== tip) {
            const merged = await git.threeWayTree(parent, tip, oid);
            if (!merged) return fail(405, 'Pull Request is not mergeable');
            tree = merged;
          }
          tip = await git.commitTree({
            tree,
            parents: [tip],
            message: c.rawMessage,
            author: c.author,
            committer: webFlowCommitter(state),
          });
          state.verified.add(tip);
        }
      } else {
        const tree = fastForwardable ? headInfo.tree : await git.mergeTree(baseSha, headSha);
        if (!tree) return fail(405, 'Pull Request is not mergeable');
        let message: string;
        let parents: string[];
        if (method === 'squash') {
          const commits = await git.commitsBetween(baseSha, headSha);
          const lines: string[] = [];
          for (const oid of commits) {
            const c = await git.commit(oid);
            lines.push(`* ${c!.rawMessage.replace(/\n+$/, '')}`);
          }
          message = `${title ?? `${item.title} (#${item.number})`}\n\n${extra ?? lines.join('\n\n')}`;
          parents = [baseSha];
        } else {
          message = `${title ?? `Merge pull request #${item.number} from ${repo.owner}/${pull.head}`}\n\n${extra ?? item.title}`;
          parents = [baseSha, headSha];
        }
        tip = await git.commitTree({
          tree,
          parents,
          message: `${message.replace(/\n+$/, '')}\n`,
          author: tokenAuthor(state),
          committer: webFlowCommitter(state),
        });
        state.verified.add(tip);
      }
      if (!(await git.updateRef(baseRef, tip, baseSha))) {
        return fail(409, 'Base branch was modified. Review and try the merge again.');
      }
      const now = state.now();
      pull.merged = true;
      pull.mergedAt = now;
      pull.mergedBy = state.login;
      pull.mergeCommitSha = tip;
      pull.headSha = headSha;
      item.state = 'closed';
      item.closedAt = now;
      item.updatedAt = now;
      return { status: 200, body: { sha: tip, merged: true, message: 'Pull Request successfully merged' } };
    });
  }),
};

function commentJson(req: RestRequest, repo: RepoEntry, item: Item, c: Item['comments'][number]) {
  const html = `${htmlUrl(repo)}/${item.pull ? 'pull' : 'issues'}/${item.number}`;
  return {
    id: c.id,
    node_id: nodeId('IC', String(c.id)),
    url: api(req, repo, `/issues/comments/${c.id}`),
    html_url: `${html}#issuecomment-${c.id}`,
    body: c.body,
    user: userJson(req, c.user),
    created_at: isoMs(c.createdAt),
    updated_at: isoMs(c.createdAt),
    issue_url: api(req, repo, `/issues/${item.number}`),
    author_association: 'COLLABORATOR',
  };
}

/** Handles an implemented operation; null when the fake does not implement it. */
export async function handleRest(state: FakeState, req: RestRequest): Promise<RestResponse | null> {
  const handler = handlers[req.operationId];
  return handler ? handler(state, req) : null;
}

export const implementedOperations = Object.keys(handlers);
