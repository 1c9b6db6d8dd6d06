import type { GitOpsStore, ReadRequest, Snapshot, StoreUsage } from '../gitops/store.js';
import { StoreError } from '../gitops/store.js';
import type { Octokit } from './octokit.js';
import { type RateLimitNode, usageMeter } from './usage.js';

/*
 * The promotion gate's GitHub side: a pull request's files at its head commit (a fork's too: GitHub
 * keeps its commits in the base repository), the `pinback/gate` commit status on that commit,
 * written only when it changes, and the open pull requests whose gate is pending (a schedule's
 * re-run).
 */

/** The status context of the promotion gate: one per pull request head, whatever it promotes. */
export const GATE_CONTEXT = 'pinback/gate';

export type GateStatusState = 'success' | 'failure' | 'pending';

export interface PullRequestRef {
  number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  url: string;
}

type BlobNode = { text: string | null; isBinary: boolean | null; isTruncated: boolean } | null;
type FilesAnswer = {
  rateLimit: RateLimitNode | null;
  repository: { at: ({ oid: string } & Record<string, { object: BlobNode } | null | string>) | null } | null;
};
type StatusAnswer = {
  rateLimit: RateLimitNode | null;
  repository: Record<
    string,
    { status: { context: { state: string; description: string | null } | null } | null } | null
  > | null;
};

export interface GateGitHub {
  /** The files of `sha`, as a read-only store (no history: the head side of a comparison). */
  filesAt(sha: string): GitOpsStore;
  /** The pull request, as GitHub has it now. */
  pull(number: number): Promise<PullRequestRef>;
  /** The open pull requests whose newest `pinback/gate` status is pending. */
  pendingPulls(): Promise<PullRequestRef[]>;
  /** Writes the status unless the newest one of the context says the same; true when written. */
  setStatus(
    sha: string,
    state: GateStatusState,
    description: string,
    targetUrl: string | undefined,
  ): Promise<boolean>;
  removeLabel(number: number, label: string): Promise<void>;
  usage(): StoreUsage;
}

export function gateGitHub(o: {
  octokit: Octokit;
  repo: string;
  graphqlUrl?: string | undefined;
}): GateGitHub {
  const [owner, name] = o.repo.split('/') as [string, string];
  const meter = usageMeter();
  const query = async <T extends { rateLimit: RateLimitNode | null }>(
    q: string,
    variables: Record<string, unknown>,
  ): Promise<T> => {
    meter.read();
    const answer = await o.octokit.graphql<T>({
      query: q,
      owner,
      name,
      ...variables,
      ...(o.graphqlUrl ? { url: o.graphqlUrl } : {}),
    });
    meter.rate(answer.rateLimit);
    return answer;
  };

  /** The newest `pinback/gate` state and line of each commit. */
  async function shown(
    shas: readonly string[],
  ): Promise<Map<string, { state: string; description: string }>> {
    const out = new Map<string, { state: string; description: string }>();
    for (let i = 0; i < shas.length; i += 100) {
      const page = shas.slice(i, i + 100);
      const decl = page.map((_, j) => `$o${j}: GitObjectID!`).join(', ');
      const body = page
        .map(
          (_, j) =>
            `c${j}: object(oid: $o${j}) { ... on Commit { status { context(name: $context) { state description } } } }`,
        )
        .join('\n    ');
      const answer = await query<StatusAnswer>(
        `query PinbackGateStatus($owner: String!, $name: String!, $context: String!, ${decl}) {
  rateLimit { cost remaining limit resetAt }
  repository(owner: $owner, name: $name) {
    ${body}
  }
}`,
        { context: GATE_CONTEXT, ...Object.fromEntries(page.map((sha, j) => [`o${j}`, sha])) },
      );
      page.forEach((sha, j) => {
        const c = answer.repository?.[`c${j}`]?.status?.context;
        if (c) out.set(sha, { state: c.state.toLowerCase(), description: c.description ?? '' });
      });
    }
    return out;
  }

  const refOf = (p: {
    number: number;
    html_url: string;
    head: { sha: string; ref: string };
    base: { ref: string };
  }): PullRequestRef => ({
    number: p.number,
    headSha: p.head.sha,
    headRef: p.head.ref,
    baseRef: p.base.ref,
    url: p.html_url,
  });

  return {
    usage: () => meter.usage(),
    filesAt(sha) {
      const read = async (r: ReadRequest): Promise<Snapshot> => {
        const decl = r.files.map((_, i) => `$p${i}: String!`).join(', ');
        const files = r.files
          .map((_, i) => `f${i}: file(path: $p${i}) { object { ... on Blob { text isBinary isTruncated } } }`)
          .join('\n        ');
        const answer = await query<FilesAnswer>(
          `query PinbackGateFiles($owner: String!, $name: String!, $oid: GitObjectID!${decl ? `, ${decl}` : ''}) {
  rateLimit { cost remaining limit resetAt }
  repository(owner: $owner, name: $name) {
    at: object(oid: $oid) {
      ... on Commit {
        oid
        ${files}
      }
    }
  }
}`,
          { oid: sha, ...Object.fromEntries(r.files.map((f, i) => [`p${i}`, f])) },
        );
        const at = answer.repository?.at;
        if (!at)
          throw new StoreError(
            `${o.repo}: commit ${sha} not found (was the pull request's branch force-pushed?)`,
          );
        const texts = new Map<string, string | null>();
        r.files.forEach((f, i) => {
          const node = at[`f${i}`];
          const blob = typeof node === 'object' && node !== null ? node.object : null;
          if (blob && (blob.isBinary || blob.isTruncated || blob.text === null)) {
            throw new StoreError(`${o.repo}@${sha.slice(0, 12)}: ${f} is not a text file pinback can read`);
          }
          texts.set(f, blob ? blob.text : null);
        });
        return { head: sha, files: texts, history: [] };
      };
      const refuse = () => Promise.reject(new StoreError(`${o.repo}@${sha.slice(0, 12)} is read only`));
      return {
        read,
        readAll: (requests) => Promise.all(requests.map(read)),
        commit: refuse,
        commitChain: refuse,
        describe: () => `${o.repo} at ${sha.slice(0, 12)}`,
        close: async () => {},
      };
    },
    async pull(number) {
      meter.read();
      const { data } = await o.octokit.rest.pulls.get({ owner, repo: name, pull_number: number });
      return refOf(data);
    },
    async pendingPulls() {
      meter.read();
      const { data } = await o.octokit.rest.pulls.list({ owner, repo: name, state: 'open', per_page: 100 });
      const pulls = data.map(refOf);
      const states = await shown([...new Set(pulls.map((p) => p.headSha))]);
      return pulls.filter((p) => states.get(p.headSha)?.state === 'pending');
    },
    async setStatus(sha, state, description, targetUrl) {
      const now = (await shown([sha])).get(sha);
      if (now && now.state === state && now.description === description) return false;
      meter.write();
      await o.octokit.rest.repos.createCommitStatus({
        owner,
        repo: name,
        sha,
        state,
        context: GATE_CONTEXT,
        description,
        ...(targetUrl ? { target_url: targetUrl } : {}),
      });
      return true;
    },
    async removeLabel(number, label) {
      meter.write();
      await o.octokit.rest.issues.removeLabel({ owner, repo: name, issue_number: number, name: label });
    },
  };
}
