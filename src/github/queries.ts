/**
 * The GraphQL constants of the GitHub store beside the batched read (read-query.ts): the chain's
 * window, a merge's parents read, and the commit mutation.
 */

/** The branch's newest commits read for their first-parent chain (GitHub's most per connection). */
export const CHAIN_WINDOW = 100;
/** A merge's parents read (an octopus merge has more than two). */
export const MAX_PARENTS = 8;

export const COMMIT_MUTATION = `mutation PinbackCommit($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`;
