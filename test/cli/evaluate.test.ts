import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';

const SEED = 'examples/seed/pinback.yml';

describe('pinback evaluate on the seed form', () => {
  it('stops a candidate breaching error_rate_p95 and tool_failure_rate', async () => {
    const r = await runCli([
      'evaluate',
      '-c',
      SEED,
      '--metrics-file',
      'examples/seed/metrics-breach.json',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const s = report.services[0]!;
    expect(s).toMatchObject({
      service: 'support-agent',
      decision: 'stop',
      from: '2.4.0',
      to: '2.3.3',
      reason: 'error_spike',
    });
    expect(s.evidence.filter((e) => e.breached).map((e) => e.trigger)).toEqual([
      'error_rate_p95',
      'tool_failure_rate',
    ]);
  });

  it('allows a short spike under every threshold', async () => {
    const r = await runCli([
      'evaluate',
      '-c',
      SEED,
      '--metrics-file',
      'examples/seed/metrics-spike.json',
      '--json',
    ]);
    expect((JSON.parse(r.stdout) as Report).services[0]!.decision).toBe('allow');
  });

  it('is inconclusive without data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinback-cli-'));
    writeFileSync(join(dir, 'empty.json'), '{}');
    const r = await runCli(['evaluate', '-c', SEED, '--metrics-file', join(dir, 'empty.json'), '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).services[0]!.decision).toBe('inconclusive');
  });

  it('prints one line per service for people', async () => {
    const r = await runCli(['evaluate', '-c', SEED, '--metrics-file', 'examples/seed/metrics-breach.json']);
    expect(r.stdout.trim()).toBe(
      'support-agent: stop error_spike 2.4.0 -> 2.3.3: error_rate_p95=0.071>0.05; tool_failure_rate=0.052>0.03',
    );
  });
});

describe('pinback evaluate with a bad policy file', () => {
  it('exits 2 and names the file, line and column of a wrong value type', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinback-cli-'));
    const file = join(dir, 'that-file.yml');
    writeFileSync(
      file,
      [
        'rollback:',
        '  stable_version: support-agent@2.3.3',
        '  candidate_version: support-agent@2.4.0',
        '  stage: canary',
        '  triggers:',
        '    error_rate_p95: five percent',
        '',
      ].join('\n'),
    );
    const r = await runCli(['evaluate', '-c', file, '--metrics-file', 'examples/seed/metrics-breach.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}:6:21: rollback.triggers.error_rate_p95: Invalid input: expected number, received string`,
    );
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a missing policy file', async () => {
    const r = await runCli(['evaluate', '-c', 'does-not-exist.yml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does-not-exist.yml:1:1: no such file');
  });

  it('exits 2 for an unknown option', async () => {
    const r = await runCli(['evaluate', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --frobnicate for pinback evaluate');
  });
});
