import type { Octokit } from './octokit.js';

/** A rollback proposed as a pull request: merging it is the approval. */
export interface Proposal {
  branch: string;
  base: string;
  title: string;
  body: string;
}

export interface Proposals {
  /** The open pull request for this branch, if any. */
  find(branch: string): Promise<string | undefined>;
  /** Opens the pull request, or updates the open one for the same branch; returns its URL. */
  open(p: Proposal): Promise<string>;
}

export function gitHubProposals(octokit: Octokit, repo: string): Proposals {
  const [owner, name] = repo.split('/') as [string, string];
  const findPull = async (branch: string) => {
    const { data } = await octokit.rest.pulls.list({
      owner,
      repo: name,
      head: `${owner}:${branch}`,
      state: 'open',
      per_page: 1,
    });
    return data[0];
  };
  return {
    find: async (branch) => (await findPull(branch))?.html_url,
    async open(p) {
      const existing = await findPull(p.branch);
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
