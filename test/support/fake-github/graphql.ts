import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import {
  buildClientSchema,
  type DocumentNode,
  execute,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  getOperationAST,
  type IntrospectionQuery,
  parse,
  validate,
} from 'graphql';
import {
  type BareRepo,
  type CommitInfo,
  type GitObject,
  isoUtc,
  isoWithOffset,
  isValidTreePath,
  looksBinary,
} from './git.js';
import { type CallCost, callCost, chargeRate, MAX_NODES } from './cost.js';
import { statusModel } from './statuses.js';
import { packageFile } from './openapi.js';
import {
  decodeNodeId,
  type FakeState,
  findRepo,
  htmlUrl,
  nodeId,
  type RepoEntry,
  stableId,
  tokenAuthor,
  webFlowCommitter,
} from './state.js';

/**
 * The GraphQL half: documents are validated against GitHub's published schema
 * (@octokit/graphql-schema) and executed against that same schema, with resolvers reading the
 * bare repositories through git.
 */

let schemaCache: GraphQLSchema | undefined;

/** GitHub's schema, built once from the package's introspection result (its SDL repeats two fields). */
export function githubSchema(): GraphQLSchema {
  if (!schemaCache) {
    const json = JSON.parse(readFileSync(packageFile('@octokit/graphql-schema', 'schema.json'), 'utf8')) as {
      data?: IntrospectionQuery;
    } & IntrospectionQuery;
    schemaCache = buildClientSchema(json.data ?? json);
  }
  return schemaCache;
}

/** An error GitHub answers inside `errors` with a `type` (STALE_DATA, NOT_FOUND, ...). */
export class GitHubGraphQLError extends Error {
  constructor(
    readonly type: string,
    message: string,
    /** True when the request itself was at fault (it did not follow the API's rules). */
    readonly violation = false,
  ) {
    super(message);
  }
}

class Unimplemented extends Error {}

interface Ctx {
  state: FakeState;
  /** The running call's cost and node count, as `rateLimit` reports them. */
  call: CallCost;
  unimplemented(what: string): void;
}

type Model = { __typename: string } & Record<string, unknown>;
type Args = Record<string, unknown>;

export interface PreparedGraphQL {
  operation?: string;
  document?: DocumentNode;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Set when the request fails before execution: the response body and the violations. */
  failure?: { body: unknown; violations: string[] };
}

/** Parses and validates a request body; the operation name is known even when validation fails. */
export function prepareGraphQL(body: unknown): PreparedGraphQL {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (typeof b.query !== 'string') {
    const message = 'A query attribute must be specified and must be a string.';
    return { failure: { body: { errors: [{ message }] }, violations: [`graphql: ${message}`] } };
  }
  const variables = b.variables ?? {};
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
    const message = 'Variables are invalid JSON.';
    return { failure: { body: { errors: [{ message }] }, violations: [`graphql: ${message}`] } };
  }
  const operationName = typeof b.operationName === 'string' ? b.operationName : undefined;
  let document: DocumentNode;
  try {
    document = parse(b.query);
  } catch (e) {
    const err = e as GraphQLError;
    return {
      failure: {
        body: { errors: [{ message: err.message, locations: err.locations }] },
        violations: [`graphql: ${err.message}`],
      },
    };
  }
  const op = getOperationAST(document, operationName);
  const operation = op?.name?.value;
  const errors = validate(githubSchema(), document);
  const prepared: PreparedGraphQL = {
    document,
    variables: variables as Record<string, unknown>,
  };
  if (operation !== undefined) prepared.operation = operation;
  if (operationName !== undefined) prepared.operationName = operationName;
  if (errors.length > 0) {
    prepared.failure = {
      body: { errors: errors.map((e) => ({ message: e.message, locations: e.locations })) },
      violations: errors.map((e) => `graphql${operation ? ` ${operation}` : ''}: ${e.message}`),
    };
  }
  return prepared;
}

