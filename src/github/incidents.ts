import type { Octokit } from './octokit.js';
import { text } from '../incident/markdown.js';
import { INCIDENT_MARKER, type Incident, incidentTitle, renderIncident } from '../incident/render.js';
import { type IncidentSink, UPDATE_MARKER } from '../incident/sink.js';
import { severityLabel, severityOf } from '../policy/severity.js';

/** The incident's priority: a label for the loudest severity among its breached triggers. */
function severityLabels(incident: Incident): string[] {
  const s = severityOf(incident.evidence);
  return s === undefined ? [] : [severityLabel(s)];
}

export const PINBACK_LABEL = 'pinback';

export interface GitHubIncidentOptions {
  octokit: Octokit;
  /** `owner/name` where incidents are opened (the workflow's repository, or `incident.repo`). */
  repo: string;
  labels: (service: string) => string[];
  assignees: (service: string) => string[];
  template: (service: string) => Promise<string | undefined>;
}

interface IssueRef {
  number: number;
  html_url: string;
}

/**
 * Incidents as GitHub issues, exactly one per rollback id: the body carries a hidden marker and
 * the issue a `pinback` label, and re-runs find it by listing that label (the search API lags).
 * GitHub has no unique key for issues, so two racing runs can both find none and both open one:
 * the oldest issue with the marker is THE incident, and a run that opened a newer one closes it as
 * a duplicate of the oldest, so racing runs converge on one.
 */
export function gitHubIncidentSink(
  o: GitHubIncidentOptions,
): IncidentSink & { find(id: string): Promise<IssueRef | undefined> } {
  const [owner, repo] = o.repo.split('/') as [string, string];
  const find = async (id: string): Promise<IssueRef | undefined> => {
    const marker = INCIDENT_MARKER(id);
    // Bounded: the newest 300 pinback issues, open or closed.
    for (let page = 1; page <= 3; page++) {
      const { data } = await o.octokit.rest.issues.listForRepo({
        owner,
        repo,
        labels: PINBACK_LABEL,
        state: 'all',
        per_page: 100,
        page,
        sort: 'created',
        direction: 'desc',
      });
      // Newest first: the oldest hit of the page is the incident (racing runs may have made two).
      const hit = data
        .filter((i) => !i.pull_request && i.body?.includes(marker))
        .reduce<IssueRef | undefined>((a, i) => (a && a.number < i.number ? a : i), undefined);
      if (hit) return { number: hit.number, html_url: hit.html_url };
      if (data.length < 100) return undefined;
    }
    return undefined;
  };
  const comment = async (issue: IssueRef, body: string) => {
    await o.octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body });
    return issue.html_url;
  };
  return {
    find,
    async open(incident: Incident) {
      const existing = await find(incident.id);
      if (existing) return { where: existing.html_url, created: false };
      const { data } = await o.octokit.rest.issues.create({
        owner,
        repo,
        title: incidentTitle(incident).slice(0, 250),
        body: renderIncident(incident, await o.template(incident.service)),
        labels: [...new Set([PINBACK_LABEL, ...o.labels(incident.service), ...severityLabels(incident)])],
        assignees: o.assignees(incident.service),
      });
      // Another run may have opened the same incident meanwhile: the oldest one stands.
      const first = await find(incident.id);
      if (first && first.number < data.number) {
        await comment(data, `Duplicate of #${first.number}: two pinback runs raced to open this incident.`);
        await o.octokit.rest.issues.update({
          owner,
          repo,
          issue_number: data.number,
          state: 'closed',
          state_reason: 'duplicate',
        });
        return { where: first.html_url, created: false };
      }
      return { where: data.html_url, created: true };
    },
    async update(id, _service, u) {
      const existing = await find(id);
      if (!existing) return { where: null, added: false };
      const marker = UPDATE_MARKER(u.key);
      const comments = await o.octokit.rest.issues.listComments({
        owner,
        repo,
        issue_number: existing.number,
        per_page: 100,
      });
      if (comments.data.some((c) => c.body?.includes(marker)))
        return { where: existing.html_url, added: false };
      await Promise.all([
        comment(existing, `${marker}\n${u.markdown.trim()}`),
        u.label
          ? o.octokit.rest.issues.addLabels({ owner, repo, issue_number: existing.number, labels: [u.label] })
          : undefined,
      ]);
      return { where: existing.html_url, added: true };
    },
    async note(id: string, _service: string, line: string): Promise<string | null> {
      const existing = await find(id);
      return existing ? comment(existing, text(line)) : null;
    },
  };
}
