/**
 * The one-file read and merges documents of the GitHub store before reads were batched
 * (src/github/read-query.ts generalizes them): the stand-in's conformance test asks them, as
 * GitHub-shaped queries over a history with a merge commit.
 */
import { MAX_PARENTS } from '../../../src/github/queries.js';

const BLOB = '... on Blob { text isBinary isTruncated byteSize }';
const HISTORY_NODE = `oid committedDate message file(path: $historyPath) { object { ${BLOB} } }`;

/**
 * ONE query: the branch head, every requested file at that head, the watched file's history
 * with its text and full message at each commit, and the branch's newest commits (`chain`) with
 * their parents and the watched file's object id, to follow the first-parent chain: GitHub's
 * `history(path:)` simplifies as `git log -- FILE` does, so a change merged with a merge commit
 * appears as the commit the merge brought in. Files are read from the head commit itself, so
 * everything comes from one consistent snapshot. With `since`, `history` holds the changes up to
 * that time and `recent` (paged) those since.
 */
export function readQuery(fileCount: number, useDefaultBranch: boolean, bySince = false): string {
  const vars = Array.from({ length: fileCount }, (_, i) => `, $f${i}: String!`).join('');
  const files = Array.from(
    { length: fileCount },
    (_, i) => `f${i}: file(path: $f${i}) { object { ${BLOB} } }`,
  ).join('\n          ');
  const ref = useDefaultBranch ? 'ref: defaultBranchRef' : 'ref(qualifiedName: $ref)';
  return `query PinbackRead($owner: String!, $name: String!${useDefaultBranch ? '' : ', $ref: String!'}, $historyPath: String!, $limit: Int!, $window: Int!${bySince ? ', $since: GitTimestamp!' : ''}${vars}) {
  repository(owner: $owner, name: $name) {
    ${ref} {
      name
      target {
        ... on Commit {
          oid
          ${files}
          history(first: $limit, path: $historyPath${bySince ? ', until: $since' : ''}) {
            nodes { ${HISTORY_NODE} }
          }${
            bySince
              ? `
          recent: history(first: 100, path: $historyPath, since: $since) {
            pageInfo { hasNextPage endCursor }
            nodes { ${HISTORY_NODE} }
          }`
              : ''
          }
          chain: history(first: $window) {
            nodes { oid parents(first: ${MAX_PARENTS}) { nodes { oid } } file(path: $historyPath) { oid } }
          }
        }
      }
    }
  }
}`;
}

/**
 * The second query, made only when merges on the first-parent chain changed the watched file:
 * each merge's time, message and text of the file, and for each of its parents the newest
 * change of the file that parent reaches (what the merge brought in is among them).
 */
export function mergesQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `, $m${i}: GitObjectID!`).join('');
  const merges = Array.from(
    { length: count },
    (_, i) => `m${i}: object(oid: $m${i}) {
      ... on Commit {
        oid
        committedDate
        message
        file(path: $historyPath) { object { ${BLOB} } }
        parents(first: ${MAX_PARENTS}) {
          nodes { history(first: 1, path: $historyPath) { nodes { oid committedDate message } } }
        }
      }
    }`,
  ).join('\n    ');
  return `query PinbackMerges($owner: String!, $name: String!, $historyPath: String!${vars}) {
  repository(owner: $owner, name: $name) {
    ${merges}
  }
}`;
}