/** Executes a prepared (valid) request; returns the response body and the violations found. */
export async function executeGraphQL(
  state: FakeState,
  prepared: PreparedGraphQL,
): Promise<{ body: unknown; violations: string[] }> {
  const violations: string[] = [];
  const label = `graphql${prepared.operation ? ` ${prepared.operation}` : ''}`;
  const call = callCost(githubSchema(), prepared.document!, prepared.operationName, prepared.variables ?? {});
  if (call.overLimitAt !== undefined) {
    // Refused before it runs, as GitHub does: nothing is charged but the minimum.
    const message = `By the time this query traverses to the ${call.overLimitAt} connection, it is requesting up to ${call.nodes.toLocaleString('en-US')} possible nodes which exceeds the maximum limit of ${MAX_NODES.toLocaleString('en-US')}.`;
    chargeRate(state, 1);
    return {
      body: { errors: [{ type: 'MAX_NODE_LIMIT_EXCEEDED', message }] },
      violations: [`${label}: ${message}`],
    };
  }
  chargeRate(state, call.cost);
  const ctx: Ctx = {
    state,
    call,
    unimplemented: (what) => violations.push(`${label}: fake-github does not implement ${what}`),
  };
  const result = await execute({
    schema: githubSchema(),
    document: prepared.document!,
    rootValue: rootModel(ctx),
    contextValue: ctx,
    variableValues: prepared.variables ?? {},
    operationName: prepared.operationName ?? null,
    fieldResolver,
    typeResolver,
  });
  const out: Record<string, unknown> = {};
  if (result.data !== undefined) out.data = result.data;
  if (result.errors && result.errors.length > 0) {
    out.errors = result.errors.map((e) => {
      const original = e.originalError;
      if (original instanceof GitHubGraphQLError) {
        if (original.violation) violations.push(`${label}: ${original.message}`);
        return { type: original.type, path: e.path, locations: e.locations, message: e.message };
      }
      if (original instanceof Unimplemented) {
        return { path: e.path, locations: e.locations, message: e.message };
      }
      if (original) {
        violations.push(`${label}: fake-github internal error: ${original.stack ?? original.message}`);
        return {
          path: e.path,
          locations: e.locations,
          message: 'Something went wrong while executing your query.',
        };
      }
      // variable coercion and the like: the request did not follow the schema
      violations.push(`${label}: ${e.message}`);
      return { message: e.message, locations: e.locations };
    });
  }
  return { body: out, violations };
}

const fieldResolver: GraphQLFieldResolver<unknown, Ctx, Args> = (source, args, ctx, info) => {
  if (typeof source === 'object' && source !== null) {
    const value = (source as Record<string, unknown>)[info.fieldName];
    if (typeof value === 'function') return (value as (a: Args, c: Ctx) => unknown).call(source, args, ctx);
    if (value !== undefined) return value;
  }
  const what = `${info.parentType.name}.${info.fieldName}`;
  ctx.unimplemented(what);
  throw new Unimplemented(`fake-github does not implement ${what}`);
};

const typeResolver: GraphQLTypeResolver<unknown, Ctx> = (value) => {
  if (typeof value === 'object' && value !== null) {
    const t = (value as { __typename?: unknown }).__typename;
    if (typeof t === 'string') return t;
  }
  return undefined;
};

function notImplementedArg(ctx: Ctx, what: string): never {
  ctx.unimplemented(what);
  throw new Unimplemented(`fake-github does not implement ${what}`);
}

function userModel(login: string): Model {
  return {
    __typename: 'User',
    id: nodeId('U', login),
    databaseId: stableId(login),
    login,
    name: login,
    email: '',
    url: `https://github.com/${login}`,
    resourcePath: `/${login}`,
    avatarUrl: () => `https://avatars.githubusercontent.com/u/${stableId(login)}?v=4`,
    isBot: login.endsWith('[bot]'),
  };
}

