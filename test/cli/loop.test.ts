/**
 * The seeds' scenarios end to end, through the bundled CLI on a real GitOps repo:
 * stop and lock, a short spike allowed, a repeated signal, and the chaos test in watch mode
 * (a candidate starts failing; pinback rolls it back within an interval and verifies the stable).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { CLI, runCli } from '../support/cli.js';
import { GitOpsRepo } from '../support/gitops.js';

const kustomization = (tag: string) => `images:\n  - name: ghcr.io/acme/support-agent\n    newTag: ${tag}\n`;
const PIN = 'apps/support-agent/kustomization.yaml';

function policy(extra = ''): string {
  return `version: 1
providers:
  m: { type: file, path: metrics.json }
defaults: { provider: m, cooldown: 0s }
owners: ["@acme/sre"]
services:
  support-agent:
    stage: canary
    pin: { file: ${PIN}, kustomize_image: ghcr.io/acme/support-agent }
    triggers:
      error_rate:        { max: 0.05, sustained: 2, reason: error_spike }
      tool_failure_rate: { max: 0.03, sustained: 2, reason: error_spike }
    require: 2
    on_rollback:
      verify: { window: 2s }
${extra}`;
}

/** A GitOps repo with the given versions pinned in order, the last ten minutes ago. */
function setup(versions: string[], extra = '') {
  const repo = new GitOpsRepo();
  versions.forEach((v, i) => {
    repo.write(PIN, kustomization(v));
    repo.commit(`deploy ${v}`, i === versions.length - 1 ? 600 : 86_400 * (versions.length - i));
  });
  const dir = mkdtempSync(join(tmpdir(), 'pinback-loop-'));
  writeFileSync(join(dir, 'pinback.yml'), policy(extra));
  const metrics = (m: Record<string, { error_rate: number[]; tool_failure_rate: number[] }>) =>
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ 'support-agent': m }));
  const args = [
    '-c',
    join(dir, 'pinback.yml'),
    '--gitops',
    repo.dir,
    '--incident-dir',
    join(dir, 'incidents'),
  ];
  return { repo, dir, metrics, args };
}

const healthy = { error_rate: [0.004, 0.005, 0.005], tool_failure_rate: [0.01, 0.01, 0.01] };
const failing = { error_rate: [0.005, 0.061, 0.071], tool_failure_rate: [0.01, 0.041, 0.052] };

describe('seed scenario 1: a canary breaching error rate and tool failures', () => {
  it('is stopped, rolled back to the stable and its version locked', async () => {
    const env = setup(['2.3.3', '2.4.0']);
    env.metrics({ '2.4.0': failing, '2.3.3': healthy });
    const r = await runCli(['run', ...env.args, '--json']);
    const s = (JSON.parse(r.stdout) as Report).services[0]!;
    expect(s).toMatchObject({
      decision: 'stop',
      reason: 'error_spike',
      action: 'rolled_back',
      from: '2.4.0',
      to: '2.3.3',
    });
    expect(env.repo.read(PIN)).toBe(kustomization('2.3.3'));
    expect(env.repo.read('.pinback/locks/support-agent.yaml')).toContain('version: "2.4.0"');
  });
});

describe('seed scenario 2: a short spike under the thresholds', () => {
  it('is allowed and logged', async () => {
    const env = setup(['2.3.3', '2.4.0']);
    env.metrics({ '2.4.0': { error_rate: [0.01, 0.049, 0.012], tool_failure_rate: [0.01, 0.029, 0.01] } });
    const r = await runCli(['run', ...env.args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('support-agent: allow within_limits 2.4.0 -> 2.3.3');
    expect(env.repo.count()).toBe(2);
  });
});

describe('seed scenario 3: a repeated signal after the rollback', () => {
  it('makes no second switch and says it was already applied', async () => {
    const env = setup(['2.3.3', '2.4.0']);
    env.metrics({ '2.4.0': failing, '2.3.3': healthy });
    await runCli(['run', ...env.args]);
    const again = await runCli(['run', ...env.args]);
    expect(again.stdout).toMatch(
      /support-agent: \w+ \w+ 2\.4\.0 -> 2\.3\.3 \[already_rolled_back [0-9a-f]{12}\]/,
    );
    expect(env.repo.count()).toBe(3);
  });
});

/** Starts `pinback run --watch` and collects its progress lines. */
function watchRun(args: string[]): {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<{ code: number; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => {
    stdout += c;
  });
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr })),
  );
  return { child, stderr: () => stderr, done };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The timing ("within one interval"), escalation and the fallback chain are proven on an injected
