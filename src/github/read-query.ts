import { CHAIN_WINDOW, MAX_PARENTS } from './queries.js';
import type { Walk } from './read-plan.js';

/*
 * The GraphQL document of one round of a batched read (read-all.ts), pure: a page of walks and
 * files at the head, and the follow-ups of earlier pages (more changes since, merges). Aliases
 * name each part by its index in the round (ALIAS); strings travel as variables, one per distinct
 * value, so a path or an id in a document is never spliced text.
 */

/** What one round reads. */
export interface RoundSpec {
  /** The branch (the first round resolves its head) or the head it resolved. */
  at: { branch: string | undefined } | { head: string };
  /** Files whose text at the head is read. */
  files: readonly string[];
  /** Walks started: `history` (until `since`, where set) and `recent` (since, the first 100). */
  walks: readonly Walk[];
  /**
   * The branch's newest commits, with each of `paths`' object id on every one of them, and their
   * parents where not read yet: the first-parent chain the walks are planned on.
   */
  chain: { paths: readonly string[]; parents: boolean } | undefined;
  /** The next 100 changes since, for walks with more than one page of them. */
  recent: readonly { walk: Walk; after: string }[];
  /** Merge commits: their time, message and author, and each path's text there. */
  merges: readonly { sha: string; paths: readonly string[] }[];
  /** Commits (merges' parents): the newest change of each path each one reaches. */
  reach: readonly { sha: string; paths: readonly string[] }[];
}

export interface RoundQuery {
  operation: 'PinbackRead' | 'PinbackMerges' | 'PinbackRecent';
  query: string;
  variables: Record<string, unknown>;
}

/** The aliases of a round's answer, by index in its RoundSpec. */
export const ALIAS = {
  file: (i: number) => `f${i}`,
  history: (i: number) => `h${i}`,
  recent: (i: number) => `r${i}`,
  next: (i: number) => `n${i}`,
  chainFile: (i: number) => `c${i}`,
  merge: (i: number) => `m${i}`,
  mergeFile: (i: number) => `t${i}`,
  reach: (i: number) => `q${i}`,
  reached: (i: number) => `a${i}`,
} as const;

const BLOB = '... on Blob { text isBinary isTruncated byteSize }';
const AUTHOR = 'author { name email }';
const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

/** One variable per distinct value and type. */
function variableSet() {
  const declarations: string[] = [];
  const values: Record<string, unknown> = {};
  const names = new Map<string, string>();
  const use = (prefix: string, type: string, value: string): string => {
    const key = `${prefix}\n${value}`;
    let name = names.get(key);
    if (name === undefined) {
      name = `${prefix}${names.size}`;
      names.set(key, name);
      declarations.push(`$${name}: ${type}`);
      values[name] = value;
    }
    return `$${name}`;
  };
  return {
    declarations,
    values,
    path: (v: string) => use('p', 'String!', v),
    time: (v: string) => use('s', 'GitTimestamp!', v),
    cursor: (v: string) => use('c', 'String!', v),
    oid: (v: string) => use('o', 'GitObjectID!', v),
    ref: (v: string) => use('ref', 'String!', v),
  };
}

type Variables = ReturnType<typeof variableSet>;

/** A change of `path` as a walk reads it: the commit, its author and the file's text there. */
const changeNode = (path: string) =>
  `oid committedDate message ${AUTHOR} file(path: ${path}) { object { ${BLOB} } }`;

