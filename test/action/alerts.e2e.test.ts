import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/config/shard-of.js';
import type { Report } from '../../src/report.js';
import { type ActionRun, runAction } from '../support/action.js';
import { fixture } from '../support/alert-fixtures.js';
import { eventPayload } from '../support/fake-github/payloads.js';
import { trailersOf, useScenarios } from '../support/github-action.js';
import { removeWhenDone } from '../support/git.js';
import { GitOpsRepo, metricsJson } from '../support/gitops.js';

/*
 * The bundled Action on a repository_dispatch from each tool, with the request body that tool
 * posts (test/fixtures/alerts/, as docs/alerts.md sets each one up), as GitHub hands it to the
 * workflow: the right services are evaluated, resolved alerts and unknown services are not.
 */

const SERVICES = ['support-agent', 'billing-api', 'web'];

const POLICY = `version: 1
providers:
  m: { type: file, path: metrics.json }
alerts:
  aliases: { webapp: web }   # Flux's docs example names its Kustomization webapp
services:
${SERVICES.map(
  (n) => `  ${n}:
    pin: { file: apps/${n}/kustomization.yaml, kustomize_image: ghcr.io/acme/${n} }
    triggers:
      error_rate: { max: 0.05, reason: error_spike }`,
).join('\n')}
`;

let dir: string;
let repo: GitOpsRepo;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pinback-alerts-'));
  removeWhenDone(dir);
  writeFileSync(join(dir, 'pinback.yml'), POLICY);
  writeFileSync(
    join(dir, 'metrics.json'),
    metricsJson(
      Object.fromEntries(
        SERVICES.map((n) => [
          n,
          {
            v2: { error_rate: n === 'support-agent' ? [0.2, 0.3] : [0.01, 0.01] },
            v1: { error_rate: [0.01] },
          },
        ]),
      ),
    ),
  );
  repo = new GitOpsRepo();
  const k = (n: string, tag: string) => `images:\n  - name: ghcr.io/acme/${n}\n    newTag: ${tag}\n`;
  for (const n of SERVICES) repo.write(`apps/${n}/kustomization.yaml`, k(n, 'v1'));
  repo.commit('deploy v1', 86_400);
  for (const n of SERVICES) repo.write(`apps/${n}/kustomization.yaml`, k(n, 'v2'));
  repo.commit('deploy v2', 300);
});

/** GitHub's repository_dispatch event for a tool's request: its event_type becomes `action`. */
function dispatchEvent(d: { event_type: string; client_payload: unknown }): unknown {
  return eventPayload('repository_dispatch', {
    repo: 'acme/pinback-guard',
    action: d.event_type,
    client_payload: d.client_payload,
  });
}

function dispatch(file: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({
    inputs: { config: 'pinback.yml', 'gitops-repo': repo.dir, mode: 'dry-run', ...inputs },
    event: 'repository_dispatch',
    payload: dispatchEvent(fixture(file)),
    workspace: dir,
    // No API at all: any request would fail against this address.
    env: { GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_GRAPHQL_URL: 'http://127.0.0.1:9/graphql' },
  });
}

const servicesOf = (r: ActionRun) => (JSON.parse(r.outputs.report!) as Report).services;
const evaluated = (r: ActionRun) => servicesOf(r).map((s) => s.service);
const notices = (r: ActionRun) => r.stdout.split('\n').filter((l) => l.startsWith('::notice'));

describe('a repository_dispatch from each tool evaluates the services its alerts name', () => {
  it.each([
    [
      'Alertmanager 0.32+ (templated payload)',
      'alertmanager-dispatch.json',
      ['support-agent', 'billing-api'],
    ],
    ['Grafana (custom payload)', 'grafana-dispatch.json', ['support-agent', 'web']],
    ['Argo CD on-health-degraded (by the Application name)', 'argocd-degraded.json', ['billing-api']],
    ['Argo CD on-deployed (by its app.kubernetes.io/name label)', 'argocd-deployed.json', ['web']],
    ['Flux HelmRelease upgraded (by the object name)', 'flux-helmrelease.json', ['support-agent']],
    ['Flux Kustomization health check failed (by event metadata)', 'flux-kustomization-error.json', ['web']],
    ["Flux's documented event (through alerts.aliases)", 'flux-docs-event.json', ['web']],
  ])('%s', async (_tool, file, services) => {
    const r = await dispatch(file);
    expect(r.stdout).not.toContain('::error');
    expect(r.code).toBe(0);
    expect(evaluated(r).toSorted()).toEqual(services.toSorted());
    const event = fixture(file).event_type;
    expect(r.summary).toContain(`## pinback (repository_dispatch (${event}))`);
  });

  it('judges them as any run does: the breaching candidate is stopped, the healthy one allowed', async () => {
    const r = await dispatch('alertmanager-dispatch.json');
    expect(servicesOf(r)).toEqual([
      expect.objectContaining({
        service: 'support-agent',
        decision: 'stop',
        action: 'dry_run',
        from: 'v2',
        to: 'v1',
      }),
      expect.objectContaining({ service: 'billing-api', decision: 'allow' }),
    ]);
  });

  it('skips the resolved alert and says, in a notice, which alert names no service of the policy', async () => {
    const r = await dispatch('alertmanager-dispatch.json');
    expect(evaluated(r)).not.toContain('web');
    expect(notices(r)).toEqual([
      '::notice title=pinback%3A alert ignored::Alertmanager alert HighErrorRate: "checkout" (label service) is no service of pinback.yml: ignored (map a value to a service with alerts.aliases)',
    ]);
    expect(r.stdout).toContain(
      'repository_dispatch (alertmanager): 3 firing alerts, 1 resolved (skipped), 1 naming no service of pinback.yml: evaluating support-agent, billing-api',
    );
  });
});

