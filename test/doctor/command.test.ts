/**
 * `doctor` (src/commands/doctor.ts) end to end through its ports: the GitOps repository read once
 * (readAll), each trigger's traffic asked of its provider for the version pinned now, the token's
 * access asked once per service; nothing written.
 */
import { describe, expect, it } from 'vitest';
import { doctor, type DoctorPorts } from '../../src/commands/doctor.js';
import { parsePolicy } from '../../src/config/load.js';
import type { MetricQuery, MetricsProvider } from '../../src/metrics/provider.js';
import { MemoryGitOps } from '../support/memory-gitops.js';

const NOW = Date.UTC(2026, 0, 5, 12);
const PIN = 'apps/api/kustomization.yaml';
const k = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;

const POLICY = (extra = '') => `version: 1
owners: ["@acme/oncall"]
doctor: { require: [owners, stable, kill_switch], min_score: 5 }
services:
  api:
    stage: canary
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }
    guard_window: 2h
    triggers:
      errors: { ratio: {}, max_increase: 20% }
    on_rollback:
      kill_switch: { file: apps/api/flags.yaml, yaml_path: writes_disabled, value: "true" }
      verify: { window: 10m }
${extra}`;

function repository(): MemoryGitOps {
  const repo = new MemoryGitOps(() => NOW);
  repo.write(PIN, k('1.4.0')).write('apps/api/flags.yaml', 'writes_disabled: false\n');
  repo.commitAt('deploy 1.4.0', 86_400);
  repo.write(PIN, k('1.5.0'));
  repo.commitAt('deploy 1.5.0', 600);
  return repo;
}

/** A provider answering `perMinute` requests a minute over the range asked, and recording the questions. */
function traffic(perMinute: number): MetricsProvider & { asked: MetricQuery[] } {
  const asked: MetricQuery[] = [];
  return {
    asked,
    query: async (q) => {
      asked.push(q);
      const end = q.end.getTime() / 1000;
      const start = (q.start?.getTime() ?? q.end.getTime() - q.windowMs) / 1000;
      const samples = [];
      for (let t = start + 60; t <= end; t += 60) samples.push({ t, v: perMinute });
      return { kind: 'samples', samples };
    },
  };
}

function ports(o: Partial<DoctorPorts> & { provider?: MetricsProvider } = {}): DoctorPorts {
  return {
    store: repository(),
    unread: 'not given',
    providers: new Map([['file', o.provider ?? traffic(240)]]),
    now: new Date(NOW),
    access: async () => [{ access: { kind: 'local', path: '/gitops', writable: true }, needs: ['contents'] }],
    ...o,
  };
}

describe('pinback doctor over a repository and a provider', () => {
  it('scores a service that has everything but a notify route 7/8, and meets the minimum', async () => {
    const report = await doctor(parsePolicy(POLICY(), 'p.yml'), ports());
    const [api] = report.services;
    expect(api!.checks.map((c) => [c.check, c.status])).toEqual([
      ['stable', 'pass'],
      ['lock_candidate', 'pass'],
      ['kill_switch', 'pass'],
      ['verify', 'pass'],
      ['owners', 'pass'],
      ['notify_critical', 'missing'],
      ['min_evidence', 'pass'],
      ['token', 'pass'],
    ]);
    expect([api!.score, api!.of]).toEqual([7, 8]);
    expect(api!.checks[0]!.detail).toMatch(/^1\.4\.0, unlocked/);
    expect(report).toMatchObject({ ok: true, require: ['owners', 'stable', 'kill_switch'], min_score: 5 });
  });

  it('reads the traffic of the version pinned now, over the last hour, counting all requests', async () => {
    const provider = traffic(240);
    await doctor(parsePolicy(POLICY(), 'p.yml'), ports({ provider }));
    expect(provider.asked).toEqual([
      expect.objectContaining({
        service: 'api',
        version: '1.5.0',
        part: 'total',
        start: new Date(NOW - 3_600_000),
        end: new Date(NOW),
      }),
    ]);
  });

  it('reads the repository once for every service', async () => {
    const store = repository();
    let reads = 0;
    const counted = Object.assign(Object.create(store) as MemoryGitOps, {
      readAll: (r: Parameters<MemoryGitOps['readAll']>[0]) => {
        reads++;
        return store.readAll(r);
      },
    });
    const two = POLICY().replace(
      'services:\n',
      `services:\n  web:\n    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/api }\n    triggers: { e: { query: up, max: 1 } }\n`,
    );
    const report = await doctor(parsePolicy(two, 'p.yml'), ports({ store: counted }));
    expect(report.services.map((s) => s.service)).toEqual(['web', 'api']);
    expect(reads).toBe(1);
  });

  it('fails the minimum when the stable is locked, naming the lock', async () => {
    const store = repository();
    store.write(
      '.pinback/locks/api.yaml',
      'api:\n  - { version: 1.4.0, reason: error_spike, locked_at: "2026-01-01T00:00:00Z", rollback_id: 0123456789abcdef }\n',
    );
    store.commitAt('lock 1.4.0', 300);
    const report = await doctor(parsePolicy(POLICY(), 'p.yml'), ports({ store }));
    expect(report.ok).toBe(false);
    expect(report.services[0]!.checks[0]).toMatchObject({ check: 'stable', status: 'missing' });
    expect(report.services[0]!.unmet).toEqual(['stable is required (doctor.require) and missing']);
  });

  it('says the stable and the traffic were not checked without a repository, and fails what it requires', async () => {
    const report = await doctor(
      parsePolicy(POLICY(), 'p.yml'),
      ports({ store: undefined, unread: 'no GitOps repository given' }),
    );
    const checks = Object.fromEntries(report.services[0]!.checks.map((c) => [c.check, c]));
    expect(checks.stable).toMatchObject({ status: 'not_checked' });
    expect(checks.min_evidence!.detail).toContain(
      'COULD NOT CHECK the traffic: no version to read the traffic of',
    );
    // The kill switch's file was not read either: its key is set, which is what passes without it.
    expect(checks.kill_switch).toMatchObject({ status: 'pass' });
    expect(report.services[0]!.unmet).toEqual([
      'stable is required (doctor.require) and could not be checked',
    ]);
  });

  it('turns a failure to ask about the token into a check not made', async () => {
    const report = await doctor(
      parsePolicy(POLICY(), 'p.yml'),
      ports({ access: async () => Promise.reject(new Error('socket hang up')) }),
    );
    expect(report.services[0]!.checks[7]).toEqual({
      check: 'token',
      status: 'not_checked',
      detail: 'could not ask: socket hang up',
    });
  });

  it('writes nothing', async () => {
    const store = repository();
    const before = store.count();
    await doctor(parsePolicy(POLICY(), 'p.yml'), ports({ store }));
    expect(store.count()).toBe(before);
  });
});