function rootModel(ctx: Ctx): Model {
  return {
    __typename: 'Query',
    viewer: () => userModel(ctx.state.login),
    repository: ({ owner, name }: Args) => {
      const repo = findRepo(ctx.state, `${String(owner)}/${String(name)}`);
      if (!repo) {
        throw new GitHubGraphQLError(
          'NOT_FOUND',
          `Could not resolve to a Repository with the name '${String(owner)}/${String(name)}'.`,
        );
      }
      return repositoryModel(ctx, repo);
    },
    rateLimit: ({ dryRun }: Args) => {
      if (dryRun === true) notImplementedArg(ctx, 'rateLimit(dryRun: true)');
      const rate = ctx.state.rate;
      return {
        __typename: 'RateLimit',
        cost: ctx.call.cost,
        limit: rate.limit,
        nodeCount: ctx.call.nodes,
        remaining: Math.max(0, rate.limit - rate.used),
        resetAt: isoUtc(rate.resetAt),
        used: rate.used,
      };
    },
    createCommitOnBranch: ({ input }: Args) => createCommitOnBranch(ctx, input as CreateCommitInput),
  };
}

function repositoryModel(ctx: Ctx, repo: RepoEntry): Model {
  const git = repo.git;
  return {
    __typename: 'Repository',
    id: nodeId('R', repo.fullName),
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: repo.fullName,
    url: htmlUrl(repo),
    resourcePath: `/${repo.fullName}`,
    isPrivate: false,
    isArchived: false,
    isFork: false,
    visibility: 'PUBLIC',
    viewerPermission: 'WRITE',
    owner: () => ({ ...userModel(repo.owner), __typename: 'User' }),
    defaultBranchRef: async () => {
      const branch = await git.defaultBranch();
      if (!branch) return null;
      const oid = await git.resolveRef(`refs/heads/${branch}`);
      return oid ? refModel(ctx, repo, `refs/heads/${branch}`, oid) : null;
    },
    ref: async ({ qualifiedName }: Args) => {
      const q = String(qualifiedName);
      const candidates = q.startsWith('refs/') ? [q] : [`refs/heads/${q}`, `refs/tags/${q}`];
      for (const ref of candidates) {
        const oid = await git.resolveRef(ref);
        if (oid) return refModel(ctx, repo, ref, oid);
      }
      return null;
    },
    object: async ({ oid, expression }: Args) => {
      const spec = typeof oid === 'string' ? oid : typeof expression === 'string' ? expression : null;
      if (!spec || spec.startsWith('-')) return null;
      const o = await git.object(spec);
      return o ? objectModel(ctx, repo, o) : null;
    },
  };
}

function refModel(ctx: Ctx, repo: RepoEntry, ref: string, oid: string): Model {
  const prefix = ref.startsWith('refs/heads/')
    ? 'refs/heads/'
    : ref.startsWith('refs/tags/')
      ? 'refs/tags/'
      : 'refs/';
  return {
    __typename: 'Ref',
    id: nodeId('REF', `${repo.fullName}:${ref}`),
    name: ref.slice(prefix.length),
    prefix,
    repository: () => repositoryModel(ctx, repo),
    target: async () => {
      const o = await repo.git.object(oid);
      return o ? objectModel(ctx, repo, o) : null;
    },
  };
}

async function objectModel(ctx: Ctx, repo: RepoEntry, o: GitObject): Promise<Model | null> {
  if (o.type === 'commit') {
    const info = await repo.git.commit(o.oid);
    return info ? commitModel(ctx, repo, info) : null;
  }
  if (o.type === 'blob') return blobModel(ctx, repo, o);
  if (o.type === 'tree') return treeModel(ctx, repo, o.oid);
  return {
    __typename: 'Tag',
    id: nodeId('TAG', `${repo.fullName}:${o.oid}`),
    oid: o.oid,
    abbreviatedOid: o.oid.slice(0, 7),
  };
}

function gitObjectCommon(repo: RepoEntry, kind: string, oid: string) {
  return {
    id: nodeId(kind, `${repo.fullName}:${oid}`),
    oid,
    abbreviatedOid: oid.slice(0, 7),
    commitUrl: `${htmlUrl(repo)}/commit/${oid}`,
    commitResourcePath: `/${repo.fullName}/commit/${oid}`,
  };
}

function blobModel(ctx: Ctx, repo: RepoEntry, o: GitObject): Model {
  const binary = looksBinary(o.content);
  return {
    __typename: 'Blob',
    ...gitObjectCommon(repo, 'B', o.oid),
    byteSize: o.size,
    isBinary: binary,
    isTruncated: false,
    text: binary ? null : o.content.toString('utf8'),
    repository: () => repositoryModel(ctx, repo),
  };
}

