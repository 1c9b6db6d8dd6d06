import { createHash } from 'node:crypto';
import type { BareRepo, Person } from './git.js';

/** The fake's in-memory state, shared by its REST and GraphQL halves. */

export const WEB = 'https://github.com';

export interface Comment {
  id: number;
  body: string;
  user: string;
  createdAt: number;
}

export interface PullData {
  head: string;
  headSha: string;
  base: string;
  draft: boolean;
  merged: boolean;
  mergedAt: number | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
}

/** An issue, or a pull request (which GitHub also lists and numbers as an issue). */
export interface Item {
  number: number;
  id: number;
  title: string;
  body: string | null;
  labels: string[];
  assignees: string[];
  state: 'open' | 'closed';
  stateReason: string | null;
  user: string;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  locked: boolean;
  comments: Comment[];
  pull?: PullData;
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface RepoEntry {
  owner: string;
  name: string;
  fullName: string;
  id: number;
  git: BareRepo;
  items: Item[];
  labels: Map<string, Label>;
}

/** The GraphQL rate limit of the token: points per hour, charged per call (cost.ts). */
export interface GraphQLRate {
  limit: number;
  used: number;
  /** Unix seconds: when `used` goes back to 0. */
  resetAt: number;
}

export interface FakeState {
  repos: Map<string, RepoEntry>;
  rate: GraphQLRate;
  login: string;
  verified: Set<string>;
  violations: string[];
  /** The API base URL clients use (the server's origin). */
  apiBase: string;
  now(): number;
  nextId(): number;
}

export function findRepo(state: FakeState, fullName: string): RepoEntry | undefined {
  return state.repos.get(fullName.toLowerCase());
}

/** A stable positive id for a name (users, repos). */
export function stableId(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) % 100_000_000;
}

export function nodeId(kind: string, key: string): string {
  return `${kind}_${Buffer.from(key, 'utf8').toString('base64url')}`;
}

export function decodeNodeId(id: string): { kind: string; key: string } | null {
  const m = /^([A-Za-z]+)_([A-Za-z0-9_-]+)$/.exec(id);
  if (!m) return null;
  return { kind: m[1]!, key: Buffer.from(m[2]!, 'base64url').toString('utf8') };
}

export function htmlUrl(repo: RepoEntry): string {
  return `${WEB}/${repo.fullName}`;
}

/** The identity GitHub writes commits with for the token's user. */
export function tokenAuthor(state: FakeState): Person {
  return {
    name: state.login,
    email: `${state.login}@users.noreply.github.com`,
    time: Math.floor(state.now() / 1000),
    tz: '+0000',
  };
}

/** The committer of commits GitHub makes on the web and through the API ("web-flow"). */
export function webFlowCommitter(state: FakeState): Person {
  return { name: 'GitHub', email: 'noreply@github.com', time: Math.floor(state.now() / 1000), tz: '+0000' };
}

/** GitHub's ISO form of a millisecond time: 2024-01-02T03:04:05Z. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
