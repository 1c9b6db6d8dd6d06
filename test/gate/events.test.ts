import { describe, expect, it } from 'vitest';
import { planFor } from '../../src/action/event.js';

const pr = {
  number: 4,
  head: { sha: 'a'.repeat(40), ref: 'promote' },
  base: { ref: 'main', sha: 'b'.repeat(40) },
};
const repository = { full_name: 'acme/gitops' };
const onPull = { url: 'https://api.github.com/repos/acme/gitops/pulls/4' };
const comment = (
  body: string,
  author_association: string,
  issue: Record<string, unknown> = { number: 4, pull_request: onPull },
) => ({
  action: 'created',
  issue,
  comment: { body, author_association, user: { login: 'octocat' } },
  repository,
});

describe('which pull request the gate judges, from the event', () => {
  it.each([
    [
      'a pull request: the event gives it whole',
      'pull_request',
      { action: 'synchronize', pull_request: pr, repository },
      false,
      {
        kind: 'gate',
        trigger: 'pull_request',
        pull: { number: 4, repo: 'acme/gitops', head: pr.head, base: pr.base },
      },
    ],
    [
      'the label pinback/recheck re-runs it, and is taken off after',
      'pull_request',
      { action: 'labeled', label: { name: 'pinback/recheck' }, pull_request: pr, repository },
      true,
      { kind: 'gate', trigger: 'pull_request labeled pinback/recheck', pull: { number: 4, relabel: true } },
    ],
    [
      'another label changes nothing the gate reads',
      'pull_request',
      { action: 'labeled', label: { name: 'bug' }, pull_request: pr, repository },
      true,
      { kind: 'ignore', message: expect.stringContaining('only the label pinback/recheck re-runs the gate') },
    ],
    [
      '/pinback recheck by a member: the pull request, by number',
      'issue_comment',
      comment('/pinback recheck', 'MEMBER'),
      false,
      { kind: 'gate', trigger: 'issue_comment /pinback recheck', pull: { number: 4, repo: 'acme/gitops' } },
    ],
    [
      '/pinback recheck by a collaborator, with more lines after it',
      'issue_comment',
      comment('  /Pinback Recheck\r\nthe canary has traffic now', 'COLLABORATOR'),
      true,
      { kind: 'gate', pull: { number: 4 } },
    ],
    [
      '/pinback recheck by someone without write access',
      'issue_comment',
      comment('/pinback recheck', 'CONTRIBUTOR'),
      true,
      {
        kind: 'ignore',
        message:
          'issue_comment: octocat (CONTRIBUTOR) may not re-run the gate: only OWNER, MEMBER, COLLABORATOR (write access) may',
      },
    ],
    [
      '/pinback recheck on an issue',
      'issue_comment',
      comment('/pinback recheck', 'OWNER', { number: 4 }),
      true,
      { kind: 'ignore', message: expect.stringContaining('on an issue, not a pull request') },
    ],
    ['any other comment', 'issue_comment', comment('LGTM', 'OWNER'), true, { kind: 'ignore' }],
    [
      'an edited comment',
      'issue_comment',
      { ...comment('/pinback recheck', 'OWNER'), action: 'edited' },
      true,
      { kind: 'ignore' },
    ],
    [
      'a schedule with mode: gate: the pending pull requests',
      'schedule',
      {},
      true,
      { kind: 'gate', pending: true },
    ],
    [
      'a push with mode: gate: the lock check of the branch',
      'push',
      {},
      true,
      { kind: 'gate', trigger: 'push' },
    ],
  ] as const)('%s', (_name, event, payload, gateMode, expected) => {
    expect(planFor(event, payload as Record<string, unknown>, {}, gateMode)).toMatchObject(expected);
  });
});
