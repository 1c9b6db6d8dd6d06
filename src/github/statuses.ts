import { mapBounded } from '../concurrency.js';
import {
  type DecisionRecord,
  type DecisionRecorder,
  recordFingerprint,
  statusContext,
} from '../records/decision.js';
import type { StoreUsage } from '../gitops/store.js';
import type { Octokit } from './octokit.js';
import { type RateLimitNode, usageMeter } from './usage.js';

/*
 * Decision records as commit statuses `pinback/<service>` on each pin commit in the GitOps
 * repository: the commit list shows, for every deploy, what the guard concluded. The newest
 * status of every record's commit is read first, in GraphQL queries of up to 100 commits, and a
 * status is created only where the verdict changed: a schedule that runs every few minutes over a
 * thousand services spends a few points a run, not a request per service.
 */

/** Commits per status read: each is one `object(oid:)` lookup with its list of contexts. */
const COMMITS_PER_QUERY = 100;
/** Status writes in flight at once (GitHub asks for care with bulk writes). */
const WRITES_AT_ONCE = 4;

interface ContextNode {
  context: string;
  state: string;
  description: string | null;
}
type StatusAnswer = {
  rateLimit: RateLimitNode | null;
  repository: Record<string, { status: { contexts: ContextNode[] } | null } | null> | null;
};

export interface CommitStatusesOptions {
  octokit: Octokit;
  /** owner/name of the GitOps repository. */
  repo: string;
  graphqlUrl?: string | undefined;
  /** The web address of a commit of the repository (a failure links its rollback commit). */
  commitUrl: (sha: string) => string;
}

/** Where a status links: the rollback commit, else the incident, the pull request or the run. */
function targetOf(r: DecisionRecord, commitUrl: (sha: string) => string): string | undefined {
  return r.commit ? commitUrl(r.commit) : (r.incident ?? r.pull_request ?? r.run);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The recorder, and what it spent of the API (the job summary adds it to the store's). */
export type CommitStatusRecorder = DecisionRecorder & { usage(): StoreUsage };

export function commitStatuses(o: CommitStatusesOptions): CommitStatusRecorder {
  const [owner, name] = o.repo.split('/') as [string, string];
  const meter = usageMeter();

  /** The newest state and line of each context on each commit, by `sha\ncontext`. */
  async function shown(shas: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const page of chunk(shas, COMMITS_PER_QUERY)) {
      const vars = Object.fromEntries(page.map((sha, i) => [`o${i}`, sha]));
      const decl = page.map((_, i) => `$o${i}: GitObjectID!`).join(', ');
      const body = page
        .map(
          (_, i) =>
            `c${i}: object(oid: $o${i}) { ... on Commit { status { contexts { context state description } } } }`,
        )
        .join('\n    ');
      const query = `query PinbackStatuses($owner: String!, $name: String!, ${decl}) {
  rateLimit { cost remaining limit resetAt }
  repository(owner: $owner, name: $name) {
    ${body}
  }
}`;
      meter.read();
      const answer = await o.octokit.graphql<StatusAnswer>({
        query,
        owner,
        name,
        ...vars,
        ...(o.graphqlUrl ? { url: o.graphqlUrl } : {}),
      });
      meter.rate(answer.rateLimit);
      page.forEach((sha, i) => {
        for (const c of answer.repository?.[`c${i}`]?.status?.contexts ?? [])
          out.set(
            `${sha}\n${c.context}`,
            recordFingerprint({
              state: c.state.toLowerCase() as DecisionRecord['state'],
              description: c.description ?? '',
            }),
          );
      });
    }
    return out;
  }

  return {
    usage: () => meter.usage(),
    async record(records) {
      if (records.length === 0) return;
      const now = await shown([...new Set(records.map((r) => r.pin_commit))]);
      const changed = records.filter(
        (r) => now.get(`${r.pin_commit}\n${statusContext(r.service)}`) !== recordFingerprint(r),
      );
      const failed: string[] = [];
      await mapBounded(changed, WRITES_AT_ONCE, async (r) => {
        const target = targetOf(r, o.commitUrl);
        try {
          meter.write();
          await o.octokit.rest.repos.createCommitStatus({
            owner,
            repo: name,
            sha: r.pin_commit,
            state: r.state,
            context: statusContext(r.service),
            description: r.description,
            ...(target ? { target_url: target } : {}),
          });
        } catch (e) {
          const status = (e as { status?: number }).status;
          failed.push(
            `${r.service} (${r.pin_commit.slice(0, 12)}): ${status === 403 || status === 404 ? 'the token may not write commit statuses (grant `statuses: write`, or set the input record-statuses: false)' : (e as Error).message}`,
          );
        }
      });
      if (failed.length) throw new Error(`commit statuses not written for ${failed.join('; ')}`);
    },
  };
}
