import type { Octokit } from './octokit.js';

/** A rollback proposed as a pull request: merging it is the approval. */
export interface Proposal {
  branch: string;
  base: string;
  title: string;
  body: string;
}

/** The newest pull request from a branch: open, or closed without a merge (a person said no). */
export interface FoundProposal {
  url: string;
  state: 'open' | 'rejected' | 'merged';
}

export interface Proposals {
  find(branch: string): Promise<FoundProposal | undefined>;
  /** Opens the pull request, or updates the open one for the same branch; returns its URL. */
  open(p: Proposal): Promise<string>;
}

export function gitHubProposals(octokit: Octokit, repo: string): Proposals {
  const [owner, name] = repo.split('/') as [string, string];
  const pulls = async (branch: string, state: 'open' | 'all') => {
    const { data } = await octokit.rest.pulls.list({
      owner,
      repo: name,
      head: `${owner}:${branch}`,
      state,
      per_page: 10,
    });
    return data;
  };
  return {
    async find(branch) {
      const newest = (await pulls(branch, 'all'))[0];
      if (!newest) return undefined;
      const state = newest.state === 'open' ? 'open' : newest.merged_at ? 'merged' : 'rejected';
      return { url: newest.html_url, state };
    },
    async open(p) {
      const existing = (await pulls(p.branch, 'open'))[0];
      if (existing) {
        await octokit.rest.pulls.update({
          owner,
          repo: name,
          pull_number: existing.number,
          title: p.title,
          body: p.body,
        });
        return existing.html_url;
      }
      const { data } = await octokit.rest.pulls.create({
        owner,
        repo: name,
        head: p.branch,
        base: p.base,
        title: p.title,
        body: p.body,
      });
      return data.html_url;
    },
  };
}