// clock in test/reconcile/watch.test.ts; this is the bundle's own watch loop on real timers.
describe('watch mode through the bundled CLI', () => {
  it('rolls back once the candidate breaches and reports the stable recovered in the incident', async () => {
    const env = setup(['2.3.3', '2.4.0']);
    env.metrics({ '2.4.0': healthy, '2.3.3': healthy });
    const watch = watchRun([...env.args, '--watch', '30s', '--interval', '1s', '--json']);
    await until(() => watch.stderr().includes('allow within_limits'), 10_000);
    env.metrics({ '2.4.0': failing, '2.3.3': healthy });
    await until(() => env.repo.count() === 3, 10_000);

    const { code, stdout, stderr } = await watch.done;
    expect(code).toBe(0);
    expect(stderr).toMatch(/\[round \d+ \+[\d.]+s\] support-agent: allow within_limits 2\.4\.0 -> 2\.3\.3/);
    expect(stderr).toMatch(
      /\[round \d+ \+[\d.]+s\] support-agent: stop error_spike 2\.4\.0 -> 2\.3\.3 \[rolled_back/,
    );
    const final = (JSON.parse(stdout) as Report).services[0]!;
    expect(final).toMatchObject({ reason: 'recovered', action: 'already_rolled_back' });
    const incident = readdirSync(join(env.dir, 'incidents')).map((f) =>
      readFileSync(join(env.dir, 'incidents', f), 'utf8'),
    )[0]!;
    expect(incident).toContain('## Recovered');
    expect(incident).toContain('Time to recover');
    expect(env.repo.count()).toBe(3);
  }, 40_000);
});

describe('run --watch chooses its services as run does', () => {
  it.each([
    [
      'an unknown service',
      ['--service', 'nope'],
      2,
      /no service nope in .*pinback\.yml \(services: support-agent\)/,
    ],
  ])('%s fails exactly as run does', async (_name, extra, code, message) => {
    const env = setup(['2.3.3', '2.4.0']);
    env.metrics({ '2.4.0': healthy, '2.3.3': healthy });
    const once = await runCli(['run', ...env.args, ...extra]);
    const watched = await runCli(['run', ...env.args, ...extra, '--watch', '2s', '--interval', '1s']);
    expect(once.code).toBe(code);
    expect(once.stderr).toMatch(message);
    expect(watched.code).toBe(once.code);
    expect(watched.stderr).toBe(once.stderr);
    expect(watched.stdout).toBe(once.stdout);
  });

  it('a service without a pin fails the watch as it fails run', async () => {
    const env = setup(['2.3.3', '2.4.0']);
    env.metrics({ '2.4.0': healthy, '2.3.3': healthy });
    writeFileSync(
      join(env.dir, 'pinback.yml'),
      policy('  seeded:\n    candidate: 1.0.0\n    triggers: { error_rate: { max: 0.05 } }\n'),
    );
    const once = await runCli(['run', ...env.args, '--service', 'seeded']);
    const watched = await runCli([
      'run',
      ...env.args,
      '--service',
      'seeded',
      '--watch',
      '2s',
      '--interval',
      '1s',
    ]);
    expect(once.code).toBe(1);
    expect(once.stderr).toMatch(/seeded: no pin/);
    expect(watched.code).toBe(1);
    expect(watched.stderr).toMatch(/seeded: no pin/);
  });
});
