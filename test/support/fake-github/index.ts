import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BareRepo, runGit } from './git.js';
import { executeGraphQL, githubSchema, prepareGraphQL } from './graphql.js';
import { checkPath, checkRequest, matchOperation, preloadOpenApi } from './openapi.js';
import { errorBody, handleRest, type RestResponse } from './rest.js';
import { type FakeState, type RepoEntry, stableId } from './state.js';
import { statusesOf } from './statuses.js';

/**
 * A fake GitHub API (REST + GraphQL) on 127.0.0.1 for tests, backed by real bare git
 * repositories. Every request is checked against GitHub's published API descriptions
 * (@octokit/openapi for REST, @octokit/graphql-schema for GraphQL); whatever does not conform
 * lands in `violations`, which tests assert empty.
 */

export interface FakeGitHubOptions {
  /** owner/name -> path of a real BARE git repository holding that repository. */
  repos: Record<string, string>;
  /** The bearer token clients must send; 'test-token' by default. */
  token?: string;
  /** The token's user, the author of commits made through the API; 'pinback-bot' by default. */
  login?: string;
  /** The clock (milliseconds) for commit and issue times; Date.now by default. */
  now?: () => number;
}

export interface RecordedRequest {
  kind: 'rest' | 'graphql';
  method: string;
  /** The path, percent-decoded, without the query and without an /api/v3 prefix. */
  path: string;
  /** REST operationId (e.g. issues/create) or GraphQL operation name. */
  operation?: string;
  /** Milliseconds since the epoch, sub-millisecond precision, when the request arrived. */
  at: number;
  /** The request target as sent (path and query). */
  url: string;
  /** The HTTP status answered (0 until answered). */
  status: number;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  labels: string[];
  assignees: string[];
  state: 'open' | 'closed';
  comments: { body: string; user: string }[];
}

export interface FakePull {
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  merge_commit_sha: string | null;
}

export interface FailNextMatch {
  method?: string;
  /** Tested against the decoded path (as in RecordedRequest.path). */
  path?: RegExp;
  operation?: string;
}