describe('a repository_dispatch that asks for nothing', () => {
  it('whose alerts are all resolved passes without reading the policy', async () => {
    const d = fixture('alertmanager-dispatch.json');
    const alerts = (d.client_payload.alerts as { status: string }[]).map((a) => ({
      ...a,
      status: 'resolved',
    }));
    const r = await runAction({
      inputs: { config: 'absent.yml', mode: 'dry-run' },
      event: 'repository_dispatch',
      payload: dispatchEvent({ ...d, client_payload: { ...d.client_payload, status: 'resolved', alerts } }),
      workspace: dir,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'repository_dispatch (alertmanager): 4 alerts, all resolved: nothing to evaluate',
    );
    expect(r.outputs).toEqual({ decision: 'none', 'rolled-back': 'false' });
  });

  it('whose alerts name no service of the policy passes with a notice each and an empty report', async () => {
    const d = fixture('flux-docs-event.json');
    const r = await runAction({
      inputs: { config: 'pinback.yml', 'gitops-repo': repo.dir, mode: 'dry-run' },
      event: 'repository_dispatch',
      payload: dispatchEvent({
        ...d,
        client_payload: {
          ...d.client_payload,
          involvedObject: { kind: 'Kustomization', name: 'ledger', namespace: 'apps' },
        },
      }),
      workspace: dir,
    });
    expect(r.code).toBe(0);
    expect(notices(r)).toEqual([
      '::notice title=pinback%3A alert ignored::Flux alert ValidationFailed: "ledger" (object name) is no service of pinback.yml: ignored (map a value to a service with alerts.aliases)',
    ]);
    expect(JSON.parse(r.outputs.report!)).toEqual({ version: 1, services: [] });
    expect(r.summary).toContain(
      'nothing to do: repository_dispatch (Kustomization/webapp.apps): 1 firing alert, 1 naming no service of pinback.yml',
    );
  });
});

it('fails a payload its tool does not send, saying where, before anything is read', async () => {
  const d = fixture('alertmanager-dispatch.json');
  const alerts = (d.client_payload.alerts as object[]).map((a) => ({ ...a, status: 'pending' }));
  const r = await runAction({
    inputs: { config: 'absent.yml', mode: 'dry-run' },
    event: 'repository_dispatch',
    payload: dispatchEvent({ ...d, client_payload: { ...d.client_payload, alerts } }),
    workspace: dir,
  });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(
    '::error::repository_dispatch from Alertmanager: client_payload.alerts.0.status: Invalid option: expected one of "firing"|"resolved"',
  );
});

describe('an alert for two services in a 2-shard matrix', () => {
  it('is judged once per service, each by the shard that holds it', async () => {
    const runs = await Promise.all(
      [1, 2].map((k) => dispatch('alertmanager-dispatch.json', { shard: `${k}/2` })),
    );
    for (const r of runs) expect(r.code, r.stdout).toBe(0);
    expect(runs.flatMap(evaluated).toSorted()).toEqual(['billing-api', 'support-agent']);
    for (const s of ['support-agent', 'billing-api'])
      expect(evaluated(runs[shardOf(s, 2) - 1]!)).toContain(s);
  });
});

describe('an Alertmanager alert against GitHub', () => {
  const { make } = useScenarios();

  it('rolls the breaching service back at once, crediting the alert in the trailers', async () => {
    const s = await make();
    const d = fixture('alertmanager-dispatch.json');
    const r = await s.run(
      'repository_dispatch',
      eventPayload('repository_dispatch', {
        repo: 'acme/app',
        action: d.event_type,
        client_payload: d.client_payload,
      }),
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs['rolled-back']).toBe('true');
    expect(await trailersOf(s, r.outputs.commit!)).toContain(
      'Rollback-Actor: octocat via repository_dispatch (alertmanager), alert: HighErrorRate (support-agent)',
    );
  });
});