function headBody(spec: RoundSpec, v: Variables): string[] {
  const lines = spec.files.map((f, i) => `${ALIAS.file(i)}: file(path: ${v.path(f)}) { object { ${BLOB} } }`);
  spec.walks.forEach((w, i) => {
    const p = v.path(w.path);
    const until = w.since === undefined ? '' : `, until: ${v.time(w.since)}`;
    lines.push(
      `${ALIAS.history(i)}: history(first: ${w.first}, path: ${p}${until}) { nodes { ${changeNode(p)} } }`,
    );
    if (w.since !== undefined)
      lines.push(
        `${ALIAS.recent(i)}: history(first: 100, path: ${p}, since: ${v.time(w.since)}) { ${PAGE_INFO} nodes { ${changeNode(p)} } }`,
      );
  });
  spec.recent.forEach(({ walk, after }, i) => {
    const p = v.path(walk.path);
    lines.push(
      `${ALIAS.next(i)}: history(first: 100, path: ${p}, since: ${v.time(walk.since!)}, after: ${v.cursor(after)}) { ${PAGE_INFO} nodes { ${changeNode(p)} } }`,
    );
  });
  if (spec.chain && spec.chain.paths.length > 0) {
    const parents = spec.chain.parents ? ` parents(first: ${MAX_PARENTS}) { nodes { oid } }` : '';
    const files = spec.chain.paths.map((p, j) => `${ALIAS.chainFile(j)}: file(path: ${v.path(p)}) { oid }`);
    lines.push(`chain: history(first: ${CHAIN_WINDOW}) { nodes { oid${parents} ${files.join(' ')} } }`);
  }
  return lines;
}

function followUps(spec: RoundSpec, v: Variables): string[] {
  const merges = spec.merges.map((m, i) => {
    const texts = m.paths.map(
      (p, j) => `${ALIAS.mergeFile(j)}: file(path: ${v.path(p)}) { object { ${BLOB} } }`,
    );
    return `${ALIAS.merge(i)}: object(oid: ${v.oid(m.sha)}) { ... on Commit { oid committedDate message ${AUTHOR} ${texts.join(' ')} } }`;
  });
  const reach = spec.reach.map((r, i) => {
    const newest = r.paths.map(
      (p, j) =>
        `${ALIAS.reached(j)}: history(first: 1, path: ${v.path(p)}) { nodes { oid committedDate message ${AUTHOR} } }`,
    );
    return `${ALIAS.reach(i)}: object(oid: ${v.oid(r.sha)}) { ... on Commit { ${newest.join(' ')} } }`;
  });
  return [...merges, ...reach];
}

/**
 * The document of one round: the rate limit it costs, then under the repository the head (the
 * branch's `ref` on the first round, `at: object(oid:)` on later ones, so every page reads the
 * same commit) with the page's files, walks and chain, and the follow-ups beside it.
 */
export function roundQuery(spec: RoundSpec, owner: string, name: string): RoundQuery {
  const v = variableSet();
  const body = headBody(spec, v).map((l) => `        ${l}`);
  const commit = `... on Commit {\n        oid\n${body.join('\n')}\n      }`;
  let head = '';
  if ('branch' in spec.at) {
    const ref =
      spec.at.branch === undefined
        ? 'defaultBranchRef'
        : `ref(qualifiedName: ${v.ref(`refs/heads/${spec.at.branch}`)})`;
    head = `ref: ${ref} {\n      name\n      target {\n      ${commit}\n      }\n    }`;
  } else if (body.length > 0) {
    head = `at: object(oid: ${v.oid(spec.at.head)}) {\n      ${commit}\n    }`;
  }
  const more = followUps(spec, v).map((l) => `    ${l}`);
  const operation =
    'branch' in spec.at || spec.files.length > 0 || spec.walks.length > 0
      ? 'PinbackRead'
      : spec.merges.length > 0 || spec.reach.length > 0
        ? 'PinbackMerges'
        : 'PinbackRecent';
  const declarations = ['$owner: String!', '$name: String!', ...v.declarations].join(', ');
  const query = `query ${operation}(${declarations}) {
  rateLimit { cost remaining limit resetAt }
  repository(owner: $owner, name: $name) {
    ${[head, ...more].filter((x) => x !== '').join('\n')}
  }
}`;
  return { operation, query, variables: { owner, name, ...v.values } };
}
