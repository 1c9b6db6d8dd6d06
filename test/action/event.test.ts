import { describe, expect, it } from 'vitest';
import { EventError, planFor } from '../../src/action/event.js';
import { InputError, readSettings } from '../../src/action/settings.js';
import { parseDuration } from '../../src/config/duration.js';

const marker = '<!-- pinback:incident id=0123456789abcdef -->';

describe('planFor', () => {
  it.each([
    ['schedule evaluates every service', 'schedule', {}, [], { kind: 'reconcile', selection: {} }],
    [
      'schedule evaluates the services input',
      'schedule',
      {},
      ['api'],
      { kind: 'reconcile', selection: { terms: ['api'] } },
    ],
    [
      'workflow_dispatch reads services from its inputs',
      'workflow_dispatch',
      { inputs: { services: 'api, web' } },
      [],
      { kind: 'reconcile', selection: { terms: ['api', 'web'] } },
    ],
    [
      'a successful deploy run is guarded',
      'workflow_run',
      { action: 'completed', workflow_run: { conclusion: 'success', name: 'deploy' } },
      [],
      { kind: 'reconcile', trigger: 'workflow_run (deploy)' },
    ],
    [
      'a failed deploy run is ignored',
      'workflow_run',
      { action: 'completed', workflow_run: { conclusion: 'failure' } },
      [],
      { kind: 'ignore' },
    ],
    [
      'an alert evaluates its service at once',
      'repository_dispatch',
      { client_payload: { service: 'api', reason: 'HighErrorRate' } },
      [],
      {
        kind: 'reconcile',
        selection: { terms: ['api'] },
        signal: { service: 'api', reason: 'HighErrorRate' },
      },
    ],
    [
      'a closed incident proposes the unlock',
      'issues',
      { action: 'closed', issue: { number: 7, body: `x\n${marker}`, labels: [{ name: 'pinback' }] } },
      [],
      { kind: 'unlock', issue: 7, rollbackId: '0123456789abcdef' },
    ],
    [
      'a marker in an issue without the pinback label is ignored',
      'issues',
      { action: 'closed', issue: { number: 7, body: marker, labels: [] } },
      [],
      { kind: 'ignore' },
    ],
    [
      'a closed issue that is no incident is ignored',
      'issues',
      { action: 'closed', issue: { number: 7, body: 'hello' } },
      [],
      { kind: 'ignore' },
    ],
    [
      'a reopened incident is ignored',
      'issues',
      { action: 'reopened', issue: { number: 7, body: marker } },
      [],
      { kind: 'ignore' },
    ],
    ['a pull request is gated', 'pull_request', {}, [], { kind: 'gate' }],
    [
      "a merged rollback proposal's pull request is recorded on its incident",
      'pull_request',
      {
        action: 'closed',
        pull_request: {
          html_url: 'https://github.com/acme/gitops/pull/3',
          merged: true,
          merge_commit_sha: 'abc',
          head: { ref: 'pinback/rollback-support-agent-0123456789abcdef' },
        },
      },
      [],
      {
        kind: 'proposal_closed',
        service: 'support-agent',
        rollbackId: '0123456789abcdef',
        merged: true,
        mergeCommit: 'abc',
      },
    ],
    [
      'a rollback proposal closed unmerged is recorded as declined',
      'pull_request',
      {
        action: 'closed',
        pull_request: {
          html_url: 'u',
          merged: false,
          head: { ref: 'pinback/rollback-web-0123456789abcdef' },
        },
      },
      [],
      { kind: 'proposal_closed', service: 'web', merged: false },
    ],
    [
      'another closed pull request is gated as before',
      'pull_request',
      { action: 'closed', pull_request: { html_url: 'u', merged: true, head: { ref: 'renovate/x' } } },
      [],
      { kind: 'gate' },
    ],
    ['any other event is ignored', 'push', {}, [], { kind: 'ignore' }],
  ] as const)('%s', (_name, event, payload, services, expected) => {
    expect(planFor(event, payload as Record<string, unknown>, { terms: [...services] }, false)).toMatchObject(
      expected,
    );
  });

  it('gates every event in gate mode', () => {
    expect(planFor('schedule', {}, {}, true)).toMatchObject({ kind: 'gate' });
  });

  it('rejects an alert without a service, saying what to send', () => {
    expect(() => planFor('repository_dispatch', { client_payload: {} }, {}, false)).toThrow(EventError);
    expect(() => planFor('repository_dispatch', { client_payload: { service: '../x' } }, {}, false)).toThrow(
      /client_payload\.service/,
    );
  });
});

describe('readSettings', () => {
  const inputs = (o: Record<string, string>) => (name: string) => o[name] ?? '';

  it('has the defaults of action.yml', () => {
    expect(readSettings(inputs({}), parseDuration)).toMatchObject({
      config: '.github/pinback.yml',
      mode: undefined,
      services: [],
      watchMs: undefined,
      intervalMs: 60_000,
      failOnStop: false,
    });
  });

  it('splits services on commas and newlines', () => {
    expect(readSettings(inputs({ services: 'api,\nweb' }), parseDuration).services).toEqual(['api', 'web']);
  });

  it.each([
    ['mode', { mode: 'yolo' }],
    ['watch', { watch: 'soon' }],
    ['fail-on-stop', { 'fail-on-stop': 'yes' }],
  ])('rejects a bad %s', (_name, o) => {
    expect(() => readSettings(inputs(o), parseDuration)).toThrow(InputError);
  });
});
