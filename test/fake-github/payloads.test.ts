import { describe, expect, it } from 'vitest';
import { eventPayload } from '../support/fake-github/payloads.js';

describe('event payloads from the published webhook examples', () => {
  it('gives a completed workflow_run moved to the given repository', () => {
    const p = eventPayload('workflow_run', { repo: 'acme/gitops' });
    expect(p.action).toBe('completed');
    expect(p.workflow_run.conclusion).not.toBeUndefined();
    expect(p.repository.full_name).toBe('acme/gitops');
    expect(p.repository.name).toBe('gitops');
    expect(p.repository.owner.login).toBe('acme');
    expect(p.repository.html_url).toBe('https://github.com/acme/gitops');
  });

  it('gives a repository_dispatch whose client_payload can be patched', () => {
    const p = eventPayload('repository_dispatch', {
      repo: 'acme/gitops',
      action: 'pinback-alert',
      client_payload: { service: 'api' },
    });
    expect(p.action).toBe('pinback-alert');
    expect(p.client_payload).toEqual({ service: 'api' });
    expect(p.repository.full_name).toBe('acme/gitops');
  });

  it('gives a closed issues event although the examples publish none', () => {
    const p = eventPayload('issues', { repo: 'acme/gitops', issue: { labels: [] } });
    expect(p.action).toBe('closed');
    expect(p.issue.state).toBe('closed');
    expect(p.issue.closed_at).not.toBeNull();
    expect(p.issue.repository_url).toBe('https://api.github.com/repos/acme/gitops');
  });

  it('gives a workflow_dispatch with its inputs', () => {
    const p = eventPayload('workflow_dispatch', { repo: 'acme/gitops', inputs: { mode: 'dry-run' } });
    expect(p.inputs).toEqual({ mode: 'dry-run' });
    expect(p.ref).toMatch(/^refs\//);
  });

  it('builds a schedule event as Actions provides it', () => {
    const p = eventPayload('schedule', { repo: 'acme/gitops' });
    expect(p.schedule).toBe('*/5 * * * *');
    expect(p.repository.full_name).toBe('acme/gitops');
    expect(p.sender.login).toBeTruthy();
  });

  it('hands out a deep copy each time', () => {
    const a = eventPayload('workflow_run');
    a.workflow_run.conclusion = 'failure';
    const b = eventPayload('workflow_run');
    expect(b.workflow_run.conclusion).not.toBe('failure');
  });

  it('moves the payload when only repository.full_name is patched', () => {
    const p = eventPayload('workflow_run', { repository: { full_name: 'acme/other' } });
    expect(p.repository.owner.login).toBe('acme');
    expect(p.repository.name).toBe('other');
  });
});
