import type { Proposals } from '../reconcile/ports.js';
import type { Octokit } from './octokit.js';

export type { FoundProposal, Proposal, Proposals } from '../reconcile/ports.js';

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
    async close(branch, comment) {
      const existing = (await pulls(branch, 'open'))[0];
      if (!existing) return undefined;
      // The comment first: a pull request closed without saying why reads as a person's no.
      await octokit.rest.issues.createComment({
        owner,
        repo: name,
        issue_number: existing.number,
        body: comment,
      });
      await octokit.rest.pulls.update({ owner, repo: name, pull_number: existing.number, state: 'closed' });
      return existing.html_url;
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