function treeModel(ctx: Ctx, repo: RepoEntry, oid: string): Model {
  return {
    __typename: 'Tree',
    ...gitObjectCommon(repo, 'T', oid),
    repository: () => repositoryModel(ctx, repo),
    entries: async () => {
      const out = await repo.git.git(['ls-tree', '-z', oid]);
      const entries: Model[] = [];
      for (const rec of out.stdout.toString('utf8').split('\0')) {
        if (!rec) continue;
        const tab = rec.indexOf('\t');
        const [mode, type, entryOid] = rec.slice(0, tab).split(' ');
        const name = rec.slice(tab + 1);
        entries.push(
          treeEntryModel(ctx, repo, name, { mode: mode!, type: type!, oid: entryOid! }, async () =>
            repo.git.object(entryOid!),
          ),
        );
      }
      return entries;
    },
  };
}

function treeEntryModel(
  ctx: Ctx,
  repo: RepoEntry,
  path: string,
  entry: { mode: string | (() => Promise<string>); type: string; oid: string; size?: number },
  load: () => Promise<GitObject | null>,
): Model {
  const name = basename(path);
  return {
    __typename: 'TreeEntry',
    name,
    path,
    nameRaw: Buffer.from(name).toString('base64'),
    pathRaw: Buffer.from(path).toString('base64'),
    oid: entry.oid,
    type: entry.type,
    extension: extname(name) || null,
    isGenerated: false,
    language: null,
    submodule: null,
    mode: async () => Number.parseInt(typeof entry.mode === 'string' ? entry.mode : await entry.mode(), 8),
    size: async () => entry.size ?? (await load())?.size ?? 0,
    lineCount: async () => {
      const o = await load();
      if (o?.type !== 'blob' || looksBinary(o.content)) return null;
      const text = o.content.toString('utf8');
      return text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    },
    object: async () => {
      const o = await load();
      return o ? objectModel(ctx, repo, o) : null;
    },
    repository: () => repositoryModel(ctx, repo),
  };
}

function normalizePath(path: unknown): string {
  return String(path ?? '')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
}

function trimMessage(raw: string): string {
  return raw.replace(/\n+$/, '');
}

function actorModel(p: CommitInfo['author']): Model {
  return {
    __typename: 'GitActor',
    name: p.name,
    email: p.email,
    date: isoWithOffset(p.time, p.tz),
    avatarUrl: () => 'https://avatars.githubusercontent.com/u/0?v=4',
    user: () => {
      const m = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/.exec(p.email);
      return m ? userModel(m[1]!) : null;
    },
  };
}

function paginationArgs(ctx: Ctx, connection: string, args: Args): { first: number; skip: number } {
  const first = args.first;
  if (args.last !== undefined && args.last !== null) notImplementedArg(ctx, `${connection}(last:)`);
  if (args.before !== undefined && args.before !== null) notImplementedArg(ctx, `${connection}(before:)`);
  if (typeof first !== 'number') {
    throw new GitHubGraphQLError(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${connection}\` connection.`,
      true,
    );
  }
  if (first < 0 || first > 100) {
    throw new GitHubGraphQLError(
      'EXCESSIVE_PAGINATION',
      `Requesting ${first} records on the \`${connection}\` connection exceeds the \`first\` limit of 100 records.`,
      true,
    );
  }
  let skip = 0;
  if (typeof args.after === 'string') {
    const decoded = Buffer.from(args.after, 'base64').toString('utf8');
    const m = / (\d+)$/.exec(decoded);
    if (!m)
      throw new GitHubGraphQLError(
        'INVALID_CURSOR_ARGUMENTS',
        `\`${args.after}\` does not appear to be a valid cursor.`,
        true,
      );
    skip = Number(m[1]) + 1;
  }
  return { first, skip };
}