export interface FailNextResponse {
  status: number;
  /** JSON unless a string (sent as text/html). Default: { message: <status text> }. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeGitHub {
  /** http://127.0.0.1:PORT: GITHUB_API_URL, Octokit's baseUrl. */
  url: string;
  /** url + '/graphql': GITHUB_GRAPHQL_URL. */
  graphqlUrl: string;
  requests: RecordedRequest[];
  violations: string[];
  issues(repo: string): FakeIssue[];
  pulls(repo: string): FakePull[];
  /** The statuses of a commit, newest first (every one created, as GitHub keeps them). */
  statuses(
    repo: string,
    sha: string,
  ): { state: string; context: string; description: string | null; targetUrl: string | null }[];
  verifiedCommits: Set<string>;
  failNext(match: FailNextMatch, response: FailNextResponse): void;
  beforeGraphQL?: (operation: string) => Promise<void> | void;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Bad credentials',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Validation Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function requestId(): string {
  const h = randomBytes(10).toString('hex').toUpperCase();
  return `${h.slice(0, 4)}:${h.slice(4, 8)}:${h.slice(8, 14)}:${h.slice(14, 20)}:${Math.floor(
    Date.now() / 1000,
  )
    .toString(16)
    .toUpperCase()}`;
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeGitHub(o: FakeGitHubOptions): Promise<FakeGitHub> {
  preloadOpenApi();
  githubSchema();
  const token = o.token ?? 'test-token';
  const login = o.login ?? 'pinback-bot';
  let ids = 1000;
  const now = o.now ?? Date.now;
  const state: FakeState = {
    repos: new Map(),
    rate: { limit: 5000, used: 0, resetAt: Math.floor(now() / 1000) + 3600 },
    login,
    verified: new Set(),
    violations: [],
    apiBase: '',
    now,
    nextId: () => ++ids,
  };
  for (const [fullName, gitDir] of Object.entries(o.repos)) {
    const [owner, name, ...rest] = fullName.split('/');
    if (!owner || !name || rest.length > 0) throw new Error(`fake-github: "${fullName}" is not owner/name`);
    const bare = await runGit(gitDir, ['rev-parse', '--is-bare-repository'], { ok: [128] });
    if (bare.code !== 0 || bare.stdout.toString().trim() !== 'true') {
      throw new Error(`fake-github: ${gitDir} (for ${fullName}) is not a bare git repository`);
    }
    const entry: RepoEntry = {
      owner,
      name,
      fullName,
      id: stableId(fullName),
      git: new BareRepo(gitDir),
      items: [],
      labels: new Map(),
    };
    state.repos.set(fullName.toLowerCase(), entry);
  }

  const requests: RecordedRequest[] = [];
  const failures: { match: FailNextMatch; response: FailNextResponse }[] = [];
  // REST requests count one each; GraphQL calls are charged their cost as they run (graphql.ts).
  let coreUsed = 0;
  const coreResetAt = Math.floor(Date.now() / 1000) + 3600;

  const send = (
    res: ServerResponse,
    record: RecordedRequest,
    r: RestResponse,
    resource: 'core' | 'graphql',
  ): void => {
    if (resource === 'core') coreUsed++;
    const rate = resource === 'core' ? { limit: 5000, used: coreUsed, resetAt: coreResetAt } : state.rate;
    const headers: Record<string, string> = {
      'x-github-request-id': requestId(),
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(Math.max(0, rate.limit - rate.used)),
      'x-ratelimit-reset': String(rate.resetAt),
      'x-ratelimit-used': String(rate.used),
      'x-ratelimit-resource': resource,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
    };
    let payload: string | undefined;
    if (r.body !== undefined && r.status !== 204) {
      if (typeof r.body === 'string') {
        headers['content-type'] = 'text/html; charset=utf-8';
        payload = r.body;
      } else {
        headers['content-type'] = 'application/json; charset=utf-8';
        payload = JSON.stringify(r.body);
      }
    }
    Object.assign(headers, r.headers);
    record.status = r.status;
    res.writeHead(r.status, headers);
    res.end(payload);
  };

  const takeFailure = (record: RecordedRequest): FailNextResponse | undefined => {
    const i = failures.findIndex(
      ({ match }) =>
        (match.method === undefined || match.method.toUpperCase() === record.method) &&
        (match.path === undefined || match.path.test(record.path)) &&
        (match.operation === undefined || match.operation === record.operation),
    );
    if (i === -1) return undefined;
    return failures.splice(i, 1)[0]!.response;
  };

  const injected = (f: FailNextResponse): RestResponse => {
    const r: RestResponse = {
      status: f.status,
      body: f.body ?? errorBody(f.status, STATUS_TEXT[f.status] ?? `HTTP ${f.status}`),
    };
    if (f.headers) r.headers = f.headers;
    return r;
  };

  const authorized = (req: IncomingMessage): 'ok' | 'missing' | 'bad' => {
    const h = req.headers.authorization;
    if (!h) return 'missing';
    const m = /^(token|bearer)\s+(\S+)\s*$/i.exec(h);
    return m && m[2] === token ? 'ok' : 'bad';
  };

  const parseJson = (buf: Buffer): { ok: true; value: unknown } | { ok: false } => {
    if (buf.length === 0) return { ok: true, value: undefined };
    try {
      return { ok: true, value: JSON.parse(buf.toString('utf8')) };
    } catch {
      return { ok: false };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? '/';
    const url = new URL(target, 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const isGraphQL = url.pathname === '/graphql' || url.pathname === '/api/graphql';
    const prefix = !isGraphQL && url.pathname.startsWith('/api/v3/') ? '/api/v3' : '';
    const rawPath = url.pathname.slice(prefix.length);
    const record: RecordedRequest = {
      kind: isGraphQL ? 'graphql' : 'rest',
      method,
      path: decodePath(rawPath),
      at: performance.timeOrigin + performance.now(),
      url: target,
      status: 0,
    };
    requests.push(record);
    const resource = isGraphQL ? 'graphql' : 'core';
    const body = await readBody(req);
    const violation = (text: string) => state.violations.push(`${method} ${target}: ${text}`);
    const auth = authorized(req);

    if (isGraphQL) {
      if (method !== 'POST') {
        violation('GraphQL takes POST only');
        return send(res, record, { status: 404, body: errorBody(404, 'Not Found') }, resource);
      }
      if (auth !== 'ok') {
        const message =
          auth === 'missing' ? 'This endpoint requires you to be authenticated.' : 'Bad credentials';
        return send(res, record, { status: 401, body: errorBody(401, message) }, resource);
      }
      const json = parseJson(body);
      if (!json.ok) {
        violation('the body is not JSON');
        return send(res, record, { status: 400, body: errorBody(400, 'Problems parsing JSON') }, resource);
      }
      const prepared = prepareGraphQL(json.value);
      if (prepared.operation !== undefined) record.operation = prepared.operation;
      if (prepared.failure) {
        for (const v of prepared.failure.violations) violation(v);
        return send(res, record, { status: 200, body: prepared.failure.body }, resource);
      }
      const failure = takeFailure(record);
      if (failure) return send(res, record, injected(failure), resource);
      await fake.beforeGraphQL?.(prepared.operation ?? '');
      const result = await executeGraphQL(state, prepared);
      for (const v of result.violations) violation(v);
      return send(res, record, { status: 200, body: result.body }, resource);
    }

    const match = matchOperation(method, rawPath);
    if (match.kind === 'operation') record.operation = match.operation.operationId;
    if (auth !== 'ok') {
      const message = auth === 'missing' ? 'Requires authentication' : 'Bad credentials';
      return send(res, record, { status: 401, body: errorBody(401, message) }, resource);
    }
    if (match.kind !== 'operation') {
      violation(
        match.kind === 'no-method'
          ? `GitHub's REST API has no ${method} operation on ${match.template}`
          : `no operation of GitHub's REST API matches this path`,
      );
      return send(res, record, { status: 404, body: errorBody(404, 'Not Found') }, resource);
    }
    const op = match.operation;
    const pathProblems = checkPath(op, match.params);
    if (pathProblems.length > 0) {
      for (const p of pathProblems) violation(`${op.operationId}: ${p}`);
      return send(res, record, { status: 404, body: errorBody(404, 'Not Found') }, resource);
    }
    const json = parseJson(body);
    if (!json.ok) {
      violation(`${op.operationId}: the body is not JSON`);
      return send(res, record, { status: 400, body: errorBody(400, 'Problems parsing JSON') }, resource);
    }
    const problems = checkRequest(op, url.searchParams, json.value);
    if (problems.length > 0) {
      for (const p of problems) violation(`${op.operationId}: ${p}`);
      return send(
        res,
        record,
        { status: 422, body: errorBody(422, `Invalid request.\n\n${problems.join('\n')}`) },
        resource,
      );
    }
    const failure = takeFailure(record);
    if (failure) return send(res, record, injected(failure), resource);
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    const answer = await handleRest(state, {
      operationId: op.operationId,
      params: match.params,
      query: url.searchParams,
      body: json.value,
      path: url.pathname,
      base: `${origin}${prefix}`,
    });
    if (!answer) {
      violation(`fake-github does not implement ${op.operationId} (${method} ${op.template})`);
      return send(res, record, { status: 404, body: errorBody(404, 'Not Found') }, resource);
    }
    return send(res, record, answer, resource);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof Error ? (e.stack ?? e.message) : String(e);
      state.violations.push(`${req.method} ${req.url}: fake-github internal error: ${err}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(errorBody(500, 'Internal Server Error')));
      } else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  state.apiBase = base;

  const snapshotItems = (repo: string) => {
    const entry = state.repos.get(repo.toLowerCase());
    if (!entry) throw new Error(`fake-github: unknown repository ${repo}`);
    return entry.items;
  };

  const fake: FakeGitHub = {
    url: base,
    graphqlUrl: `${base}/graphql`,
    requests,
    violations: state.violations,
    verifiedCommits: state.verified,
    issues: (repo) =>
      snapshotItems(repo)
        .filter((i) => !i.pull)
        .map((i) => ({
          number: i.number,
          title: i.title,
          body: i.body,
          labels: [...i.labels],
          assignees: [...i.assignees],
          state: i.state,
          comments: i.comments.map((c) => ({ body: c.body, user: c.user })),
        })),
    pulls: (repo) =>
      snapshotItems(repo)
        .filter((i) => i.pull)
        .map((i) => ({
          number: i.number,
          title: i.title,
          body: i.body,
          head: i.pull!.head,
          base: i.pull!.base,
          state: i.state,
          merged: i.pull!.merged,
          merge_commit_sha: i.pull!.mergeCommitSha,
        })),
    statuses: (repo, sha) => {
      const entry = state.repos.get(repo.toLowerCase());
      if (!entry) throw new Error(`fake-github: unknown repository ${repo}`);
      return statusesOf(entry, sha).map((s) => ({
        state: s.state,
        context: s.context,
        description: s.description,
        targetUrl: s.targetUrl,
      }));
    },
    failNext: (match, response) => {
      failures.push({ match, response });
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const r of state.repos.values()) r.git.close();
    },
  };
  return fake;
}