function commitModel(ctx: Ctx, repo: RepoEntry, info: CommitInfo): Model {
  const git = repo.git;
  const message = trimMessage(info.rawMessage);
  const nl = message.indexOf('\n');
  const headline = nl === -1 ? message : message.slice(0, nl);
  const body = nl === -1 ? '' : message.slice(nl + 1).replace(/^\n+/, '');
  const verified = ctx.state.verified.has(info.oid);
  return {
    __typename: 'Commit',
    ...gitObjectCommon(repo, 'C', info.oid),
    url: `${htmlUrl(repo)}/commit/${info.oid}`,
    resourcePath: `/${repo.fullName}/commit/${info.oid}`,
    message,
    messageHeadline: headline,
    messageBody: body,
    committedDate: isoUtc(info.committer.time),
    authoredDate: isoUtc(info.author.time),
    authoredByCommitter:
      info.author.name === info.committer.name && info.author.email === info.committer.email,
    committedViaWeb: verified,
    author: () => actorModel(info.author),
    committer: () => actorModel(info.committer),
    repository: () => repositoryModel(ctx, repo),
    tree: () => treeModel(ctx, repo, info.tree),
    status: () => statusModel(repo, info.oid),
    treeUrl: `${htmlUrl(repo)}/tree/${info.oid}`,
    treeResourcePath: `/${repo.fullName}/tree/${info.oid}`,
    signature: () =>
      verified
        ? {
            __typename: 'GpgSignature',
            email: 'noreply@github.com',
            isValid: true,
            keyId: 'B5690EEEBB952194',
            payload: '',
            signature: '',
            signer: null,
            state: 'VALID',
            verifiedAt: isoUtc(info.committer.time),
            wasSignedByGitHub: true,
          }
        : null,
    parents: async (args: Args) => {
      const { first, skip } = paginationArgs(ctx, 'parents', args);
      const page = info.parents.slice(skip, skip + first);
      const nodes = await Promise.all(page.map((p) => git.commit(p)));
      return connection(
        nodes.map((n) => (n ? commitModel(ctx, repo, n) : null)),
        skip,
        info.oid,
        skip + first < info.parents.length,
        async () => info.parents.length,
      );
    },
    file: async ({ path }: Args) => {
      const p = normalizePath(path);
      if (p === '') return null;
      const o = await git.object(`${info.oid}:${p}`);
      if (!o) return null;
      return treeEntryModel(
        ctx,
        repo,
        p,
        {
          oid: o.oid,
          type: o.type,
          size: o.type === 'blob' ? o.size : 0,
          mode: async () => (await git.treeEntries(info.oid, [p])).get(p)?.mode ?? '100644',
        },
        async () => o,
      );
    },
    history: async (args: Args) => {
      const { first, skip } = paginationArgs(ctx, 'history', args);
      if (args.author !== undefined && args.author !== null) notImplementedArg(ctx, 'history(author:)');
      const path = normalizePath(args.path);
      const logOptions: Parameters<BareRepo['log']>[1] = { path, limit: first + 1, skip };
      if (typeof args.since === 'string') logOptions.since = args.since;
      if (typeof args.until === 'string') logOptions.until = args.until;
      const oids = first === 0 ? [] : await git.log(info.oid, logOptions);
      const page = oids.slice(0, first);
      const infos = await Promise.all(page.map((oid) => git.commit(oid)));
      return connection(
        infos.map((n) => (n ? commitModel(ctx, repo, n) : null)),
        skip,
        info.oid,
        oids.length > first,
        () => git.countCommits(info.oid, path),
      );
    },
  };
}

function connection(
  nodes: (Model | null)[],
  offset: number,
  anchor: string,
  hasNextPage: boolean,
  total: () => Promise<number>,
): Model {
  const cursor = (i: number) => Buffer.from(`${anchor} ${offset + i}`, 'utf8').toString('base64');
  return {
    __typename: 'Connection',
    nodes,
    edges: nodes.map((node, i) => ({ __typename: 'Edge', cursor: cursor(i), node })),
    pageInfo: {
      __typename: 'PageInfo',
      hasNextPage,
      hasPreviousPage: offset > 0,
      startCursor: nodes.length > 0 ? cursor(0) : null,
      endCursor: nodes.length > 0 ? cursor(nodes.length - 1) : null,
    },
    totalCount: total,
  };
}

interface CreateCommitInput {
  branch: { id?: string | null; repositoryNameWithOwner?: string | null; branchName?: string | null };
  clientMutationId?: string | null;
  expectedHeadOid: string;
  fileChanges?: {
    additions?: { path: string; contents: string }[] | null;
    deletions?: { path: string }[] | null;
  } | null;
  message: { headline: string; body?: string | null };
}

async function createCommitOnBranch(ctx: Ctx, input: CreateCommitInput): Promise<Model> {
  const { state } = ctx;
  let repoName = input.branch.repositoryNameWithOwner ?? undefined;
  let branch = input.branch.branchName ?? undefined;
  if (input.branch.id) {
    const decoded = decodeNodeId(input.branch.id);
    const m = decoded?.kind === 'REF' ? /^([^:]+):refs\/heads\/(.+)$/.exec(decoded.key) : null;
    if (!m)
      throw new GitHubGraphQLError(
        'NOT_FOUND',
        `Could not resolve to a node with the global id of '${input.branch.id}'`,
      );
    repoName = m[1];
    branch = m[2];
  }
  if (!repoName || !branch) {
    throw new GitHubGraphQLError(
      'UNPROCESSABLE',
      'A branch must be given either by its `id` or by `repositoryNameWithOwner` and `branchName`.',
      true,
    );
  }
  const repo = findRepo(state, repoName);
  if (!repo)
    throw new GitHubGraphQLError(
      'NOT_FOUND',
      `Could not resolve to a Repository with the name '${repoName}'.`,
    );
  const branchName = branch.replace(/^refs\/heads\//, '');
  const ref = `refs/heads/${branchName}`;
  const git = repo.git;
  return git.lock.run(async () => {
    const head = await git.resolveRef(ref);
    if (!head) {
      throw new GitHubGraphQLError('NOT_FOUND', `A ref named "${ref}" does not exist in ${repo.fullName}.`);
    }
    const stale = () =>
      new GitHubGraphQLError(
        'STALE_DATA',
        `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`,
      );
    if (head !== input.expectedHeadOid) throw stale();
    const changes = new Map<string, { oid: string; mode: string } | null>();
    for (const d of input.fileChanges?.deletions ?? []) {
      const path = d.path;
      const o = isValidTreePath(path) ? await git.object(`${head}:${path}`) : null;
      if (o?.type !== 'blob') {
        throw new GitHubGraphQLError(
          'UNPROCESSABLE',
          `A path was requested for deletion which does not exist as of commit oid \`${head}\``,
        );
      }
      changes.set(path, null);
    }
    const additions = input.fileChanges?.additions ?? [];
    for (const a of additions) {
      if (!isValidTreePath(a.path))
        throw new GitHubGraphQLError('UNPROCESSABLE', `Path "${a.path}" is invalid.`, true);
      const compact = a.contents.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
        throw new GitHubGraphQLError(
          'UNPROCESSABLE',
          `The contents of "${a.path}" are not valid Base64.`,
          true,
        );
      }
    }
    const existing = await git.treeEntries(
      head,
      additions.map((a) => a.path),
    );
    for (const a of additions) {
      const oid = await git.hashObject(Buffer.from(a.contents, 'base64'));
      const before = existing.get(a.path)?.mode;
      changes.set(a.path, { oid, mode: before === '100755' ? '100755' : '100644' });
    }
    const base = await git.commit(head);
    const tree = await git.writeTree(
      base!.tree,
      [...changes].map(([path, blob]) => ({ path, blob })),
    );
    const body = input.message.body ?? '';
    const message = body === '' ? input.message.headline : `${input.message.headline}\n\n${body}`;
    const oid = await git.commitTree({
      tree,
      parents: [head],
      message,
      author: tokenAuthor(state),
      committer: webFlowCommitter(state),
    });
    if (!(await git.updateRef(ref, oid, head))) throw stale();
    state.verified.add(oid);
    const info = await git.commit(oid);
    return {
      __typename: 'CreateCommitOnBranchPayload',
      clientMutationId: input.clientMutationId ?? null,
      commit: commitModel(ctx, repo, info!),
      ref: refModel(ctx, repo, ref, oid),
    };
  });
}
